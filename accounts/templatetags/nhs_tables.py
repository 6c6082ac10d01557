"""The NHS.UK responsive table, made from an ordinary table in one place.

`{% responsive_table %}<table class="nhsuk-table">…</table>{% endresponsive_table %}` turns the
table into the design system's responsive pattern: on a phone each row stacks into a card and
every cell carries its column's heading (`nhsuk-table-responsive__heading`), with the ARIA roles
that keep it a table for screen readers once the CSS has made it blocks. Writing the heading
spans by hand in every template drifts from the headers; here they are read from the `<thead>`.
"""

import re
from html import unescape

from django import template
from django.utils.html import escape, strip_tags

register = template.Library()

_HEADING = '<span class="nhsuk-table-responsive__heading"'
_ROLES = {"table": "table", "thead": "rowgroup", "tbody": "rowgroup", "tr": "row", "td": "cell"}
# Only the table's own tags matter, so they are found by one pattern rather than by parsing
# every tag of every cell (an HTML parser spent ~0.4 ms a row on a page of search results).
# Attribute values may hold ">" only inside quotes; comments are skipped whole.
_TAG = re.compile(
    r"<!--.*?-->"
    r"|<(?P<end>/?)(?P<tag>table|thead|tbody|tr|td|th)"
    r"(?P<attrs>(?:\s+[^\s/>=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']*))?)*)\s*/?>",
    re.IGNORECASE | re.DOTALL,
)
_ATTR = re.compile(r"([^\s/>=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']*))?")

Attrs = list[tuple[str, str | None]]


def _attrs(text: str) -> Attrs:
    """As HTMLParser gives them: names lower-cased, values unquoted and unescaped, a bare
    attribute None."""
    found: Attrs = []
    for match in _ATTR.finditer(text):
        name, value = match.group(1), match.group(2)
        if value is not None and value[:1] in {'"', "'"}:
            value = value[1:-1]
        found.append((name.lower(), None if value is None else unescape(value)))
    return found


def _start_tag(tag: str, attrs: Attrs, role: str) -> str:
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
    headings: list[str] = []
    heading_start: int | None = None
    edits: list[tuple[int, int, str]] = []
    depth, column, section = 0, 0, ""
    for found in _TAG.finditer(html):
        tag = (found.group("tag") or "").lower()
        if not tag:  # a comment
            continue
        if found.group("end"):
            if tag == "table":
                depth -= 1
            elif tag == "th" and depth == 1 and section == "thead" and heading_start is not None:
                text = html[heading_start : found.start()]
                headings.append(" ".join(unescape(strip_tags(text)).split()))
                heading_start = None
            continue
        if tag == "table":
            depth += 1
        if depth != 1:
            continue
        if tag in {"thead", "tbody"}:
            section = tag
        elif tag == "tr":
            column = 0
        attrs = _attrs(found.group("attrs"))
        if tag == "th":
            role = "columnheader" if section == "thead" else "rowheader"
            if section == "thead":
                heading_start = found.end()
        else:
            role = _ROLES[tag]
        replacement = _start_tag(tag, attrs, role)
        if tag in {"td", "th"} and section == "tbody":
            span = int(dict(attrs).get("colspan") or 1)
            written = html.startswith(_HEADING, found.end())
            if span == 1 and column < len(headings) and headings[column] and not written:
                replacement += f'{_HEADING} aria-hidden="true">{escape(headings[column])} </span>'
            column += span
        edits.append((found.start(), found.end(), replacement))
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
