"""Onward referrals: creation rules and every transition, from the coordinator, the signed
link and the provider login alike."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Reminder
from accounts.services import deliver_reminder
from community_services.models import Capacity
from referrals import provider_links, services
from referrals.errors import (
    AlreadyReferredToService,
    IllegalTransition,
    LinkStillValid,
    NoConsentToShare,
    NotForThisProvider,
    NotInReceivingTeam,
    ServiceNotReferable,
)
from referrals.models import ProviderLink, ServiceReferral, ServiceReferralStatus
from referrals.selectors import onward_referrals_awaiting_answer
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

NEEDS = "Would like company at lunch."


def _create(referral, service, by):
    return services.create_service_referral(
        referral=referral, service=service, by=by, provider_needs_to_know=NEEDS
    )


# --- Creation rules


def test_a_coordinator_refers_a_consenting_patient_on_and_the_provider_is_emailed_a_link(
    case_a,
    provider_service,
    coordinator_x,
    mailoutbox,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        created = _create(case_a, provider_service, coordinator_x)
    assert (created.status, created.referred_by) == ("sent", coordinator_x)
    assert created.events.get().to_status == "sent"
    link = created.links.get()
    assert link.recipient_email == "referrals@lunch.example"
    assert Reminder.objects.get(kind="provider_link", target_id=link.pk).status == "sent"
    assert link.expires_at - link.issued_at == datetime.timedelta(days=14)
    [email] = mailoutbox
    assert email.to == ["referrals@lunch.example"]
    assert "/respond/" in email.body and "Tuesday Lunch Club" in email.subject
    assert case_a.patient.family_name not in email.body  # no patient details by email
    assert AuditEvent.objects.filter(
        action="create", object_type="service_referral", object_id=str(created.pk)
    ).exists()


def test_a_link_is_emailed_only_once_even_if_the_task_runs_again(service_referral, mailoutbox):
    link = service_referral.links.get()
    reminder = Reminder.objects.get(kind="provider_link", target_id=link.pk)
    assert deliver_reminder(reminder_id=reminder.pk).status == "sent"
    assert deliver_reminder(reminder_id=reminder.pk).status == "not_claimable"
    assert len(mailoutbox) == 1


def test_a_link_that_has_expired_by_the_time_its_email_goes_is_not_sent(
    service_referral, mailoutbox
):
    link = service_referral.links.get()
    reminder = Reminder.objects.get(kind="provider_link", target_id=link.pk)
    with time_machine.travel(link.expires_at + datetime.timedelta(minutes=1)):
        assert deliver_reminder(reminder_id=reminder.pk).status == "stale"
    assert mailoutbox == []
    reminder.refresh_from_db()
    assert reminder.status == "skipped" and "out of date" in reminder.last_error


def test_referring_on_without_consent_to_share_is_refused_with_how_to_record_it(
    case_a, provider_service, coordinator_x
):
    case_a.patient.consent_to_share = False
    case_a.patient.save()
    with pytest.raises(NoConsentToShare, match="has not consented.*record their consent"):
        _create(case_a, provider_service, coordinator_x)
    assert not ServiceReferral.objects.exists()


def test_recording_consent_to_share_keeps_who_and_when_and_is_audited(case_a, coordinator_x):
    case_a.patient.consent_to_share = False
    case_a.patient.save()
    patient = services.record_consent_to_share(referral=case_a, by=coordinator_x, given=True)
    assert patient.consent_to_share and patient.consent_to_share_recorded_by == coordinator_x
    assert patient.consent_to_share_recorded_at is not None
    assert AuditEvent.objects.filter(
        action="update", object_type="patient", detail__startswith="consent_to_share: yes"
    ).exists()


def test_referring_to_a_paused_service_is_refused(case_a, provider_service, coordinator_x):
    provider_service.capacity = Capacity.PAUSED
    provider_service.save()
    with pytest.raises(ServiceNotReferable, match="paused"):
        _create(case_a, provider_service, coordinator_x)


def test_referring_to_a_service_whose_vetting_lapsed_is_refused(
    case_a, provider_service, coordinator_x
):
    provider_service.vetted_until = timezone.localdate() - datetime.timedelta(days=1)
    provider_service.save()
    with pytest.raises(ServiceNotReferable, match="vetting is not current"):
        _create(case_a, provider_service, coordinator_x)


def test_a_waiting_list_service_can_be_chosen(case_a, provider_service, coordinator_x):
    provider_service.capacity = Capacity.WAITING_LIST
    provider_service.expected_wait_weeks = 6
    provider_service.save()
    assert _create(case_a, provider_service, coordinator_x).status == "sent"


def test_a_received_referral_cannot_be_referred_on(referral_a, provider_service, coordinator_x):
    referral_a.patient.consent_to_share = True
    referral_a.patient.save()
    with pytest.raises(IllegalTransition, match="cannot be referred on"):
        _create(referral_a, provider_service, coordinator_x)


def test_only_the_cases_team_can_refer_on(case_a, provider_service, coordinator_y):
    with pytest.raises(NotInReceivingTeam):
        _create(case_a, provider_service, coordinator_y)


def test_the_provider_must_be_told_something_and_a_second_open_referral_is_refused(
    case_a, provider_service, coordinator_x
):
    with pytest.raises(ValidationError):
        services.create_service_referral(
            referral=case_a, service=provider_service, by=coordinator_x, provider_needs_to_know=" "
        )
    _create(case_a, provider_service, coordinator_x)
    with pytest.raises(AlreadyReferredToService):
        _create(case_a, provider_service, coordinator_x)


# --- Transitions from the three actors


@pytest.fixture
def as_actor(request, coordinator_x, provider):
    """Answer as the coordinator (recording it), through the emailed link, or as a provider user."""

    def _answer(service_referral, action, **extra):
        actor = request.param
        kwargs = {"by": coordinator_x} if actor == "coordinator" else {"by": provider}
        if actor == "link":
            kwargs = {"link": service_referral.links.order_by("-id").first()}
        return services.answer_service_referral(
            action=action, service_referral=service_referral, **kwargs, **extra
        )

    _answer.actor = request.param
    return _answer


ACTORS = ["coordinator", "link", "provider"]


@pytest.mark.parametrize("as_actor", ACTORS, indirect=True)
def test_accept_then_attended_then_completed_works_for_every_actor(
    service_referral, as_actor, coordinator_x
):
    for action, status, stamp in [
        ("accept", "accepted", "accepted_at"),
        ("attended", "attended", "attended_at"),
        ("completed", "completed", "completed_at"),
    ]:
        changed = as_actor(service_referral, action, note=f"{action} note")
        assert changed.status == status and getattr(changed, stamp) is not None
    events = list(service_referral.events.all())
    assert [e.to_status for e in events] == ["sent", "accepted", "attended", "completed"]
    last = events[-1]
    assert (last.from_status, last.note) == ("attended", "completed note")
    if as_actor.actor == "link":
        assert last.link is not None and last.actor is None
    else:
        assert last.link is None and last.actor is not None
    audits = AuditEvent.objects.filter(
        object_type="service_referral", object_id=str(service_referral.pk)
    )
    assert {"accept", "attended", "completed"} <= set(audits.values_list("action", flat=True))
    notified = Notification.objects.filter(recipient=coordinator_x).exists()
    assert notified == (as_actor.actor != "coordinator")  # the provider's answers reach the case


@pytest.mark.parametrize("as_actor", ACTORS, indirect=True)
def test_decline_with_a_reason_works_for_every_actor(service_referral, as_actor):
    changed = as_actor(service_referral, "decline", reason="no_capacity", note="Full until May.")
    assert (changed.status, changed.decline_reason) == ("declined", "no_capacity")
    assert changed.declined_at is not None


@pytest.mark.parametrize("as_actor", ACTORS, indirect=True)
def test_did_not_attend_after_accepting_works_for_every_actor(service_referral, as_actor):
    as_actor(service_referral, "accept")
    changed = as_actor(service_referral, "did_not_attend")
    assert changed.status == "did_not_attend" and changed.did_not_attend_at is not None


ILLEGAL = [
    ([], "attended"),
    ([], "did_not_attend"),
    ([], "completed"),
    (["accept"], "accept"),
    (["accept"], "completed"),
    (["accept", "attended"], "did_not_attend"),
    (["accept", "attended", "completed"], "accept"),
    (["accept", "did_not_attend"], "attended"),
]


@pytest.mark.parametrize("as_actor", ACTORS, indirect=True)
@pytest.mark.parametrize(("before", "illegal"), ILLEGAL)
def test_illegal_answers_are_refused_for_every_actor(service_referral, as_actor, before, illegal):
    for action in before:
        as_actor(service_referral, action)
    status = ServiceReferral.objects.get(pk=service_referral.pk).status
    with pytest.raises(IllegalTransition):
        as_actor(service_referral, illegal)
    assert ServiceReferral.objects.get(pk=service_referral.pk).status == status


@pytest.mark.parametrize("as_actor", ACTORS, indirect=True)
def test_an_answer_after_declining_is_refused_for_every_actor(service_referral, as_actor):
    as_actor(service_referral, "decline", reason="not_eligible")
    with pytest.raises(IllegalTransition):
        as_actor(service_referral, "accept")


def test_declining_needs_a_reason_and_other_needs_a_note(service_referral, provider):
    with pytest.raises(ValidationError):
        services.decline_service_referral(
            service_referral=service_referral, by=provider, reason="busy"
        )
    with pytest.raises(ValidationError):
        services.decline_service_referral(
            service_referral=service_referral, by=provider, reason="other", note=""
        )
    assert ServiceReferral.objects.get().status == "sent"


@pytest.mark.parametrize("steps", [[], ["accept"], ["accept", "attended"], ["no_response"]])
def test_the_coordinator_withdraws_at_any_open_point(
    service_referral, coordinator_x, provider, steps
):
    for step in steps:
        if step == "no_response":
            services.mark_no_response(service_referral=service_referral)
        else:
            services.answer_service_referral(
                action=step, service_referral=service_referral, by=provider
            )
    withdrawn = services.withdraw_service_referral(
        service_referral=service_referral, by=coordinator_x, note="Patient moved away."
    )
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_at is not None


def test_withdrawing_is_refused_after_the_end_and_for_providers(
    service_referral, coordinator_x, provider
):
    with pytest.raises(NotForThisProvider):
        services.withdraw_service_referral(service_referral=service_referral, by=provider)
    services.decline_service_referral(
        service_referral=service_referral, by=provider, reason="no_capacity"
    )
    with pytest.raises(IllegalTransition):
        services.withdraw_service_referral(service_referral=service_referral, by=coordinator_x)


def test_no_response_is_set_only_while_sent_and_a_late_answer_still_counts(
    service_referral, provider
):
    marked = services.mark_no_response(service_referral=service_referral)
    assert marked.status == "no_response" and marked.no_response_at is not None
    assert marked.events.last().actor is None
    with pytest.raises(IllegalTransition):
        services.mark_no_response(service_referral=service_referral)
    accepted = services.accept_service_referral(service_referral=service_referral, by=provider)
    assert accepted.status == "accepted"


def test_another_provider_or_another_team_cannot_answer(
    service_referral, other_provider, coordinator_y, referrer_a
):
    for outsider in (other_provider[0], coordinator_y, referrer_a):
        with pytest.raises(NotForThisProvider):
            services.accept_service_referral(service_referral=service_referral, by=outsider)
    assert ServiceReferral.objects.get().status == "sent"


def test_a_link_for_another_referral_cannot_answer_this_one(
    service_referral, case_a, coordinator_x, other_provider
):
    other = _create(case_a, other_provider[1], coordinator_x)
    with pytest.raises(NotForThisProvider):
        services.accept_service_referral(service_referral=service_referral, link=other.links.get())


# --- Links


def test_a_fresh_link_is_refused_while_the_last_works_and_replaces_it_once_expired(
    service_referral, coordinator_x
):
    first = service_referral.links.get()
    with pytest.raises(LinkStillValid):
        services.send_fresh_provider_link(service_referral=service_referral, by=coordinator_x)
    ProviderLink.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    fresh = services.send_fresh_provider_link(service_referral=service_referral, by=coordinator_x)
    assert fresh.pk != first.pk
    assert provider_links.check_token(provider_links.token_for(first)).problem == "expired"
    assert provider_links.check_token(provider_links.token_for(fresh)).ok
    assert AuditEvent.objects.filter(action="send_link").exists()


def test_an_expired_link_cannot_answer(service_referral):
    link = service_referral.links.get()
    ProviderLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    link.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.accept_service_referral(service_referral=service_referral, link=link)


# --- Reads for the caseload


def test_awaiting_answer_gives_the_oldest_waiting_onward_referral_per_case_in_one_query(
    case_a, provider_service, other_provider, coordinator_x, provider, django_assert_num_queries
):
    older = _create(case_a, provider_service, coordinator_x)
    long_ago = timezone.now() - datetime.timedelta(days=20)
    ServiceReferral.objects.filter(pk=older.pk).update(sent_at=long_ago)
    _create(case_a, other_provider[1], coordinator_x)
    quiet_case = ReferralFactory(status="in_progress", patient__consent_to_share=True)
    with django_assert_num_queries(1):
        waiting = onward_referrals_awaiting_answer([case_a.pk, quiet_case.pk])
    assert waiting == {case_a.pk: long_ago}
    services.accept_service_referral(service_referral=older, by=provider)
    assert waiting != onward_referrals_awaiting_answer([case_a.pk])


def test_every_status_has_its_timestamp_field():
    assert set(ServiceReferral.STATE_TIMESTAMPS) == set(ServiceReferralStatus) - {"sent"}
