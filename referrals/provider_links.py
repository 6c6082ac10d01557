"""Signed response links for providers without an account (django.core.signing, never stored).

A token carries only the link's id; it is checked for a good signature, its age, that it is the
newest link of its onward referral, and that the referral still waits for an answer.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import ProviderLink, ServiceReferral

SALT = "referrals.provider-link"


class LinkProblem:
    INVALID = "invalid"
    EXPIRED = "expired"
    REPLACED = "replaced"
    ANSWERED = "answered"


@dataclass(frozen=True)
class LinkCheck:
    link: ProviderLink | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PROVIDER_LINK_MAX_AGE_DAYS)


def token_for(link: ProviderLink) -> str:
    return _sign(link.pk)


def url_for_id(link_id: int) -> str:
    """Signed when the email is rendered for sending: its reminder holds only the link's id."""
    return settings.SITE_URL + reverse("referrals:provider-link", args=[_sign(link_id)])


def _sign(link_id: int) -> str:
    return signing.dumps({"link": link_id}, salt=SALT)


def problem_with(link: ProviderLink, service_referral: ServiceReferral) -> str:
    """Why a genuine link may no longer be used, or "" when it may."""
    if link.has_expired:
        return LinkProblem.EXPIRED
    newest = (
        ProviderLink.objects.filter(service_referral_id=link.service_referral_id)
        .order_by("-issued_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if newest != link.pk:
        return LinkProblem.REPLACED
    if service_referral.is_final:
        return LinkProblem.ANSWERED
    return ""


def check_token(token: str) -> LinkCheck:
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        return LinkCheck(problem=LinkProblem.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(problem=LinkProblem.INVALID)
    link_id = payload.get("link") if isinstance(payload, dict) else None
    link = (
        ProviderLink.objects.select_related("service_referral").filter(pk=link_id).first()
        if isinstance(link_id, int)
        else None
    )
    if link is None:
        return LinkCheck(problem=LinkProblem.INVALID)
    problem = problem_with(link, link.service_referral)
    return LinkCheck(link=None if problem else link, problem=problem)
