"""Building cases for the reports' hand-built data sets: every timestamp given in UK local
time, so a test reads like the diary of the team."""

import datetime
import zoneinfo

from coordinators.measures import SWEMWBS_METRIC
from coordinators.models import Goal, WellbeingMeasure
from referrals.models import ServiceReferral
from tests.community_services.factories import ApprovedServiceFactory
from tests.referrals.factories import ReferralFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=10, minute=0, *, fold=0) -> datetime.datetime:
    """A UK wall-clock time (fold=1: the second 01:xx on the night the clocks go back)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def case(*, team, practice, referred_by, received, **fields):
    """A referral as the data set needs it; status and timestamps as given, no services run."""
    return ReferralFactory.create(
        team=team,
        referring_practice=practice,
        referred_by=referred_by,
        received_at=received,
        **fields,
    )


def goal(referral, by, status="active"):
    return Goal.objects.create(
        referral=referral,
        statement="Go to a group once a week.",
        need_domain="loneliness",
        status=status,
        created_by=by,
        created_at=referral.received_at,
    )


def swemwbs(referral, by, *, occasion, raw, on):
    """A SWEMWBS measure with the raw total `raw` (answers spread to sum to it)."""
    answers = [raw // 7 + (1 if i < raw % 7 else 0) for i in range(7)]
    keys = ["optimistic", "useful", "relaxed", "dealing_with_problems", "thinking_clearly"]
    keys += ["close_to_others", "own_mind"]
    return WellbeingMeasure.objects.create(
        referral=referral,
        instrument="swemwbs",
        occasion=occasion,
        answers=dict(zip(keys, answers, strict=True)),
        raw_total=raw,
        metric_score=SWEMWBS_METRIC[raw],
        taken_on=on,
        recorded_by=by,
        recorded_at=referral.received_at,
    )


def ons4(referral, by, *, occasion, on, life_satisfaction, anxiety, worthwhile=5, happiness=5):
    return WellbeingMeasure.objects.create(
        referral=referral,
        instrument="ons4",
        occasion=occasion,
        answers={
            "life_satisfaction": life_satisfaction,
            "worthwhile": worthwhile,
            "happiness": happiness,
            "anxiety": anxiety,
        },
        taken_on=on,
        recorded_by=by,
        recorded_at=referral.received_at,
    )


def onward(referral, by, *, sent, service=None, **fields):
    return ServiceReferral.objects.create(
        referral=referral,
        service=service or ApprovedServiceFactory.create(),
        referred_by=by,
        provider_needs_to_know="Would like company.",
        sent_at=sent,
        **fields,
    )
