import time

import factory
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from accounts.mfa import has_totp, mfa_required_roles
from accounts.models import Membership, Organisation, User

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - synthetic test password
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - synthetic test secret


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = factory.Faker("first_name")
    # Not from Faker's surnames, which patients' names come from: tests that check a patient's
    # name is absent from a message to staff must not trip over the same surname by chance.
    last_name = factory.Sequence(lambda n: f"Staffname{n:04d}")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name", "kind")

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "gp_practice"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "referrer"

    @factory.post_generation
    def enrol_mfa(self, create, extracted, **kwargs):
        """Staff whose role needs two-factor authentication get an authenticator, unless
        `enrol_mfa=False` (to test enrolment itself)."""
        if create and extracted is not False and self.role in mfa_required_roles():
            enrol_totp(self.user)


def enrol_totp(user) -> None:
    if not has_totp(user):
        TOTP.activate(user, TOTP_SECRET)


def current_totp_code() -> str:
    """The code of the current 30-second window. Near a window's end it waits for the next one:
    the server allows no drift, so a code sent just before the boundary could arrive just after
    it and be refused (a browser test failed that way once)."""
    remaining = 30 - time.time() % 30
    if remaining < 3:
        time.sleep(remaining + 0.05)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def log_in_through_the_form(client, user, password: str = PASSWORD, **extra):
    """Log in as a person does, answering the two-factor step when the account has one."""
    from django.urls import reverse

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": password}, **extra
    )
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()}, **extra)
    return response


def api_token_for(user, *, mfa_verified: bool = True) -> str:
    """An API token as POST /api/v1/auth/token/ issues it (by default after a two-factor
    sign-in, as staff whose role needs one must have); returns the secret."""
    from accounts.services import issue_api_token

    return issue_api_token(user=user, mfa_verified=mfa_verified)[1]
