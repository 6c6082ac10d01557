"""Who belongs to which organisation, in which role."""

from django.db import transaction

from ..models import ROLE_ORGANISATION_KIND, Membership, Organisation, OrganisationKind, Role, User


class MembershipError(Exception):
    pass


@transaction.atomic
def add_member(
    *, user: User, organisation: Organisation, role: str, is_practice_lead: bool = False
) -> Membership:
    """Give a user a role in an organisation of the matching kind; a referrer may also be the
    practice's lead (who uploads its case-finding lists)."""
    if role not in Role.values:
        raise MembershipError(f"Unknown role {role!r}.")
    if organisation.kind != ROLE_ORGANISATION_KIND[role]:
        expected = OrganisationKind(ROLE_ORGANISATION_KIND[role]).label.lower()
        raise MembershipError(f"A {Role(role).label.lower()} must belong to a {expected}.")
    if is_practice_lead and role != Role.REFERRER:
        raise MembershipError("Only a referrer can be a practice lead.")
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if membership.is_practice_lead != is_practice_lead:
        membership.is_practice_lead = is_practice_lead
        membership.save(update_fields=["is_practice_lead"])
    return membership
