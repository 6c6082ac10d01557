"""The case page's pieces drawn on the server: a goal's progress as a small SVG line chart (no
JavaScript), and the timeline's items."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

register = template.Library()

WIDTH, HEIGHT, PAD = 240, 80, 10


@register.inclusion_tag("coordinators/includes/goal_chart.html")
def goal_chart(goal):
    ratings = list(goal.progress.all())  # prefetched, oldest first
    step = (WIDTH - 2 * PAD) / max(len(ratings) - 1, 1)
    points = [
        {
            "x": round(PAD + index * step, 1),
            "y": round(HEIGHT - PAD - progress.rating * (HEIGHT - 2 * PAD) / 10, 1),
            "progress": progress,
        }
        for index, progress in enumerate(ratings)
    ]
    return {
        "goal": goal,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "width": WIDTH,
        "height": HEIGHT,
        "top": PAD,
        "bottom": HEIGHT - PAD,
        "right": WIDTH - PAD,
        "pad": PAD,
    }


@register.simple_tag
def timeline_items(entries) -> str:
    """The case timeline's list items. A long case has hundreds of entries, and rendering each
    through template nodes and the date filter was a third of the case page's rendering."""
    return format_html_join(
        "",
        '<li><span class="nhsuk-body-s">{}</span> – {}{}{}</li>',
        (
            (
                timezone.localtime(entry.occurred_at).strftime("%-d %b %Y %H:%M"),
                entry.text,
                format_html(" ({})", entry.actor) if entry.actor else "",
                format_html(": {}", entry.note) if entry.note else "",
            )
            for entry in entries
        ),
    )
