"""One wording for signing in, allauth's pages included; Cancel as a link; the recovery codes
page ends with Continue; the accessibility statement and privacy notice (issue 19, item 19)."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import translation

from tests.factories import log_in_through_the_form

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_says_sign_in_and_offers_one_forgotten_password_link(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "<title>Sign in" in page and ">Sign in</h1>" in page and ">Sign in</button>" in page
    assert "Log in" not in page and "Sign In" not in page
    assert page.count("Forgotten your password?") == 1


def test_signed_in_pages_offer_sign_out(client, referrer_a, password):
    client.login(email=referrer_a.email, password=password)
    page = client.get(reverse("referrals:practice-home")).content.decode()
    assert ">Sign out</button>" in page and "Log out" not in page


@pytest.mark.parametrize(
    ("allauth_says", "we_say"),
    [
        ("Sign In", "Sign in"),
        ("Sign Out", "Sign out"),
        ("Password Reset", "Reset your password"),
        ("Two-Factor Authentication", "Two-factor authentication"),
    ],
)
def test_allauth_wording_is_ours(allauth_says, we_say):
    with translation.override("en-gb"):
        assert translation.gettext(allauth_says) == we_say


def test_allauth_pages_use_our_wording(client, coordinator_x, password):
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "Reset your password" in page and "Password Reset" not in page
    client.post(reverse("account_login"), {"login": coordinator_x.email, "password": password})
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Sign in" in page and "Sign In" not in page
    # Cancel is a link, not a second button beside "Sign in".
    assert 'class="app-link-button app-cancel-link"' in page
    assert page.count('class="nhsuk-button') == 1


def test_an_empty_sign_in_names_each_field(client):
    page = client.post(reverse("account_login"), {}).content.decode()
    assert "Enter your email address" in page and "Enter your password" in page


def test_the_recovery_codes_page_ends_with_continue(client, coordinator_x, password):
    RecoveryCodes.activate(coordinator_x)
    log_in_through_the_form(client, coordinator_x, password)
    client.post(reverse("account_reauthenticate"), {"password": password})
    response = client.get(reverse("mfa_view_recovery_codes"))
    if response.status_code == 302:  # asked to confirm with a code instead of the password
        response = client.get(response.url)
    page = response.content.decode()
    assert 'data-testid="recovery-codes-continue"' in page
    assert page.rindex(">Continue</a>") > page.rindex("recovery")


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("accessibility", "Accessibility statement for the social prescribing referral service"),
        ("privacy", "Privacy notice for the social prescribing referral service"),
    ],
)
def test_the_footer_pages_open_to_anyone_and_are_linked_from_every_page(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200 and heading in response.content.decode()
    login_page = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse(name)}"' in login_page


def test_the_privacy_notice_gives_the_retention_period_from_the_settings(client, settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 6 * 365
    assert "kept for 6 years" in client.get(reverse("privacy")).content.decode()


# --- allauth's password and two-factor forms: an empty submit names the field (item 1's rule)


def _errors(response) -> str:
    assert response.status_code == 200, response
    return response.content.decode()


def test_an_empty_password_reset_request_asks_for_the_email_address(client):
    page = _errors(client.post(reverse("account_reset_password"), {}))
    assert "Enter your email address" in page and "This field is required." not in page
    page = _errors(client.post(reverse("account_reset_password"), {"email": "not-an-email"}))
    assert "Enter your email address in the correct format" in page


def test_an_empty_new_password_from_the_reset_link_names_both_fields(client, referrer_a):
    link = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(referrer_a),
            "key": default_token_generator.make_token(referrer_a),
        },
    )
    form_url = client.get(link).url  # allauth moves the key into the session first
    page = _errors(client.post(form_url, {}))
    assert "Enter a new password" in page and "Enter your new password again" in page
    assert "This field is required." not in page
    different = {"password1": "lantern-orchard-pebble-77", "password2": "lantern-orchard-77"}
    page = _errors(client.post(form_url, different))
    assert "enter the same new password twice" in page
    assert "You must type the same password" not in page


def test_an_empty_password_change_names_each_field(client, referrer_a, password):
    log_in_through_the_form(client, referrer_a, password)
    page = _errors(client.post(reverse("account_change_password"), {}))
    for named in (
        "Enter your current password",
        "Enter a new password",
        "Enter your new password again",
    ):
        assert named in page
    assert "This field is required." not in page
    wrong = {"oldpassword": "not-my-password", "password1": "x", "password2": "x"}
    page = _errors(client.post(reverse("account_change_password"), wrong))
    assert "Your current password is not correct. Enter your current password" in page


def test_an_empty_password_confirmation_asks_for_the_password(client, referrer_a, password):
    log_in_through_the_form(client, referrer_a, password)
    page = _errors(client.post(reverse("account_reauthenticate"), {}))
    assert "Enter your password" in page and "This field is required." not in page


def test_an_empty_or_wrong_code_at_sign_in_asks_for_the_code_from_the_app(
    client, coordinator_x, password
):
    client.post(reverse("account_login"), {"login": coordinator_x.email, "password": password})
    # a browser sends the empty box (without "code" allauth reads a passkey answer)
    page = _errors(client.post(reverse("mfa_authenticate"), {"code": ""}))
    assert "Enter the 6-digit code from your authenticator app" in page
    assert "This field is required." not in page
    page = _errors(client.post(reverse("mfa_authenticate"), {"code": "000000"}))
    assert "The code is not correct. Enter the 6-digit code" in page
    assert "Incorrect code." not in page


def test_an_empty_code_confirming_a_sensitive_step_asks_for_the_code(
    client, coordinator_x, password
):
    log_in_through_the_form(client, coordinator_x, password)
    page = _errors(client.post(reverse("mfa_reauthenticate"), {"code": ""}))
    assert "Enter the 6-digit code from your authenticator app" in page
    assert "This field is required." not in page


def test_an_empty_code_when_setting_up_the_app_asks_for_its_6_digit_code(
    client, referrer_a, password
):
    log_in_through_the_form(client, referrer_a, password)
    client.post(reverse("account_reauthenticate"), {"password": password})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    page = _errors(client.post(reverse("mfa_activate_totp"), {"code": ""}))
    assert "Enter the 6-digit code from your authenticator app" in page
    assert "This field is required." not in page
