"""How the directory shows a distance: in miles, as people in the UK give directions."""

from django import template

register = template.Library()
METRES_PER_MILE = 1609.344


@register.filter
def miles(metres: float | None) -> str:
    """'0.4 miles', '1 mile', '12 miles': one decimal under ten miles."""
    if metres is None:
        return ""
    value = metres / METRES_PER_MILE
    shown = f"{value:.1f}".removesuffix(".0") if value < 10 else f"{value:.0f}"
    return f"{shown} mile" if shown == "1" else f"{shown} miles"
