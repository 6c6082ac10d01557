"""The evaluation extract: one row per case (accepted referral) received in a period, with a
pseudonym instead of any identifier, for a matched-comparison study.

The pseudonym is HMAC-SHA256 of the NHS number under EVALUATION_PSEUDONYM_KEY, a key held
outside the database: the same patient gets the same pseudonym in every extract made with that
key, so a trusted third party holding it can link to hospital activity; without the key the
pseudonym cannot be reversed or recomputed (a plain hash of a 10-digit number could be, by
trying every number). Dates are dates, not times; age is the year of birth; no name, address,
postcode, free text or internal id is included. The data dictionary is in the README."""

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coordinators.models import Review, ReviewStatus, WellbeingMeasure
from referrals.models import Referral, ServiceReferral

from ..deprivation import with_deprivation_decile
from ..periods import Period

COLUMNS = (
    "pseudonym",
    "year_of_birth",
    "sex",
    "ethnic_category",
    "deprivation_decile",
    "practice_code",
    "referral_source",
    "urgency",
    "referral_date",
    "accepted_date",
    "first_contact_date",
    "review_dates",
    "closed_date",
    "need_domains",
    "services_referred",
    "services_attended",
    "measures",
    "swemwbs_baseline",
    "swemwbs_follow_up",
    "status",
    "outcome",
)


class PseudonymKeyMissing(Exception):
    pass


def pseudonym(nhs_number: str | None, *, key: str) -> str:
    if not nhs_number:
        return ""
    return hmac.new(key.encode(), nhs_number.encode(), hashlib.sha256).hexdigest()


def pseudonym_key() -> str:
    key = settings.EVALUATION_PSEUDONYM_KEY
    if not key:
        raise PseudonymKeyMissing(
            "Set EVALUATION_PSEUDONYM_KEY (or EVALUATION_PSEUDONYM_KEY_FILE) to make extracts."
        )
    return key


def extract_cases(period: Period) -> QuerySet[Referral]:
    cases = Referral.objects.cases().filter(
        received_at__gte=period.start, received_at__lt=period.end
    )
    return (
        with_deprivation_decile(cases, "patient__postcode")
        .select_related("patient", "referring_practice")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(status=ReviewStatus.COMPLETED).order_by(
                    "scheduled_for"
                ),
                to_attr="completed_reviews",
            ),
            Prefetch(
                "service_referrals",
                queryset=ServiceReferral.objects.select_related("service").order_by("sent_at"),
                to_attr="onward",
            ),
            Prefetch(
                "measures",
                queryset=WellbeingMeasure.objects.order_by("taken_on", "id"),
                to_attr="all_measures",
            ),
        )
        .order_by("received_at", "id")
    )


def _day(value) -> str:
    return "" if value is None else timezone.localtime(value).date().isoformat()


def _score(measure: WellbeingMeasure) -> str:
    if measure.metric_score is not None:
        return str(measure.metric_score)
    return ",".join(f"{key}={value}" for key, value in sorted(measure.answers.items()))


def _swemwbs(measures: list[WellbeingMeasure]) -> tuple[str, str]:
    swemwbs = [m for m in measures if m.instrument == "swemwbs"]
    baseline = next((m for m in swemwbs if m.occasion == "baseline"), None)
    closing = [m for m in swemwbs if m.occasion == "closing"]
    reviews = [m for m in swemwbs if m.occasion == "review"]
    follow_up = (closing or reviews)[-1] if closing or reviews else None
    return (
        str(baseline.metric_score) if baseline else "",
        str(follow_up.metric_score) if follow_up else "",
    )


def extract_rows(period: Period, *, key: str, chunk_size: int = 2000) -> Iterator[list]:
    case: Any  # a Referral with the prefetched lists and the decile annotated
    for case in extract_cases(period).iterator(chunk_size=chunk_size):
        patient = case.patient
        baseline, follow_up = _swemwbs(case.all_measures)
        yield [
            pseudonym(patient.nhs_number, key=key),
            patient.date_of_birth.year,
            patient.sex_or_gender,
            patient.ethnic_category,
            case.decile or "",
            case.referring_practice.ods_code,
            case.source,
            case.urgency,
            _day(case.received_at),
            _day(case.accepted_at),
            _day(case.first_contact_at),
            ";".join(
                _day(r.held_at or r.recorded_at or r.scheduled_for) for r in case.completed_reviews
            ),
            _day(case.closed_at),
            ";".join(case.reasons),
            ";".join(s.service.name for s in case.onward),
            ";".join(s.service.name for s in case.onward if s.attended_at),
            ";".join(
                f"{m.instrument}|{m.occasion}|{m.taken_on.isoformat()}|{_score(m)}"
                for m in case.all_measures
            ),
            baseline,
            follow_up,
            case.status,
            case.outcome,
        ]
