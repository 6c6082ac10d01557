"""Who must use two-factor authentication, and whether they have set it up."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings

from .models import Role, User

# Settled once per login (and again after enrolment), so most requests cost no query.
SESSION_MFA_OK = "mfa_ok"


def mfa_required_roles() -> set[str]:
    roles = set(settings.MFA_REQUIRED_ROLES)
    if settings.MFA_REQUIRED_FOR_REFERRERS:
        roles.add(Role.REFERRER)
    return roles


def mfa_required_for(user: User) -> bool:
    if user.is_superuser and settings.MFA_REQUIRED_FOR_SUPERUSERS:
        return True
    return user.memberships.filter(role__in=mfa_required_roles()).exists()


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def settle_mfa_status(request, user: User) -> bool:
    ok = not mfa_required_for(user) or has_totp(user)
    request.session[SESSION_MFA_OK] = ok
    return ok


def needs_mfa_enrolment(request) -> bool:
    if request.session.get(SESSION_MFA_OK):
        return False
    return not settle_mfa_status(request, request.user)


def session_passed_mfa(request, user: User) -> bool:
    """Did this session's sign-in include a second factor? allauth records each method used."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )
