"""The people page's rules: managers look after their own teams' members, superusers anyone.
Inviting someone makes their account with no password: they choose one (and then set up their
second factor, which the MFA middleware asks for at their first sign-in) through a one-time
link emailed through the outbox. Every change is an audit row."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from common.errors import DomainError

from ..audit import record_audit_event
from ..models import ROLE_ORGANISATION_KIND, Membership, Organisation, Role, User
from .memberships import MembershipError, add_member
from .reminders import Recipient, create_reminders
from .sessions import deactivate_user

# A manager gives only the roles of their own teams.
MANAGER_GRANTABLE_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.MANAGER)


class PeopleChangeRefused(DomainError):
    code = "refused"


def may_grant(by: User, organisation: Organisation, role: str) -> bool:
    """Superusers: any role in an organisation of its kind; a manager: a team role in a team
    they manage."""
    if ROLE_ORGANISATION_KIND.get(role) != organisation.kind:
        return False
    if by.is_superuser:
        return True
    return role in MANAGER_GRANTABLE_ROLES and any(
        m.role == Role.MANAGER and m.organisation_id == organisation.pk
        for m in by.cached_memberships
    )


def may_manage_person(by: User, person: User) -> bool:
    """A manager may change someone only when every role they hold is in the manager's teams
    (a colleague who is also a vetter elsewhere is a superuser's to change)."""
    if by.is_superuser:
        return not person.is_superuser or by.pk == person.pk
    managed = {m.organisation_id for m in by.cached_memberships if m.role == Role.MANAGER}
    held = list(person.memberships.values_list("organisation_id", "role"))
    return bool(held) and all(
        org in managed and role in MANAGER_GRANTABLE_ROLES for org, role in held
    )


def invitation_link(user: User) -> str:
    """allauth's set-password page for this user: the token is spent once a password is set
    (it hashes the password) and lapses after PASSWORD_RESET_TIMEOUT."""
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def invite_user(
    *, by: User, email: str, first_name: str, last_name: str, organisation: Organisation, role: str
) -> User:
    if not may_grant(by, organisation, role):
        raise PermissionDenied("You cannot give this role in this organisation.")
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "Someone with this email address already has an account: give them a role."}
        )
    user: User = User.objects.create_user(
        email=email, password=None, first_name=first_name.strip(), last_name=last_name.strip()
    )
    add_member(user=user, organisation=organisation, role=role)
    record_audit_event(
        actor=by,
        action="invite",
        object_type="user",
        object_id=user.pk,
        detail=f"{Role(role).label} at {organisation.name}",
    )
    create_reminders(
        kind="user_invitation",
        target_type="user",
        target_id=user.pk,
        occurrence=timezone.now().isoformat(),
        # Email only: an in-app notice is no use to someone who cannot sign in yet.
        recipients=[
            Recipient(
                key=f"user:{user.pk}",
                channels=("email",),
                user=user,
                name=user.display_name,
                email=user.email,
            )
        ],
        context={
            "organisation": organisation.name,
            "role": Role(role).label,
            "invited_by": by.display_name,
        },
        link=invitation_link(user),
    )
    return user


@transaction.atomic
def give_role(*, by: User, person: User, organisation: Organisation, role: str) -> Membership:
    if not may_grant(by, organisation, role):
        raise PermissionDenied("You cannot give this role in this organisation.")
    if Membership.objects.filter(user=person, organisation=organisation, role=role).exists():
        raise ValidationError({"role": f"{person.display_name} already has this role there."})
    try:
        membership = add_member(user=person, organisation=organisation, role=role)
    except MembershipError as exc:
        raise ValidationError({"organisation": str(exc)}) from exc
    record_audit_event(
        actor=by,
        action="give_role",
        object_type="user",
        object_id=person.pk,
        detail=f"{Role(role).label} at {organisation.name}",
    )
    return membership


@transaction.atomic
def remove_role(*, by: User, membership: Membership) -> None:
    if not may_grant(by, membership.organisation, membership.role):
        raise PermissionDenied("You cannot remove this role.")
    if membership.user_id == by.pk and membership.role == Role.MANAGER:
        raise PeopleChangeRefused(
            "You cannot remove your own manager role: ask another manager or an administrator."
        )
    detail = f"{membership.get_role_display()} at {membership.organisation.name}"
    person_id = membership.user_id
    membership.delete()
    record_audit_event(
        actor=by, action="remove_role", object_type="user", object_id=person_id, detail=detail
    )


@transaction.atomic
def deactivate_person(*, by: User, person: User) -> None:
    """No more sign-ins; open sessions end (accounts.services.sessions.deactivate_user)."""
    if person.pk == by.pk:
        raise PeopleChangeRefused("You cannot deactivate your own account.")
    if not may_manage_person(by, person):
        raise PermissionDenied("You cannot deactivate this person.")
    if not person.is_active:
        raise PeopleChangeRefused(f"{person.display_name} is already deactivated.")
    deactivate_user(user=person, by=by)
