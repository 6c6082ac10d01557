import time

from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import (
    MembershipFactory,
    UserFactory,
    current_totp_code,
    log_in_through_the_form,
)


def _unenrolled(role, organisation, email="new.staff@test.example"):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=organisation, role=role, enrol_mfa=False)
    return user


def test_enrolled_staff_must_give_a_code_after_their_password(client, coordinator_x, password):
    response = client.post(
        reverse("account_login"), {"login": coordinator_x.email, "password": password}
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert right.url == reverse("coordinators:home")


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, team_x, password):
    user = _unenrolled("coordinator", team_x)
    log_in_through_the_form(client, user, password)
    response = client.get(reverse("coordinators:home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get("/api/v1/me/").json()["code"] == "mfa_required"


def test_setting_up_an_authenticator_opens_the_way(
    client, team_x, password, django_capture_on_commit_callbacks
):
    user = _unenrolled("manager", team_x)
    log_in_through_the_form(client, user, password)
    # Changing two-factor settings asks for the password again first.
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": password})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("coordinators:team-home")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa_enrolled", actor=user).exists()


def test_referrers_need_no_authenticator_by_default(client, referrer_a, password):
    log_in_through_the_form(client, referrer_a, password)
    assert client.get(reverse("referrals:practice-home")).status_code == 200


def test_a_setting_makes_referrers_set_one_up_too(client, practice_a, password, settings):
    settings.MFA_REQUIRED_FOR_REFERRERS = True
    user = _unenrolled("referrer", practice_a)
    log_in_through_the_form(client, user, password)
    assert client.get(reverse("referrals:practice-home")).url == reverse("mfa_activate_totp")


def test_superusers_must_set_one_up(client, db, password):
    user = UserFactory(email="root@test.example", is_superuser=True, is_staff=True)
    log_in_through_the_form(client, user, password)
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")
