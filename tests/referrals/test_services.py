import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Reminder
from accounts.services import deliver_reminder
from referrals import services
from referrals.errors import (
    IllegalTransition,
    NoTeamServesPractice,
    NotInReceivingTeam,
    ReferralAlreadyTaken,
)
from referrals.models import Patient, Referral, ReferralEvent
from tests.factories import OrganisationFactory
from tests.referrals.conftest import patient_payload
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _receive(referrer, practice, **patient):
    return services.receive_referral(
        referred_by=referrer,
        practice=practice,
        patient={**patient_payload(date_of_birth=datetime.date(1961, 5, 17)), **patient},
        referral={"reasons": ["loneliness"], "help_wanted": "Company", "urgency": "routine"},
    )


def _events(referral):
    return list(
        ReferralEvent.objects.filter(referral=referral).values_list("from_status", "to_status")
    )


# --- Intake and patient matching


def test_receiving_a_referral_routes_it_to_the_team_serving_the_practice(
    referrer_a, practice_a, team_x
):
    received = _receive(referrer_a, practice_a)
    referral = received.referral
    assert received.patient_created
    assert (referral.status, referral.team, referral.received_at is not None) == (
        "received",
        team_x,
        True,
    )
    assert _events(referral) == [("", "received")]
    assert referral.reference.startswith("SP-")


def test_a_patient_is_matched_by_nhs_number_and_never_duplicated(
    referrer_a, referrer_b, practice_a, practice_b
):
    """The second practice's referral links to the record and changes nothing on it: the record
    is the first practice's, and a referral's say-so must not overwrite its phone or practice."""
    first = _receive(referrer_a, practice_a, nhs_number="943 476 5919", phone="07700 900001")
    second = _receive(referrer_b, practice_b, nhs_number="9434765919", phone="07700 900002")
    assert not second.patient_created
    assert second.referral.patient_id == first.referral.patient_id
    assert Patient.objects.count() == 1
    patient = Patient.objects.get()
    assert (patient.phone, patient.registered_practice) == ("07700 900001", practice_a)
    assert second.referral.patient_details.phone == "07700 900002"


def test_each_consent_records_who_recorded_it_and_when(referrer_a, practice_a):
    patient = _receive(
        referrer_a, practice_a, consent_to_sms=True, consent_to_email=False
    ).referral.patient
    assert patient.consent_to_referral and patient.consent_to_sms and not patient.consent_to_email
    assert patient.consent_to_sms_recorded_by == referrer_a
    assert patient.consent_to_sms_recorded_at is not None
    assert patient.consent_to_email_recorded_by == referrer_a


def test_a_referral_without_consent_is_refused_and_nothing_is_written(referrer_a, practice_a):
    with pytest.raises(ValidationError):
        _receive(referrer_a, practice_a, consent_to_referral=False)
    assert not Patient.objects.exists() and not Referral.objects.exists()


def test_a_practice_no_team_serves_cannot_refer(referrer_a):
    lonely = OrganisationFactory(name="Unserved Practice", kind="gp_practice")
    with pytest.raises(NoTeamServesPractice):
        _receive(referrer_a, lonely)


def test_intake_writes_audit_events_for_patient_and_referral(referrer_a, practice_a):
    referral = _receive(referrer_a, practice_a).referral
    actions = set(
        AuditEvent.objects.filter(patient_id=str(referral.patient_id)).values_list(
            "object_type", "action"
        )
    )
    assert actions == {("patient", "create"), ("referral", "create")}


# --- Legal transitions


def test_accept_assigns_a_colleague_and_stamps_the_time(referral_a, coordinator_x, manager):
    services.accept_referral(referral=referral_a, by=manager, assign_to=coordinator_x)
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.assigned_to) == ("accepted", coordinator_x)
    assert referral_a.accepted_at is not None
    assert _events(referral_a)[-1] == ("received", "accepted")
    assert ReferralEvent.objects.filter(referral=referral_a).last().actor == manager


def test_accept_assigns_to_oneself_by_default(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    referral_a.refresh_from_db()
    assert referral_a.assigned_to == coordinator_x


def test_decline_keeps_the_reason(referral_a, coordinator_x):
    services.decline_referral(
        referral=referral_a, by=coordinator_x, reason="needs_clinical_service", note="See GP"
    )
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.decline_reason) == ("declined", "needs_clinical_service")
    assert referral_a.closed_at is not None
    assert _events(referral_a)[-1] == ("received", "declined")


def test_first_contact_moves_an_accepted_referral_into_progress(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.first_contact_method) == ("in_progress", "phone")
    assert referral_a.first_contact_at.date() <= timezone.localdate()
    assert _events(referral_a)[-1] == ("accepted", "in_progress")


def test_first_contact_cannot_be_in_the_future(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    with pytest.raises(ValidationError) as error:
        services.record_first_contact(
            referral=referral_a,
            by=coordinator_x,
            contacted_on=timezone.localdate() + datetime.timedelta(days=1),
            method="phone",
        )
    assert "contacted_on" in error.value.message_dict


def test_unable_to_contact_closes_an_accepted_referral_with_that_outcome(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_unable_to_contact(referral=referral_a, by=coordinator_x, attempts=3)
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.outcome, referral_a.contact_attempts) == (
        "closed",
        "unable_to_contact",
        3,
    )


def test_close_records_the_outcome_and_summary(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="sms"
    )
    services.close_referral(
        referral=referral_a, by=coordinator_x, outcome="goals_met", summary="Joined a choir."
    )
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.outcome, referral_a.outcome_summary) == (
        "closed",
        "goals_met",
        "Joined a choir.",
    )
    assert referral_a.closed_at is not None
    assert [to for _, to in _events(referral_a)] == [
        "received",
        "accepted",
        "in_progress",
        "closed",
    ]


@pytest.mark.parametrize("accept_first", [False, True])
def test_a_patient_can_decline_a_received_or_accepted_referral(
    referral_a, coordinator_x, accept_first
):
    if accept_first:
        services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_patient_declined(referral=referral_a, by=coordinator_x, note="No thanks")
    referral_a.refresh_from_db()
    assert referral_a.status == "patient_declined"


def test_the_referring_practice_can_record_that_the_patient_declined(referral_a, referrer_a):
    services.record_patient_declined(referral=referral_a, by=referrer_a)
    referral_a.refresh_from_db()
    assert referral_a.status == "patient_declined"


# --- Illegal transitions

ILLEGAL = [
    # (state reached first, the refused step)
    ("accepted", "decline"),
    ("accepted", "close"),
    ("received", "first_contact"),
    ("received", "close"),
    ("received", "unable_to_contact"),
    ("in_progress", "accept"),
    ("in_progress", "first_contact"),
    ("in_progress", "patient_declined"),
    ("in_progress", "unable_to_contact"),
    ("declined", "accept"),
    ("declined", "patient_declined"),
    ("closed", "close"),
    ("closed", "accept"),
    ("patient_declined", "accept"),
    ("patient_declined", "decline"),
]


def _reach(referral, state, by):
    steps = {
        "received": [],
        "accepted": ["accept"],
        "in_progress": ["accept", "first_contact"],
        "closed": ["accept", "first_contact", "close"],
        "declined": ["decline"],
        "patient_declined": ["patient_declined"],
    }[state]
    for step in steps:
        _do(referral, step, by)


def _do(referral, step, by):
    today = timezone.localdate()
    {
        "accept": lambda: services.accept_referral(referral=referral, by=by),
        "decline": lambda: services.decline_referral(
            referral=referral, by=by, reason="other", note="x"
        ),
        "first_contact": lambda: services.record_first_contact(
            referral=referral, by=by, contacted_on=today, method="phone"
        ),
        "unable_to_contact": lambda: services.record_unable_to_contact(
            referral=referral, by=by, attempts=2
        ),
        "close": lambda: services.close_referral(referral=referral, by=by, outcome="goals_met"),
        "patient_declined": lambda: services.record_patient_declined(referral=referral, by=by),
    }[step]()


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(
    referral_a, coordinator_x, state, step
):
    _reach(referral_a, state, coordinator_x)
    events_before = ReferralEvent.objects.filter(referral=referral_a).count()
    with pytest.raises(IllegalTransition):
        _do(referral_a, step, coordinator_x)
    referral_a.refresh_from_db()
    assert referral_a.status == state
    assert ReferralEvent.objects.filter(referral=referral_a).count() == events_before


def test_accepting_a_referral_already_taken_names_who_has_it(referral_a, coordinator_x, manager):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    with pytest.raises(ReferralAlreadyTaken, match="already accepted.*Cass"):
        services.accept_referral(referral=referral_a, by=manager)


def test_another_team_cannot_triage_the_referral(referral_a, coordinator_y):
    with pytest.raises(NotInReceivingTeam):
        services.accept_referral(referral=referral_a, by=coordinator_y)
    referral_a.refresh_from_db()
    assert referral_a.status == "received"


def test_a_referral_cannot_be_assigned_outside_the_team(referral_a, coordinator_x, coordinator_y):
    with pytest.raises(ValidationError):
        services.accept_referral(referral=referral_a, by=coordinator_x, assign_to=coordinator_y)


def test_every_change_writes_an_audit_event(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    actions = list(
        AuditEvent.objects.filter(object_type="referral", object_id=str(referral_a.pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("accept", coordinator_x.pk), ("first_contact", coordinator_x.pk)]


# --- Telling the referrer


@pytest.mark.parametrize(
    ("steps", "verb"),
    [
        (["accept"], "referral_accepted"),
        (["decline"], "referral_declined"),
        (["accept", "first_contact", "close"], "referral_closed"),
        (["accept", "unable_to_contact"], "referral_closed"),
    ],
)
def test_the_referrer_is_emailed_after_commit_and_notified_in_the_app(
    referral_a,
    referrer_a,
    coordinator_x,
    eager_celery,
    django_capture_on_commit_callbacks,
    steps,
    verb,
):
    with django_capture_on_commit_callbacks(execute=True):
        for step in steps:
            _do(referral_a, step, coordinator_x)
    notice = Notification.objects.get(recipient=referrer_a, verb=verb)
    assert referral_a.reference in notice.message
    assert notice.link == f"/referrals/{referral_a.reference}/"
    assert {tuple(m.to) for m in mail.outbox} == {(referrer_a.email,)}
    assert len(mail.outbox) == Notification.objects.filter(recipient=referrer_a).count()
    # The email says only that the referral changed (test_referrer_email.py); the status is
    # in the in-app notice.
    assert mail.outbox[-1].subject.endswith("has been updated")
    assert verb.removeprefix("referral_") in notice.message
    assert referral_a.reference in mail.outbox[-1].subject


def test_no_email_is_enqueued_before_the_transaction_commits(
    referral_a, coordinator_x, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.accept_referral(referral=referral_a, by=coordinator_x)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_email_for_one_change_is_sent_once_even_when_the_task_runs_twice(
    referral_a, coordinator_x
):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    event = ReferralEvent.objects.filter(referral=referral_a, to_status="accepted").get()
    reminder = Reminder.objects.get(kind="referral_updated", target_id=event.pk)
    assert deliver_reminder(reminder_id=reminder.pk).status == "sent"
    assert deliver_reminder(reminder_id=reminder.pk).status == "not_claimable"
    assert len(mail.outbox) == 1


def test_first_contact_and_patient_declined_do_not_notify_the_referrer(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    assert list(Notification.objects.values_list("verb", flat=True)) == ["referral_accepted"]


def test_a_patient_with_another_open_referral_is_flagged_to_the_team_and_one_without_is_not(
    referral_a, coordinator_x
):
    from referrals.selectors import other_open_referrals

    again = ReferralFactory(
        patient=referral_a.patient,
        referring_practice=referral_a.referring_practice,
        referred_by=referral_a.referred_by,
        team=referral_a.team,
    )
    flagged = other_open_referrals(coordinator_x, again)
    assert [r.reference for r in flagged.ours] == [referral_a.reference] and flagged
    assert not other_open_referrals(coordinator_x, ReferralFactory(team=referral_a.team))
