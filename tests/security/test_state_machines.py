"""Property tests: random sequences of transition calls on each state machine never reach an
invalid state, move only along the machine's edges, and raise nothing but the domain error (or
a field error). Each example runs in a transaction that is rolled back."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import DomainError
from community_services import services as vetting
from community_services.models import (
    VETTING_MACHINE,
    Service,
    ServiceStatus,
    ServiceStatusChange,
    VettingAction,
)
from coordinators import services as casework
from coordinators.models import REVIEW_MACHINE, Review, ReviewAction, ReviewMode, ReviewStatus
from referrals import services as referrals
from referrals.models import (
    REFERRAL_MACHINE,
    SERVICE_REFERRAL_MACHINE,
    Referral,
    ReferralAction,
    ReferralEvent,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralAction,
    ServiceReferralEvent,
    ServiceReferralStatus,
)
from tests.community_services.conftest import FULL_CHECKLIST
from tests.community_services.factories import ApprovedServiceFactory, ServiceFactory
from tests.conftest import _member
from tests.coordinators.conftest import open_case
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

SEQUENCES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class _RolledBack(Exception):
    pass


def in_rolled_back_transaction(body: Callable[[], None]) -> None:
    try:
        with transaction.atomic():
            body()
            raise _RolledBack
    except _RolledBack:
        pass


def apply(action: Callable[..., object], *args) -> bool:
    """Run one transition; True when it happened, False when the domain refused it."""
    try:
        action(*args)
    except (DomainError, ValidationError):
        return False
    return True


# --- Referral: received → accepted → in progress → closed; declined; patient declined

R = ReferralStatus
RA = ReferralAction
REFERRAL_EDGES = {
    RA.ACCEPT: ({R.RECEIVED}, R.ACCEPTED),
    RA.DECLINE: ({R.RECEIVED}, R.DECLINED),
    RA.FIRST_CONTACT: ({R.ACCEPTED}, R.IN_PROGRESS),
    RA.UNABLE_TO_CONTACT: ({R.ACCEPTED}, R.CLOSED),
    RA.CLOSE: ({R.IN_PROGRESS}, R.CLOSED),
    RA.PATIENT_DECLINED: ({R.RECEIVED, R.ACCEPTED}, R.PATIENT_DECLINED),
}


def test_random_referral_transitions_follow_the_status_machine(
    practice_a, referrer_a, team_x, coordinator_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    by = coordinator_x
    calls = {
        RA.ACCEPT: lambda r: referrals.accept_referral(referral=r, by=by),
        RA.DECLINE: lambda r: referrals.decline_referral(
            referral=r, by=by, reason="not_eligible", note="Not for us."
        ),
        RA.FIRST_CONTACT: lambda r: referrals.record_first_contact(
            referral=r, by=by, contacted_on=timezone.localdate(), method="phone"
        ),
        RA.UNABLE_TO_CONTACT: lambda r: referrals.record_unable_to_contact(
            referral=r, by=by, attempts=3
        ),
        RA.CLOSE: lambda r: referrals.close_referral(
            referral=r, by=by, outcome="goals_met", summary="Done."
        ),
        RA.PATIENT_DECLINED: lambda r: referrals.record_patient_declined(referral=r, by=by),
    }

    @SEQUENCES
    @given(st.lists(st.sampled_from(sorted(calls)), max_size=8))
    def run(steps):
        def body():
            referral = ReferralFactory(
                referring_practice=practice_a, referred_by=referrer_a, team=team_x
            )
            moves = 0
            for step in steps:
                before = Referral.objects.get(pk=referral.pk).status
                allowed_from, to = REFERRAL_EDGES[step]
                happened = apply(calls[step], Referral.objects.get(pk=referral.pk))
                after = Referral.objects.get(pk=referral.pk).status
                assert happened == (before in allowed_from), (step, before)
                assert after == (to if happened else before)
                moves += happened
            assert ReferralEvent.objects.filter(referral=referral).count() == 1 + moves

        in_rolled_back_transaction(body)

    run()


# --- Onward referral: sent → accepted/declined → attended/did not attend → completed; withdrawn

S = ServiceReferralStatus
SA = ServiceReferralAction
AWAITING = {S.SENT, S.NO_RESPONSE}
SERVICE_REFERRAL_EDGES = {
    SA.ACCEPT: (AWAITING, S.ACCEPTED),
    SA.DECLINE: (AWAITING, S.DECLINED),
    SA.ATTENDED: ({S.ACCEPTED}, S.ATTENDED),
    SA.DID_NOT_ATTEND: ({S.ACCEPTED}, S.DID_NOT_ATTEND),
    SA.COMPLETED: ({S.ATTENDED}, S.COMPLETED),
    SA.WITHDRAW: ({*AWAITING, S.ACCEPTED, S.ATTENDED}, S.WITHDRAWN),
    SA.NO_RESPONSE: ({S.SENT}, S.NO_RESPONSE),
}


def test_random_onward_referral_transitions_follow_the_status_machine(
    practice_a, referrer_a, team_x, coordinator_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    by = coordinator_x
    calls = {
        SA.ACCEPT: lambda s: referrals.accept_service_referral(service_referral=s, by=by),
        SA.DECLINE: lambda s: referrals.decline_service_referral(
            service_referral=s, by=by, reason="no_capacity", note="Full."
        ),
        SA.ATTENDED: lambda s: referrals.record_service_attended(service_referral=s, by=by),
        SA.DID_NOT_ATTEND: lambda s: referrals.record_service_did_not_attend(
            service_referral=s, by=by
        ),
        SA.COMPLETED: lambda s: referrals.complete_service_referral(service_referral=s, by=by),
        SA.WITHDRAW: lambda s: referrals.withdraw_service_referral(service_referral=s, by=by),
        SA.NO_RESPONSE: lambda s: referrals.mark_no_response(service_referral=s),
    }
    case = open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=by)
    case.patient.consent_to_share = True
    case.patient.save(update_fields=["consent_to_share"])

    @SEQUENCES
    @given(st.lists(st.sampled_from(sorted(calls)), max_size=8))
    def run(steps):
        def body():
            sent = referrals.create_service_referral(
                referral=case,
                service=ApprovedServiceFactory(),
                by=by,
                provider_needs_to_know="Likes lunch.",
            )
            moves = 0
            for step in steps:
                before = ServiceReferral.objects.get(pk=sent.pk).status
                allowed_from, to = SERVICE_REFERRAL_EDGES[step]
                happened = apply(calls[step], ServiceReferral.objects.get(pk=sent.pk))
                after = ServiceReferral.objects.get(pk=sent.pk).status
                assert happened == (before in allowed_from), (step, before)
                assert after == (to if happened else before)
                moves += happened
            assert ServiceReferralEvent.objects.filter(service_referral=sent).count() == 1 + moves

        in_rolled_back_transaction(body)

    run()


# --- Vetting: draft → submitted → approved/rejected; approved ↔ suspended; approved → expired

V = ServiceStatus
VA = VettingAction
VETTING_EDGES = {
    (V.DRAFT, V.SUBMITTED),
    (V.REJECTED, V.SUBMITTED),
    (V.EXPIRED, V.SUBMITTED),
    (V.SUSPENDED, V.SUBMITTED),
    (V.SUBMITTED, V.APPROVED),
    (V.SUBMITTED, V.REJECTED),
    (V.APPROVED, V.SUSPENDED),
    (V.SUSPENDED, V.APPROVED),
    (V.APPROVED, V.EXPIRED),
    (V.APPROVED, V.APPROVED),  # renewal: the checklist again before it lapses
}


def test_random_vetting_decisions_follow_the_vetting_machine(vetter, directory_team):
    checker = _member("vetter.two@test.example", directory_team, "vetter", first_name="Val")
    insured = timezone.localdate() + datetime.timedelta(days=500)
    lapsed = timezone.localdate() + datetime.timedelta(days=5000)
    calls = {
        VA.SUBMIT: lambda s: vetting.submit_service(by=vetter, service=s),
        VA.APPROVE: lambda s: vetting.approve_service(
            by=checker,
            service=s,
            checklist=dict(FULL_CHECKLIST),
            insurance_expires_on=insured,
        ),
        VA.REJECT: lambda s: vetting.reject_service(by=checker, service=s, reason="No DBS."),
        VA.SUSPEND: lambda s: vetting.suspend_service(by=checker, service=s, reason="Concern."),
        VA.REINSTATE: lambda s: vetting.reinstate_service(by=checker, service=s),
        VA.EXPIRE: lambda s: vetting.expire_service(service=s, on=lapsed),
    }

    @SEQUENCES
    @given(st.lists(st.sampled_from(sorted(calls)), max_size=8))
    def run(steps):
        def body():
            service = ServiceFactory(last_edited_by=vetter)
            moves = 0
            for step in steps:
                before = Service.objects.get(pk=service.pk).status
                happened = apply(calls[step], Service.objects.get(pk=service.pk))
                after = Service.objects.get(pk=service.pk).status
                assert after in V.values
                if happened:
                    assert (before, after) in VETTING_EDGES, (step, before, after)
                    moves += 1
                else:
                    assert after == before
            assert ServiceStatusChange.objects.filter(service=service).count() == moves

        in_rolled_back_transaction(body)

    run()


# --- Reviews: scheduled → completed / missed / cancelled, one scheduled at a time

FINAL_REVIEW_STATUSES = {ReviewStatus.COMPLETED, ReviewStatus.MISSED, ReviewStatus.CANCELLED}


def test_random_review_actions_follow_the_review_life_cycle(
    practice_a, referrer_a, team_x, coordinator_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    by = coordinator_x
    soon = timezone.now() + datetime.timedelta(days=7)
    later = timezone.now() + datetime.timedelta(days=49)
    calls = {
        "schedule": lambda case, review: casework.schedule_review(
            case=case, by=by, scheduled_for=soon, mode=ReviewMode.PHONE
        ),
        ReviewAction.RESCHEDULE: lambda case, review: casework.reschedule_review(
            review=review, by=by, scheduled_for=later, mode=ReviewMode.IN_PERSON
        ),
        ReviewAction.CANCEL: lambda case, review: casework.cancel_review(review=review, by=by),
        ReviewAction.MISSED: lambda case, review: casework.mark_review_missed(review=review, by=by),
        ReviewAction.RECORD: lambda case, review: casework.record_review(
            review=review,
            by=by,
            notes="Going well.",
            ratings=[],
            continue_case=True,
            next_review_at=later,
            next_mode=ReviewMode.PHONE,
        ),
        "record and stop": lambda case, review: casework.record_review(
            review=review, by=by, notes="Ready to close.", ratings=[], continue_case=False
        ),
    }
    case = open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=by)

    @SEQUENCES
    @given(st.lists(st.sampled_from(sorted(calls)), min_size=1, max_size=8))
    def run(steps):
        def body():
            for step in steps:
                before = {r.pk: r.status for r in Review.objects.filter(referral=case)}
                latest = Review.objects.filter(referral=case).order_by("-pk").first()
                if latest is None and step != "schedule":
                    continue
                apply(calls[step], Referral.objects.get(pk=case.pk), latest)
                after = {r.pk: r.status for r in Review.objects.filter(referral=case)}
                assert set(after.values()) <= set(ReviewStatus.values)
                assert list(after.values()).count(ReviewStatus.SCHEDULED) <= 1
                # The caseload's stored next review is the scheduled one's time, or none.
                scheduled = Review.objects.filter(referral=case, status=ReviewStatus.SCHEDULED)
                assert Referral.objects.get(pk=case.pk).next_review_at == (
                    scheduled.values_list("scheduled_for", flat=True).first()
                ), step
                for pk, status in before.items():
                    if status in FINAL_REVIEW_STATUSES:
                        assert after[pk] == status, (step, pk)

        in_rolled_back_transaction(body)

    run()


def test_the_tables_the_services_read_are_the_machines_these_walks_check():
    def as_edges(machine):
        return {a: (set(t.from_states), t.to_state) for a, t in machine.transitions.items()}

    assert as_edges(REFERRAL_MACHINE) == REFERRAL_EDGES
    assert as_edges(SERVICE_REFERRAL_MACHINE) == SERVICE_REFERRAL_EDGES
    assert VETTING_MACHINE.edges() == VETTING_EDGES
    assert {to for _, to in REVIEW_MACHINE.edges()} - {ReviewStatus.SCHEDULED} == (
        FINAL_REVIEW_STATUSES
    )


pytestmark = pytest.mark.postgres
