"""About 60 invented patients with referrals in every status. Safe to run again."""

import datetime
import itertools
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from community_services.models import Service
from community_services.need_domains import NeedDomain

from . import provider_links, services
from .models import (
    ClosureOutcome,
    ContactMethod,
    DeclineReason,
    Patient,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralAction,
    ServiceReferralEvent,
    TeamCoverage,
    Urgency,
)
from .nhs_number import synthetic_numbers

PATIENT_COUNT = 60
TEAM = "Northfield Social Prescribing Team"
PRACTICES = {
    "Riverside Medical Practice": "referrer@demo.example",
    "Hillview Surgery": "referrer.b@demo.example",
}
GIVEN = ["Alys", "Bryn", "Carys", "Dilys", "Emrys", "Ffion", "Gethin", "Heledd", "Iolo", "Jac"]
FAMILY = ["Ashdown", "Bellweather", "Crowhurst", "Dunmore", "Elmswood", "Fairbrook"]
STATUS_CYCLE = [
    ReferralStatus.RECEIVED,
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.CLOSED,
    ReferralStatus.DECLINED,
    ReferralStatus.PATIENT_DECLINED,
]


@transaction.atomic
def seed(log) -> None:
    team = Organisation.objects.get(name=TEAM, kind="coordinator_team")
    for practice_name in PRACTICES:
        practice = Organisation.objects.get(name=practice_name, kind="gp_practice")
        TeamCoverage.objects.update_or_create(practice=practice, defaults={"team": team})
    numbers = list(itertools.islice(synthetic_numbers(999_100_000), PATIENT_COUNT))
    if Patient.objects.filter(nhs_number__in=numbers).count() >= PATIENT_COUNT:
        log("demo referrals already present")
        _seed_reminders(log)
        _seed_service_referrals(log, numbers)
        return
    rng = random.Random(4)  # noqa: S311 - invented data, not security
    coordinator = User.objects.get(email="coordinator@demo.example")
    manager = User.objects.get(email="manager@demo.example")
    now = timezone.now()
    for index, nhs_number in enumerate(numbers):
        if Patient.objects.filter(nhs_number=nhs_number).exists():
            continue
        practice_name, referrer_email = list(PRACTICES.items())[index % 2]
        practice = Organisation.objects.get(name=practice_name, kind="gp_practice")
        referrer = User.objects.get(email=referrer_email)
        received = services.receive_referral(
            referred_by=referrer,
            practice=practice,
            patient={
                "nhs_number": nhs_number,
                "given_name": GIVEN[index % len(GIVEN)],
                "family_name": FAMILY[index % len(FAMILY)],
                "date_of_birth": datetime.date(1940 + index % 60, 1 + index % 12, 1 + index % 28),
                "postcode": f"ZZ9 {index % 9}ZZ",
                "phone": f"07700 900{index:03d}",
                "preferred_contact_method": ContactMethod.PHONE,
                "consent_to_referral": True,
                "consent_to_share": index % 3 != 0,
                "consent_to_sms": index % 2 == 0,
            },
            referral={
                "reasons": sorted(rng.sample(NeedDomain.values, k=1 + index % 3)),
                "help_wanted": "Would like to get out more and meet people nearby.",
                "urgency": Urgency.URGENT if index % 7 == 0 else Urgency.ROUTINE,
                "risk_flag": index % 11 == 0,
                "risk_notes": "Lives alone; recent fall." if index % 11 == 0 else "",
            },
        )
        referral = received.referral
        target = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        days_ago = 2 + (index * 3) % 90
        _advance(referral, target, coordinator if index % 3 else manager, index, days_ago)
        _backdate(referral, now - datetime.timedelta(days=days_ago, hours=index % 9))
    log(f"{PATIENT_COUNT} patients with referrals in every status")
    _seed_service_referrals(log, numbers)
    _seed_reminders(log)


def _seed_reminders(log) -> None:
    """Run the referral-waiting sweep once, so the team sees reminders in its notification
    centre; the unique key makes a second run create nothing anyway."""
    from accounts.models import JobRun
    from accounts.services import run_sweep

    if JobRun.objects.filter(kind="referral_waiting").exists():
        return
    run = run_sweep(kind="referral_waiting", sweep=services.sweep_referral_waiting)
    log(f"{run.created_count} reminders about referrals waiting for triage")


def _advance(referral, target, coordinator, index, days_ago) -> None:
    if target == ReferralStatus.DECLINED:
        services.decline_referral(
            referral=referral, by=coordinator, reason=DeclineReason.NEEDS_CLINICAL_SERVICE
        )
        return
    if target == ReferralStatus.PATIENT_DECLINED:
        services.record_patient_declined(referral=referral, by=coordinator, note="Changed mind.")
        return
    if target == ReferralStatus.RECEIVED:
        return
    services.accept_referral(referral=referral, by=coordinator)
    if target == ReferralStatus.ACCEPTED:
        return
    services.record_first_contact(
        referral=referral,
        by=coordinator,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
        note="Talked through what matters to them.",
    )
    if target == ReferralStatus.CLOSED:
        services.close_referral(
            referral=referral,
            by=coordinator,
            outcome=[ClosureOutcome.GOALS_MET, ClosureOutcome.GOALS_PARTLY_MET][index % 2],
            summary="Joined a weekly walking group and a lunch club.",
        )


def _backdate(referral, received_at) -> None:
    """Spread the demo over three months so waiting times mean something."""
    referral.refresh_from_db()
    shift = referral.received_at - received_at
    changes = {
        name: getattr(referral, name) - shift
        for name in ("received_at", "accepted_at", "first_contact_at", "closed_at")
        if getattr(referral, name)
    }
    Referral.objects.filter(pk=referral.pk).update(**changes)
    for event in ReferralEvent.objects.filter(referral=referral):
        ReferralEvent.objects.filter(pk=event.pk).update(occurred_at=event.occurred_at - shift)


# Onward referrals: (status, days since sent, Friendship Circle Trust service?) – every status,
# some waiting a long time for an answer.
ONWARD = [
    ("sent", 41, True),
    ("sent", 3, True),
    ("no_response", 30, False),
    ("accepted", 20, True),
    ("declined", 15, False),
    ("attended", 25, True),
    ("did_not_attend", 18, False),
    ("completed", 60, True),
    ("withdrawn", 12, False),
    ("sent", 19, False),
]
_A = ServiceReferralAction
_ONWARD_STEPS = {
    "sent": [],
    "no_response": [_A.NO_RESPONSE],
    "accepted": [_A.ACCEPT],
    "declined": [_A.DECLINE],
    "attended": [_A.ACCEPT, _A.ATTENDED],
    "did_not_attend": [_A.ACCEPT, _A.DID_NOT_ATTEND],
    "completed": [_A.ACCEPT, _A.ATTENDED, _A.COMPLETED],
    "withdrawn": [_A.WITHDRAW],
}


def _seed_service_referrals(log, numbers) -> None:
    if ServiceReferral.objects.filter(referral__patient__nhs_number__in=numbers).exists():
        log("demo onward referrals already present")
        return
    cases = list(
        Referral.objects.open_cases()
        .filter(patient__nhs_number__in=numbers, patient__consent_to_share=True)
        .order_by("id")[: len(ONWARD)]
    )
    referable = Service.objects.referable().select_related("provider").order_by("name")
    friendship = [s for s in referable if s.provider.name == "Friendship Circle Trust"]
    others = [s for s in referable if s.provider.name != "Friendship Circle Trust"]
    if not cases or not friendship or not others:
        log("no demo onward referrals: no open cases or referable services")
        return
    provider = User.objects.get(email="provider@demo.example")
    now = timezone.now()
    for index, (case, (status, days, own)) in enumerate(zip(cases, ONWARD, strict=False)):
        service = (friendship if own else others)[index % len(friendship if own else others)]
        coordinator = case.assigned_to or User.objects.get(email="coordinator@demo.example")
        onward = services.create_service_referral(
            referral=case,
            service=service,
            by=coordinator,
            provider_needs_to_know="Would like to meet people nearby; prefers mornings.",
        )
        for step in _ONWARD_STEPS[status]:
            if step == _A.NO_RESPONSE:
                services.mark_no_response(service_referral=onward)
            elif step == _A.WITHDRAW:
                services.withdraw_service_referral(
                    service_referral=onward, by=coordinator, note="Patient moved away."
                )
            else:
                services.answer_service_referral(
                    action=step,
                    service_referral=onward,
                    by=provider if own else coordinator,
                    reason="no_capacity" if step == _A.DECLINE else "",
                )
        _backdate_onward(onward, now - datetime.timedelta(days=days))
    log(f"{len(cases)} onward referrals to community services in every status")


def _backdate_onward(onward, sent_at) -> None:
    onward.refresh_from_db()
    shift = onward.sent_at - sent_at
    stamps = ["sent_at", *ServiceReferral.STATE_TIMESTAMPS.values()]
    changes = {name: getattr(onward, name) - shift for name in stamps if getattr(onward, name)}
    ServiceReferral.objects.filter(pk=onward.pk).update(**changes)
    for event in ServiceReferralEvent.objects.filter(service_referral=onward):
        ServiceReferralEvent.objects.filter(pk=event.pk).update(
            occurred_at=event.occurred_at - shift
        )
    onward.links.update(issued_at=sent_at, expires_at=sent_at + provider_links.max_age())
