"""Contact attempts recorded one by one; unable-to-contact cites them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals import services
from referrals.errors import IllegalTransition
from referrals.models import ContactAttempt
from tests.referrals.conftest import token_client
from tests.referrals.test_pages import as_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def _attempt(referral, by, *, days_ago=0, method="phone", outcome="no_answer"):
    return services.record_contact_attempt(
        referral=referral,
        by=by,
        attempted_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        method=method,
        outcome=outcome,
    )


def test_each_attempt_is_recorded_and_audited(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    _attempt(referral_a, coordinator_x, outcome="message_left")
    attempt = ContactAttempt.objects.get()
    assert (attempt.method, attempt.outcome, attempt.recorded_by) == (
        "phone",
        "message_left",
        coordinator_x,
    )
    assert AuditEvent.objects.filter(action="contact_attempt", object_id=str(referral_a.pk))


def test_unable_to_contact_cites_each_recorded_attempt(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    referral_a.received_at = timezone.now() - datetime.timedelta(days=10)
    referral_a.save(update_fields=["received_at"])
    _attempt(referral_a, coordinator_x, days_ago=5)
    _attempt(referral_a, coordinator_x, days_ago=3, method="sms", outcome="message_left")
    _attempt(referral_a, coordinator_x, days_ago=1, method="letter")
    closed = services.record_unable_to_contact(referral=referral_a, by=coordinator_x)
    assert closed.contact_attempts == 3
    assert closed.outcome_summary.startswith("Unable to contact after 3 attempts:")
    assert "Text message, message left" in closed.outcome_summary
    assert "Letter, no answer" in closed.outcome_summary


def test_unable_to_contact_with_no_attempt_recorded_is_refused(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    with pytest.raises(ValidationError) as refused:
        services.record_unable_to_contact(referral=referral_a, by=coordinator_x)
    assert "attempts" in refused.value.message_dict


def test_the_old_count_still_works_when_no_attempt_was_recorded(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    closed = services.record_unable_to_contact(referral=referral_a, by=coordinator_x, attempts=4)
    assert (closed.contact_attempts, closed.outcome_summary) == (
        4,
        "Unable to contact after 4 attempts.",
    )


def test_an_attempt_in_the_future_or_before_the_referral_is_a_field_error(
    referral_a, coordinator_x
):
    with pytest.raises(ValidationError) as future:
        _attempt(referral_a, coordinator_x, days_ago=-1)
    assert "attempted_on" in future.value.message_dict
    with pytest.raises(ValidationError) as before:
        _attempt(referral_a, coordinator_x, days_ago=30)
    assert "attempted_on" in before.value.message_dict
    assert not ContactAttempt.objects.exists()


def test_no_attempt_is_recorded_once_the_patient_was_reached(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    services.record_first_contact(
        referral=referral_a, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )
    with pytest.raises(IllegalTransition):
        _attempt(referral_a, coordinator_x)


def test_another_team_cannot_record_an_attempt(referral_a, coordinator_y):
    from referrals.errors import NotInReceivingTeam

    with pytest.raises(NotInReceivingTeam):
        _attempt(referral_a, coordinator_y)


def test_the_pages_record_attempts_and_close_citing_them(
    as_user,  # noqa: F811
    referral_a,
    coordinator_x,
):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    client = as_user(coordinator_x)
    today = timezone.localdate()
    response = client.post(
        reverse("referrals:contact-attempt", args=[referral_a.reference]),
        {
            "attempted_on_day": today.day,
            "attempted_on_month": today.month,
            "attempted_on_year": today.year,
            "method": "phone",
            "outcome": "no_answer",
        },
    )
    assert response.status_code == 302
    unable_page = client.get(reverse("referrals:unable", args=[referral_a.reference]))
    assert 'data-testid="contact-attempts"' in unable_page.content.decode()
    client.post(reverse("referrals:unable", args=[referral_a.reference]), {"note": ""})
    referral_a.refresh_from_db()
    assert (referral_a.status, referral_a.contact_attempts) == ("closed", 1)


def test_the_api_records_an_attempt_and_refuses_a_bad_outcome(referral_a, coordinator_x):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    client = token_client(coordinator_x)
    url = f"/api/v1/referrals/{referral_a.pk}/contact-attempts/"
    body = {"attempted_on": timezone.localdate().isoformat(), "method": "email"}
    assert client.post(url, {**body, "outcome": "spoke"}, format="json").status_code == 200
    assert client.post(url, {**body, "outcome": "maybe"}, format="json").status_code == 400
    assert ContactAttempt.objects.count() == 1
