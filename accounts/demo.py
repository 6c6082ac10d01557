"""Demo organisations and one user per role. Invented names only."""

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from .mfa import has_totp, mfa_required_for
from .models import Organisation, OrganisationKind, Role, User
from .services import add_member

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for local demos, refused without DEBUG
# Staff roles must use two-factor authentication; demo staff share this authenticator secret
# (add it to an authenticator app, or run `python manage.py demo_totp_code`).
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"  # noqa: S105 - demo only

ORGANISATIONS = [
    ("Riverside Medical Practice", OrganisationKind.GP_PRACTICE, "Y90001"),
    ("Hillview Surgery", OrganisationKind.GP_PRACTICE, "Y90002"),
    ("Northfield Social Prescribing Team", OrganisationKind.COORDINATOR_TEAM, ""),
    ("Friendship Circle Trust", OrganisationKind.SERVICE_PROVIDER, ""),
    ("Money Matters Advice Centre", OrganisationKind.SERVICE_PROVIDER, ""),
    ("Green Spaces Volunteers", OrganisationKind.SERVICE_PROVIDER, ""),
    ("Community Directory Team", OrganisationKind.DIRECTORY_TEAM, ""),
    ("Northfield City Council", OrganisationKind.LOCAL_AUTHORITY, ""),
    ("Northfield Integrated Care Board", OrganisationKind.COMMISSIONER, ""),
]
# Which teams each commissioning organisation pays for.
COMMISSIONED = {"Northfield Integrated Care Board": ["Northfield Social Prescribing Team"]}

# email, first name, last name, organisation, role
USERS = [
    # Riverside's practice lead: also uploads its case-finding lists.
    ("referrer@demo.example", "Rhea", "Referrer", "Riverside Medical Practice", Role.REFERRER),
    ("referrer.b@demo.example", "Bram", "Referrer", "Hillview Surgery", Role.REFERRER),
    (
        "coordinator@demo.example",
        "Cora",
        "Coordinator",
        "Northfield Social Prescribing Team",
        Role.COORDINATOR,
    ),
    ("manager@demo.example", "Max", "Manager", "Northfield Social Prescribing Team", Role.MANAGER),
    ("vetter@demo.example", "Vera", "Vetter", "Community Directory Team", Role.VETTER),
    ("provider@demo.example", "Priya", "Provider", "Friendship Circle Trust", Role.PROVIDER),
    ("council@demo.example", "Cerys", "Council", "Northfield City Council", Role.COUNCIL_REFERRER),
    (
        "commissioner@demo.example",
        "Cyd",
        "Commissioner",
        "Northfield Integrated Care Board",
        Role.COMMISSIONER,
    ),
]
PRACTICE_LEADS = {"referrer@demo.example"}
ADMIN_EMAIL = "admin@demo.example"


@transaction.atomic
def seed(log) -> list[tuple[str, str]]:
    """Create or refresh the demo cast; returns (email, role) pairs for the printed logins."""
    organisations = {}
    for name, kind, ods_code in ORGANISATIONS:
        organisations[name], _ = Organisation.objects.update_or_create(
            name=name, kind=kind, defaults={"ods_code": ods_code}
        )
    for commissioner, teams in COMMISSIONED.items():
        organisations[commissioner].commissioned_teams.add(*(organisations[t] for t in teams))
    logins = []
    for email, first, last, organisation, role in USERS:
        user = _demo_user(email, first_name=first, last_name=last)
        lead = email in PRACTICE_LEADS
        add_member(
            user=user, organisation=organisations[organisation], role=role, is_practice_lead=lead
        )
        logins.append((email, Role(role).label + (" (practice lead)" if lead else "")))
    admin = _demo_user(ADMIN_EMAIL, first_name="Ada", last_name="Admin")
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    logins.append((ADMIN_EMAIL, "Superuser"))
    for user in User.objects.filter(email__in=[email for email, _ in logins]):
        if mfa_required_for(user) and not has_totp(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)
    log(f"{len(organisations)} organisations, {len(logins)} users")
    return logins


def _demo_user(email: str, **names) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=names)
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
