"""Who belongs to which organisation, in which role."""

from django.db import transaction

from ..models import ROLE_ORGANISATION_KIND, Membership, Organisation, OrganisationKind, Role, User


class MembershipError(Exception):
    pass


@transaction.atomic
def add_member(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation of the matching kind."""
    if role not in Role.values:
        raise MembershipError(f"Unknown role {role!r}.")
    if organisation.kind != ROLE_ORGANISATION_KIND[role]:
        expected = OrganisationKind(ROLE_ORGANISATION_KIND[role]).label.lower()
        raise MembershipError(f"A {Role(role).label.lower()} must belong to a {expected}.")
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership
