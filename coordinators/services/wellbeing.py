"""Wellbeing measures (SWEMWBS, ONS4, ...): scored by `coordinators.measures` when recorded."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.input_limits import check_event_dates
from referrals.models import Referral

from .. import measures
from ..models import CaseEventKind, MeasureOccasion, Review, WellbeingMeasure
from .checks import _choice, _locked_open_case, _record


def score_answers(instrument: str, answers: dict[str, Any]) -> measures.MeasureScore:
    """Score through the one measures module; its field errors become a ValidationError."""
    try:
        return measures.score(instrument, answers)
    except measures.MeasureAnswersInvalid as exc:
        raise ValidationError(exc.errors) from exc


def _create_measure(
    *,
    case: Referral,
    by: User,
    instrument: str,
    occasion: str,
    answers: dict[str, Any],
    taken_on: datetime.date,
    review: Review | None = None,
) -> WellbeingMeasure:
    _choice(occasion, MeasureOccasion.values, "occasion", "Choose when the measure was taken.")
    scored = score_answers(instrument, answers)
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": "The date must be today or in the past."})
    check_event_dates(taken_on=taken_on)
    if (
        occasion in (MeasureOccasion.BASELINE, MeasureOccasion.CLOSING)
        and WellbeingMeasure.objects.filter(
            referral=case, instrument=instrument, occasion=occasion
        ).exists()
    ):
        raise ValidationError(
            {
                "occasion": f"This case already has a {occasion} "
                f"{measures.INSTRUMENTS[instrument].name}."
            }
        )
    measure = WellbeingMeasure.objects.create(
        referral=case,
        instrument=instrument,
        occasion=occasion,
        review=review,
        answers=scored.answers,
        raw_total=scored.raw_total,
        metric_score=scored.metric_score,
        bands=scored.bands,
        taken_on=taken_on,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.MEASURE,
        summary=f"{measure.get_occasion_display()} {measure.instrument_definition.name}"
        + (f": {scored.metric_score}" if scored.metric_score is not None else ""),
        action="create",
        obj=measure,
        object_type="wellbeing_measure",
    )
    return measure


@transaction.atomic
def record_measure(
    *,
    case: Referral,
    by: User,
    instrument: str,
    occasion: str,
    answers: dict[str, Any],
    taken_on: datetime.date | None = None,
) -> WellbeingMeasure:
    """Baseline at the start, repeats at reviews, closing at the end; scored when recorded."""
    case = _locked_open_case(case, by, "record a measure")
    return _create_measure(
        case=case,
        by=by,
        instrument=instrument,
        occasion=occasion,
        answers=answers,
        taken_on=taken_on or timezone.localdate(),
    )
