"""Charts drawn on the server as SVG with pygal, in NHS.UK colours, shown as an image beside
the table they are drawn from (the table is the accessible alternative, and the chart has a
text alternative saying so).

The SVG travels inside the page as a data: URI image: no request of its own, nothing to
re-authorise or re-audit, and the page's strict Content-Security-Policy stands, because an
SVG shown as an image runs no script and its styles stay inside it. pygal's own config
script is removed all the same; no JavaScript is fetched (js=[]), so it works offline."""

import base64
import hashlib
import json
import re

import pygal
from django.core.cache import cache
from pygal.style import Style

from .tables import Table

# NHS identity colours: blue, dark blue, aqua green, warm yellow, purple, dark pink, dark grey.
NHS_COLOURS = ("#005EB8", "#003087", "#00A499", "#FFB81C", "#330072", "#AE2573", "#425563")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212b32",
    foreground_strong="#212b32",
    foreground_subtle="#4c6272",
    colors=NHS_COLOURS,
    font_family="Frutiger W01, Arial, sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=15,
    value_font_size=14,
    title_font_size=18,
)
KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "line": pygal.Line}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
# Drawing a chart costs pygal tens of milliseconds, most of a report page's time, and the same
# rows always give the same chart: kept by what it is drawn from (change the version with the
# drawing) for a day.
CHART_CACHE_VERSION = 1
CHART_CACHE_SECONDS = 24 * 3600


def _number(value) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def chart_data_uri(table: Table) -> str | None:
    """The chart of `table` as a data: URI, or None for a table with no chart or no rows.
    Suppressed cells ("<5") are left out of the chart, as they are from the table."""
    if not table.chart or not table.rows or not table.plotted:
        return None
    drawn_from = json.dumps(
        [CHART_CACHE_VERSION, table.chart, table.headings, list(table.plotted), table.rows],
        default=str,
    )
    key = "report-chart:" + hashlib.sha256(drawn_from.encode()).hexdigest()
    uri = cache.get(key)
    if uri is None:
        uri = _draw(table)
        cache.set(key, uri, CHART_CACHE_SECONDS)
    return uri


def _draw(table: Table) -> str:
    kind = table.chart or "bar"
    chart_class = KINDS[kind]
    height = max(300, 34 * len(table.rows) + 140) if kind == "hbar" else 400
    chart = chart_class(
        js=[],
        style=STYLE,
        width=640,
        height=height,
        disable_xml_declaration=True,
        show_legend=len(table.plotted) > 1,
        legend_at_bottom=True,
        truncate_label=40,
        print_values=False,
        x_label_rotation=0 if table.chart == "hbar" or len(table.rows) < 7 else 30,
        no_data_text="No data",
    )
    rows = list(reversed(table.rows)) if table.chart == "hbar" else table.rows
    chart.x_labels = [str(row[0]) for row in rows]
    for index in table.plotted:
        chart.add(table.columns[index].heading, [_number(row[index]) for row in rows])
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def figure(table: Table, definition: str) -> dict:
    """What the figure template needs: the table as the page shows it, its chart, and how many
    rows of a long ranking the page leaves to the CSV."""
    shown = table.on_page()
    return {
        "table": shown,
        "chart": chart_data_uri(shown),
        "definition": definition,
        "left_out": shown.left_out,
    }
