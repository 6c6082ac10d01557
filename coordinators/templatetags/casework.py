"""A goal's progress as a small SVG line chart, drawn on the server (no JavaScript)."""

from django import template

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
