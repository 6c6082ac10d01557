"""Keeping abuse off the public self-referral page without a third-party service: a
per-address rate limit (the app's client address and cache), a honeypot field people never
see, a minimum fill time carried in a signed timestamp, and a size limit on the body."""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from accounts.middleware import client_ip

_SALT = "self-referral-started"
_RATE_KEY = "self-referral-rate:{address}"
HONEYPOT_FIELD = "website"  # a name bots like to fill in


def started_token() -> str:
    """When the form was opened, signed so it cannot be made up."""
    return signing.TimestampSigner(salt=_SALT).sign(str(int(time.time())))


def fill_time_problem(token: str) -> str | None:
    """Why the signed start time is not acceptable, in plain English; None when it is."""
    try:
        started = int(
            signing.TimestampSigner(salt=_SALT).unsign(
                token, max_age=settings.SELF_REFERRAL_FORM_MAX_AGE_SECONDS
            )
        )
    except signing.SignatureExpired:
        return "This form was opened too long ago. Check your answers and send it again."
    except (signing.BadSignature, ValueError):
        return "We could not accept this form. Check your answers and send it again."
    if time.time() - started < settings.SELF_REFERRAL_MIN_FILL_SECONDS:
        return "This form was sent too quickly. Check your answers and send it again."
    return None


def over_rate_limit(request) -> bool:
    """Count this send against the client's address; True once it is over the limit."""
    key = _RATE_KEY.format(address=client_ip(request) or "unknown")
    cache.add(key, 0, timeout=settings.SELF_REFERRAL_RATE_WINDOW_SECONDS)
    try:
        sends = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first send of a window
        cache.set(key, 1, timeout=settings.SELF_REFERRAL_RATE_WINDOW_SECONDS)
        sends = 1
    return sends > settings.SELF_REFERRAL_RATE_LIMIT


def body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.SELF_REFERRAL_MAX_BODY_BYTES
