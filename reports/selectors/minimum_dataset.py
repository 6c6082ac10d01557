"""The PRSB social prescribing minimum dataset: one record per episode (a referral) received in a
period, in its four groups (demographics; needs and concerns; support offered; outcomes with
the measure scores) and the one SNOMED CT code the GP record holds for it: the referral code for
an episode that reached a first interaction, the declined code for one the patient declined,
none otherwise. No name, NHS number, address or free text: the episode reference links back."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coordinators.models import Goal, GoalStatus, WellbeingMeasure
from gp_messages.codes import DISPLAY, REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED
from referrals.models import Referral, ReferralStatus, ServiceReferral, ServiceReferralStatus

from ..periods import Period

CSV_COLUMNS = (
    "episode",
    # demographics
    "year_of_birth",
    "sex",
    "ethnic_category",
    "postcode_district",
    "practice_code",
    "team",
    # needs and concerns
    "need_domains",
    "goal_domains",
    # support offered
    "services_referred",
    # outcomes
    "referral_date",
    "first_contact_date",
    "closed_date",
    "status",
    "outcome",
    "goals_total",
    "goals_achieved",
    "measures",
    # the GP record
    "snomed_code",
    "snomed_display",
    "snomed_date",
)
ATTENDED = (ServiceReferralStatus.ATTENDED, ServiceReferralStatus.COMPLETED)


def minimum_dataset_episodes(
    period: Period, *, team_ids: tuple[int, ...], practice_id: int | None = None
) -> QuerySet[Referral]:
    episodes = Referral.objects.filter(
        team_id__in=team_ids, received_at__gte=period.start, received_at__lt=period.end
    )
    if practice_id is not None:
        episodes = episodes.filter(referring_practice_id=practice_id)
    return (
        episodes.select_related("patient", "referring_practice", "team")
        .prefetch_related(
            Prefetch(
                "service_referrals",
                queryset=ServiceReferral.objects.select_related("service").order_by(
                    "sent_at", "id"
                ),
                to_attr="onward",
            ),
            Prefetch("goals", queryset=Goal.objects.order_by("id"), to_attr="all_goals"),
            Prefetch(
                "measures",
                queryset=WellbeingMeasure.objects.order_by("taken_on", "id"),
                to_attr="all_measures",
            ),
        )
        .order_by("received_at", "id")
    )


def _day(value: datetime.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).date().isoformat()


def gp_record_code(case: Referral) -> dict[str, str] | None:
    """Exactly one code per episode that reached a first interaction or a decline."""
    if case.first_contact_at:
        code, on = REFERRAL_TO_SOCIAL_PRESCRIBING, case.first_contact_at
    elif case.status == ReferralStatus.PATIENT_DECLINED:
        code, on = SOCIAL_PRESCRIBING_DECLINED, case.closed_at or case.received_at
    else:
        return None
    return {"code": code, "display": DISPLAY[code], "date": _day(on)}


def episode_record(case: Any) -> dict[str, Any]:
    """`case`: a row of `minimum_dataset_episodes` (its lists prefetched)."""
    patient = case.patient
    return {
        "episode": case.reference,
        "demographics": {
            "year_of_birth": patient.date_of_birth.year,
            "sex": patient.sex_or_gender,
            "ethnic_category": patient.ethnic_category,
            "postcode_district": patient.postcode.split(" ")[0].upper() if patient.postcode else "",
            "practice_code": case.referring_practice.ods_code,
            "team": case.team.name,
        },
        "needs_and_concerns": {
            "need_domains": list(case.reasons),
            "goal_domains": sorted({goal.need_domain for goal in case.all_goals}),
        },
        "support_offered": [
            {
                "service": onward.service.name,
                "referred_on": _day(onward.sent_at),
                "status": onward.status,
                "attended": onward.status in ATTENDED or onward.attended_at is not None,
            }
            for onward in case.onward
        ],
        "outcomes": {
            "referral_date": _day(case.received_at),
            "first_contact_date": _day(case.first_contact_at),
            "closed_date": _day(case.closed_at),
            "status": case.status,
            "outcome": case.outcome,
            "goals_total": len(case.all_goals),
            "goals_achieved": sum(g.status == GoalStatus.ACHIEVED for g in case.all_goals),
            "measures": [
                {
                    "instrument": measure.instrument,
                    "occasion": measure.occasion,
                    "taken_on": measure.taken_on.isoformat(),
                    "score": str(measure.metric_score)
                    if measure.metric_score is not None
                    else None,
                    "answers": measure.answers,
                }
                for measure in case.all_measures
            ],
        },
        "gp_record_code": gp_record_code(case),
    }


def csv_row(record: dict[str, Any]) -> list[Any]:
    demographics, needs, outcomes = (
        record["demographics"],
        record["needs_and_concerns"],
        record["outcomes"],
    )
    code = record["gp_record_code"] or {"code": "", "display": "", "date": ""}
    return [
        record["episode"],
        *(demographics[key] for key in CSV_COLUMNS[1:7]),
        ";".join(needs["need_domains"]),
        ";".join(needs["goal_domains"]),
        ";".join(
            f"{s['service']}|{s['status']}|{'attended' if s['attended'] else 'not attended'}"
            for s in record["support_offered"]
        ),
        *(outcomes[key] for key in CSV_COLUMNS[10:17]),
        ";".join(
            f"{m['instrument']}|{m['occasion']}|{m['taken_on']}|"
            + (
                m["score"]
                if m["score"] is not None
                else ",".join(f"{k}={v}" for k, v in sorted(m["answers"].items()))
            )
            for m in outcomes["measures"]
        ),
        code["code"],
        code["display"],
        code["date"],
    ]


def episode_records(episodes: QuerySet[Referral], chunk_size: int = 2000) -> Iterator[dict]:
    for case in episodes.iterator(chunk_size=chunk_size):
        yield episode_record(case)
