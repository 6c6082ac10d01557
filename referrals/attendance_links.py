"""Signed links for the patient's "did you manage to go?" question (django.core.signing).

A token carries the onward referral's id and the answer the patient tapped; it is signed when
the message is rendered for sending (never stored) and works for ATTENDANCE_LINK_MAX_AGE_DAYS.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import PatientAttendanceAnswer, ServiceReferral

SALT = "referrals.attendance-question"


class AnswerLinkProblem:
    INVALID = "invalid"
    EXPIRED = "expired"


@dataclass(frozen=True)
class AnswerLinkCheck:
    service_referral: ServiceReferral | None = None
    answer: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ATTENDANCE_LINK_MAX_AGE_DAYS)


def token_for(service_referral_id: int, answer: str) -> str:
    return signing.dumps({"sr": service_referral_id, "a": answer}, salt=SALT)


def url_for(service_referral_id: int, answer: str) -> str:
    token = token_for(service_referral_id, answer)
    return settings.SITE_URL + reverse("referrals:attendance-answer", args=[token])


def check_token(token: str) -> AnswerLinkCheck:
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        return AnswerLinkCheck(problem=AnswerLinkProblem.EXPIRED)
    except signing.BadSignature:
        return AnswerLinkCheck(problem=AnswerLinkProblem.INVALID)
    if not isinstance(payload, dict):
        return AnswerLinkCheck(problem=AnswerLinkProblem.INVALID)
    service_referral_id, answer = payload.get("sr"), payload.get("a")
    if not isinstance(service_referral_id, int) or answer not in PatientAttendanceAnswer.values:
        return AnswerLinkCheck(problem=AnswerLinkProblem.INVALID)
    service_referral = (
        ServiceReferral.objects.select_related("service", "referral")
        .filter(pk=service_referral_id)
        .first()
    )
    if service_referral is None:
        return AnswerLinkCheck(problem=AnswerLinkProblem.INVALID)
    return AnswerLinkCheck(service_referral=service_referral, answer=answer)
