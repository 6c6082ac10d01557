import pytest
from django.urls import reverse

from tests.factories import log_in_through_the_form

HOMES = {
    "referrer": "referrals:practice-home",
    "coordinator": "coordinators:home",
    "manager": "coordinators:team-home",
    "vetter": "community_services:vetter-home",
    "provider": "referrals:provider-home",
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_logs_in_and_lands_on_its_home(client, cast, role, password):
    user = cast[role]
    response = log_in_through_the_form(client, user, password)
    assert response.url == reverse(HOMES[role])
    response = client.get(response.url)
    page = response.content.decode()
    assert user.primary_membership.organisation.name in page
    assert f'data-testid="header-role">{user.primary_membership.get_role_display()}<' in page


def test_superuser_without_a_role_lands_on_the_admin(client, superuser, password):
    response = log_in_through_the_form(client, superuser, password)
    assert response.url == reverse("admin:index")


def test_wrong_password_shows_an_error(client, coordinator_x):
    response = client.post(
        reverse("account_login"), {"login": coordinator_x.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "not correct" in page
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_throttled(client, coordinator_x, password):
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": coordinator_x.email, "password": "wrong-password"}
        )
    response = client.post(
        reverse("account_login"), {"login": coordinator_x.email, "password": password}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["referrer", "coordinator"])
def test_other_roles_homes_are_forbidden(client, cast, role, password):
    client.login(email=cast[role].email, password=password)
    other = HOMES["vetter"]
    assert client.get(reverse(other)).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("coordinators:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signup_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@test.example",
            "password1": "a-long-password-123",
            "password2": "a-long-password-123",
        },
    )
    from accounts.models import User

    assert not User.objects.filter(email="new@test.example").exists()
    assert response.status_code == 200


def test_signed_in_pages_are_not_stored(client, coordinator_x, password):
    client.login(email=coordinator_x.email, password=password)
    response = client.get(reverse("coordinators:home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_pages_carry_a_nonce_csp_without_unsafe_inline_scripts(client, coordinator_x, password):
    client.login(email=coordinator_x.email, password=password)
    response = client.get(reverse("coordinators:home"))
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'nonce-" in script_src
    assert "unsafe-inline" not in script_src


def test_logout_ends_the_session(client, coordinator_x, password):
    client.login(email=coordinator_x.email, password=password)
    client.post(reverse("account_logout"))
    assert client.get(reverse("coordinators:home")).status_code == 302


def test_password_change_page_is_styled_and_works(client, coordinator_x, password):
    client.login(email=coordinator_x.email, password=password)
    page = client.get(reverse("account_change_password")).content.decode()
    assert "nhsuk-input" in page
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "another-long-pass-987",
            "password2": "another-long-pass-987",
        },
    )
    assert response.status_code == 302
    coordinator_x.refresh_from_db()
    assert coordinator_x.check_password("another-long-pass-987")


def test_password_reset_sends_an_email(client, coordinator_x, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": coordinator_x.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert coordinator_x.email in mailoutbox[0].to
