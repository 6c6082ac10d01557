"""The referrer's email says only that referral SP-XXXX changed, with a link to sign in: no
patient name, status, reason or outcome (an email can be read by anyone with the mailbox). The
in-app notice, behind sign-in, keeps the detail."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from referrals import services


@pytest.mark.parametrize(
    ("steps", "told"),
    [
        (["accept"], ["accepted", "Team X"]),
        (["decline"], ["declined", "needs a clinical service instead"]),
        (["accept", "first_contact", "close"], ["closed", "died"]),
        (["accept", "unable_to_contact"], ["closed", "unable to contact"]),
    ],
    ids=["accepted", "declined", "closed", "unable to contact"],
)
def test_the_referrer_s_email_names_the_reference_and_nothing_about_the_patient_or_outcome(
    referral_a,
    referrer_a,
    coordinator_x,
    eager_celery,
    django_capture_on_commit_callbacks,
    steps,
    told,
):
    patient = referral_a.patient
    today = referral_a.received_at.date()
    actions = {
        "accept": lambda: services.accept_referral(referral=referral_a, by=coordinator_x),
        "decline": lambda: services.decline_referral(
            referral=referral_a, by=coordinator_x, reason="needs_clinical_service", note="GP to see"
        ),
        "first_contact": lambda: services.record_first_contact(
            referral=referral_a, by=coordinator_x, contacted_on=today, method="phone"
        ),
        "close": lambda: services.close_referral(
            referral=referral_a, by=coordinator_x, outcome="died"
        ),
        "unable_to_contact": lambda: services.record_unable_to_contact(
            referral=referral_a, by=coordinator_x, attempts=3
        ),
    }
    with django_capture_on_commit_callbacks(execute=True):
        for step in steps:
            actions[step]()

    message = mail.outbox[-1]
    assert message.to == [referrer_a.email]
    for text in (message.subject, message.body):
        assert referral_a.reference in text
        for secret in (patient.given_name, patient.family_name, patient.nhs_number, *told):
            assert secret.lower() not in text.lower(), secret
    assert message.subject == f"Social prescribing referral {referral_a.reference} has been updated"
    sign_in = settings.SITE_URL + reverse("referrals:detail", args=[referral_a.reference])
    assert sign_in in message.body
    assert "Sign in" in message.body
    # The in-app notice is behind sign-in and keeps the detail.
    notice = Notification.objects.filter(recipient=referrer_a).order_by("-id").first()
    assert patient.full_name in notice.message
    assert told[0] in notice.message
