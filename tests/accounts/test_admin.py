"""The Django admin signs in through allauth (rate limits, second factor), audits patient data."""

from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import UserFactory, log_in_through_the_form
from tests.referrals.factories import ReferralFactory


def test_the_admin_login_page_sends_people_to_the_allauth_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_password_alone_posted_to_the_admin_login_signs_nobody_in(client, superuser, password):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": superuser.email, "password": password}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_superuser_must_give_the_second_factor_before_the_admin(client, superuser, password):
    response = client.post(
        reverse("account_login"), {"login": superuser.email, "password": password}
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_a_superuser_without_an_authenticator_cannot_reach_the_admin(client, db, password):
    root = UserFactory(email="root@test.example", is_superuser=True, is_staff=True)
    log_in_through_the_form(client, root, password)
    assert client.get("/admin/").url == reverse("mfa_activate_totp")
    assert client.get(reverse("admin:referrals_patient_changelist")).status_code == 302


def test_a_superuser_signed_in_with_both_factors_reaches_the_admin(client, superuser, password):
    log_in_through_the_form(client, superuser, password)
    assert client.get("/admin/").status_code == 200


def test_viewing_a_patient_in_the_admin_is_audited(client, superuser, password, referrer_a):
    patient = ReferralFactory(referred_by=referrer_a).patient
    log_in_through_the_form(client, superuser, password)
    url = reverse("admin:referrals_patient_change", args=[patient.pk])
    assert client.get(url).status_code == 200
    viewed = AuditEvent.objects.get(action="admin_view", object_type="patient")
    assert (viewed.actor, viewed.object_id, viewed.patient_id) == (
        superuser,
        str(patient.pk),
        str(patient.pk),
    )


def test_listing_patients_and_referrals_in_the_admin_is_audited(
    client, superuser, password, referrer_a, django_assert_max_num_queries
):
    referral = ReferralFactory(referred_by=referrer_a)
    log_in_through_the_form(client, superuser, password)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("admin:referrals_patient_changelist")).status_code == 200
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 200
    listed = AuditEvent.objects.filter(action="admin_list").order_by("id")
    assert [(e.object_type, e.detail) for e in listed] == [
        ("patient", f"1 shown: {referral.patient_id}"),
        ("referral", f"1 shown: {referral.pk}"),
    ]


def test_viewing_a_referral_in_the_admin_is_audited_under_its_patient(
    client, superuser, password, referrer_a
):
    referral = ReferralFactory(referred_by=referrer_a)
    log_in_through_the_form(client, superuser, password)
    assert client.get(reverse("admin:referrals_referral_change", args=[referral.pk])).status_code
    viewed = AuditEvent.objects.get(action="admin_view", object_type="referral")
    assert viewed.patient_id == str(referral.patient_id)


def test_changing_a_patient_in_the_admin_is_audited_with_the_fields_changed(
    client, superuser, password, referrer_a
):
    patient = ReferralFactory(referred_by=referrer_a).patient
    log_in_through_the_form(client, superuser, password)
    url = reverse("admin:referrals_patient_change", args=[patient.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {
        **{k: ("on" if v is True else v) for k, v in data.items() if v is not False},
        "given_name": "Changed",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    changed = AuditEvent.objects.get(action="admin_change", object_type="patient")
    assert changed.patient_id == str(patient.pk)
    assert "given_name" in changed.detail


def test_revoking_a_token_in_the_admin_is_audited(client, superuser, password, referrer_a):
    from knox.models import AuthToken

    from tests.factories import api_token_for

    api_token_for(referrer_a)
    token = AuthToken.objects.get(user=referrer_a)
    log_in_through_the_form(client, superuser, password)
    url = reverse("admin:knox_authtoken_delete", args=[token.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AuthToken.objects.filter(user=referrer_a).exists()
    assert AuditEvent.objects.filter(
        action="api_token_revoked", object_id=token.token_key, actor=superuser
    ).exists()
