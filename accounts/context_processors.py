from .navigation import navigation_for


def current_membership(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_membership": user.primary_membership,
        "navigation": navigation_for(user, request.path),
    }
