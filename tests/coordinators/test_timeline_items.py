"""The case timeline's items, drawn in Python for speed, read exactly as the template did."""

import datetime

from django.template import engines

from coordinators.selectors import TimelineEntry

AS_THE_TEMPLATE_DID = (
    '{% for entry in entries %}<li><span class="nhsuk-body-s">'
    '{{ entry.occurred_at|date:"j M Y H:i" }}</span> – {{ entry.text }}'
    "{% if entry.actor %} ({{ entry.actor }}){% endif %}"
    "{% if entry.note %}: {{ entry.note }}{% endif %}</li>{% endfor %}"
)


def render(source: str, entries) -> str:
    return engines["django"].from_string(source).render({"entries": entries})


def test_timeline_items_match_the_template_with_local_time_and_escaping():
    entries = [
        TimelineEntry(  # British Summer Time: shown an hour on
            occurred_at=datetime.datetime(2026, 9, 3, 7, 5, tzinfo=datetime.UTC),
            source="casework",
            text="<b>Tom & Jerry</b> met",
            actor="Ann O'Neil",
            note='said "<i>yes</i>"',
        ),
        TimelineEntry(
            occurred_at=datetime.datetime(2026, 1, 9, 23, 59, tzinfo=datetime.UTC),
            source="referral",
            text="Referral received",
        ),
    ]
    ours = render("{% load casework %}{% timeline_items entries %}", entries)
    assert ours == render(AS_THE_TEMPLATE_DID, entries)
    assert "3 Sep 2026 08:05" in ours and "9 Jan 2026 23:59" in ours
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in ours
    assert "<i>" not in ours
