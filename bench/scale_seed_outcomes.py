"""What the reports need at scale, added to `seed_scale`'s population: onward referrals with
the providers' answers, wellbeing measures (baselines, reviews, closing ones: some people
without a follow-up, as in life), varied goal outcomes, referral sources, and patients' sex
and ethnic category. Same `random.Random` as the rest of the seed, so a seed is repeatable."""

import datetime
import random
import time
from collections.abc import Callable

from django.db import connection

from community_services.models import Service, ServiceStatus
from coordinators.measures import SWEMWBS_METRIC
from coordinators.models import MeasureOccasion, WellbeingMeasure
from referrals.models import EthnicCategory, ReferralSource, ServiceReferral

ONWARD_SHARE = 0.6  # of cases with a first contact
BASELINE_SHARE = 0.85
CLOSING_SHARE = 0.6  # of closed cases with a baseline
REVIEW_MEASURE_SHARE = 0.3  # of open cases with a baseline
SWEMWBS_KEYS = (
    "optimistic",
    "useful",
    "relaxed",
    "dealing_with_problems",
    "thinking_clearly",
    "close_to_others",
    "own_mind",
)


def _swemwbs(rng: random.Random, raw: int) -> dict:
    raw = min(35, max(7, raw))
    answers = [raw // 7 + (1 if i < raw % 7 else 0) for i in range(7)]
    rng.shuffle(answers)
    return {
        "instrument": "swemwbs",
        "answers": dict(zip(SWEMWBS_KEYS, answers, strict=True)),
        "raw_total": raw,
        "metric_score": SWEMWBS_METRIC[raw],
    }


def _ons4(rng: random.Random, level: int) -> dict:
    def item(shift: int) -> int:
        return min(10, max(0, level + shift + rng.randint(-1, 1)))

    answers = {
        "life_satisfaction": item(0),
        "worthwhile": item(1),
        "happiness": item(0),
        "anxiety": min(10, max(0, 10 - level + rng.randint(-2, 1))),
    }
    return {"instrument": "ons4", "answers": answers, "raw_total": None, "metric_score": None}


def seed_outcomes(seeder, write: Callable, next_id: Callable) -> None:
    """`seeder` is the running ScaleSeeder (its rng, now, cases and report)."""
    rng, now = seeder.rng, seeder.now
    services = list(
        Service.objects.filter(status=ServiceStatus.APPROVED).values_list("pk", flat=True)
    )
    onward, measures = [], []
    for case in seeder.cases + seeder.showcase:
        start: datetime.datetime = case["start"]
        contact = start + datetime.timedelta(days=rng.uniform(0.5, 7))
        if contact > case["end"] or contact > now:
            continue
        if rng.random() < ONWARD_SHARE and services:
            sent = contact + datetime.timedelta(days=rng.uniform(1, 14))
            if sent < now:
                onward.append(_onward(rng, next_id, case, rng.choice(services), sent, now))
        if rng.random() > BASELINE_SHARE:
            continue
        level, raw = rng.randint(2, 7), rng.randint(12, 26)
        baseline_on = contact.date()
        measures += [
            _measure(next_id, case, occasion, baseline_on, scored)
            for occasion, scored in (
                (MeasureOccasion.BASELINE, _swemwbs(rng, raw)),
                (MeasureOccasion.BASELINE, _ons4(rng, level)),
            )
        ]
        later = case["end"].date() if not case["open"] else now.date()
        if case["open"] and rng.random() < REVIEW_MEASURE_SHARE:
            occasion = MeasureOccasion.REVIEW
        elif not case["open"] and rng.random() < CLOSING_SHARE:
            occasion = MeasureOccasion.CLOSING
        else:
            continue
        gain = rng.randint(-2, 6)
        measures.append(_measure(next_id, case, occasion, later, _swemwbs(rng, raw + gain)))
        measures.append(_measure(next_id, case, occasion, later, _ons4(rng, level + gain // 2)))
    write(ServiceReferral, onward)
    write(WellbeingMeasure, measures)
    started = time.monotonic()
    _vary()
    seeder.report.add("reports: sources, ethnicity, goals", 0, time.monotonic() - started)


def _onward(rng, next_id, case, service, sent, now) -> dict:
    row = {
        "id": next_id(ServiceReferral),
        "referral_id": case["id"],
        "service_id": service,
        "referred_by_id": case["coordinator"],
        "provider_needs_to_know": "Would like company and something to do.",
        "sent_at": sent,
        "status": "sent",
    }
    roll = rng.random()
    answered = sent + datetime.timedelta(days=rng.uniform(0.5, 12))
    if roll < 0.1 or answered > now:
        return row  # still waiting for an answer
    if roll < 0.2:
        return row | {"status": "declined", "declined_at": answered, "decline_reason": "other"}
    if roll < 0.25:
        return row | {"status": "no_response", "no_response_at": sent + datetime.timedelta(14)}
    row |= {"status": "accepted", "accepted_at": answered}
    went = answered + datetime.timedelta(days=rng.uniform(3, 20))
    if roll < 0.35 or went > now:
        return row
    if roll < 0.45:
        return row | {"status": "did_not_attend", "did_not_attend_at": went}
    row |= {"status": "attended", "attended_at": went}
    if roll < 0.75:
        return row | {"status": "completed", "completed_at": went + datetime.timedelta(days=42)}
    return row


def _measure(next_id, case, occasion, on, scored: dict) -> dict:
    return {
        "id": next_id(WellbeingMeasure),
        "referral_id": case["id"],
        "occasion": occasion,
        "taken_on": on,
        "recorded_by_id": case["coordinator"],
        "recorded_at": datetime.datetime.combine(on, datetime.time(12), tzinfo=datetime.UTC),
        "bands": {},
        **scored,
    }


def _vary() -> None:
    """Set-based updates, repeatable from the ids: which source each referral came from, each
    patient's sex and ethnic category (some not stated, some never asked), and what became of
    closed cases' goals."""
    sources = list(ReferralSource.values)
    ethnic = [*EthnicCategory.values, "", ""]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral SET source = (%s::text[])[1 + (id * 7919) %% %s]",
            [sources, len(sources)],
        )
        cursor.execute(
            "UPDATE referrals_patient SET ethnic_category = (%s::text[])[1 + (id * 104729) %% %s],"
            " sex_or_gender = CASE WHEN id %% 2 = 0 THEN 'Female' ELSE 'Male' END",
            [ethnic, len(ethnic)],
        )
        cursor.execute(
            "UPDATE coordinators_goal SET status = (ARRAY['achieved', 'partly_achieved', "
            "'not_achieved', 'no_longer_relevant'])[1 + (id * 31) % 4] WHERE status = 'achieved'"
        )
