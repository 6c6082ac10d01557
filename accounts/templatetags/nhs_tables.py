"""The NHS.UK responsive table, made from an ordinary table in one place.

`{% responsive_table %}<table class="nhsuk-table">…</table>{% endresponsive_table %}` turns the
table into the design system's responsive pattern: on a phone each row stacks into a card and
every cell carries its column's heading (`nhsuk-table-responsive__heading`), with the ARIA roles
that keep it a table for screen readers once the CSS has made it blocks. Writing the heading
spans by hand in every template drifts from the headers; here they are read from the `<thead>`.
"""

import re
from html import unescape
from html.parser import HTMLParser

from django import template
from django.utils.html import escape, strip_tags

register = template.Library()

_HEADING = '<span class="nhsuk-table-responsive__heading"'
_ROLES = {"table": "table", "thead": "rowgroup", "tbody": "rowgroup", "tr": "row", "td": "cell"}


class _Cell:
    def __init__(self, start: int, end: int, attrs: list[tuple[str, str | None]]) -> None:
        self.start, self.end, self.attrs = start, end, attrs


class _TableReader(HTMLParser):
    """Finds where each table part's start tag sits, to rewrite it in place."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0, *(found.end() for found in re.finditer("\n", html))]
        self.tags: list[tuple[str, int, int, list[tuple[str, str | None]], str]] = []
        self.section = ""
        self.header_starts: list[int] = []
        self.header_ends: list[int] = []
        self.depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
        if self.depth != 1 or tag not in {"table", "thead", "tbody", "tr", "td", "th"}:
            return
        if tag in {"thead", "tbody"}:
            self.section = tag
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        self.tags.append((tag, start, end, attrs, self.section))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        elif tag == "th" and self.depth == 1 and self.section == "thead":
            self.header_ends.append(self._offset())


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], role: str) -> str:
    parts = [tag]
    for name, value in attrs:
        if name == "role":
            continue
        if name == "class" and tag == "table" and value:
            value = " ".join(
                "nhsuk-table-responsive" if c == "nhsuk-table" else c for c in value.split()
            )
        parts.append(name if value is None else f'{name}="{escape(unescape(value))}"')
    parts.append(f'role="{role}"')
    return "<" + " ".join(parts) + ">"


def make_responsive(html: str) -> str:
    """The table in `html` as the NHS.UK responsive table (headings in every body cell)."""
    reader = _TableReader(html)
    reader.feed(html)
    reader.close()
    headings: list[str] = []
    header_cells = [t for t in reader.tags if t[0] == "th" and t[4] == "thead"]
    for (_, _, end, _, _), close in zip(header_cells, reader.header_ends, strict=False):
        headings.append(" ".join(unescape(strip_tags(html[end:close])).split()))
    edits: list[tuple[int, int, str]] = []
    column = 0
    for tag, start, end, attrs, section in reader.tags:
        if tag == "tr":
            column = 0
        if tag == "th":
            role = "columnheader" if section == "thead" else "rowheader"
        else:
            role = _ROLES[tag]
        replacement = _start_tag(tag, attrs, role)
        if tag in {"td", "th"} and section == "tbody":
            span = int(dict(attrs).get("colspan") or 1)
            written = html.startswith(_HEADING, end)
            if span == 1 and column < len(headings) and headings[column] and not written:
                replacement += f'{_HEADING} aria-hidden="true">{escape(headings[column])} </span>'
            column += span
        edits.append((start, end, replacement))
    # Joined once: rewriting the string per tag made a table of n cells cost n² (seconds for
    # a report table of a few thousand rows).
    parts, done = [], 0
    for start, end, replacement in edits:
        parts += [html[done:start], replacement]
        done = end
    parts.append(html[done:])
    return "".join(parts)


class _ResponsiveTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        return make_responsive(self.nodelist.render(context))


@register.tag
def responsive_table(parser: template.base.Parser, token: template.base.Token) -> template.Node:
    nodelist = parser.parse(("endresponsive_table",))
    parser.delete_first_token()
    return _ResponsiveTableNode(nodelist)
