"""Self-referral: a person (or someone for them) asks for help through the public page, or a
community organisation or council worker refers someone while signed in.

Nobody has checked who the person is, so nothing is matched here: a new record is made from
what was said, the referral is marked "identity not yet checked", and the coordinator matches
a known patient (by NHS number) only when confirming identity at first contact (identity.py).
Any NHS number given is kept on the referral only, never on a record."""

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User
from accounts.services import record_audit_event

from ..errors import NoTeamServesPractice
from ..models import (
    PUBLIC_SOURCES,
    Patient,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ReferralSource,
    ReferralStatus,
    TeamCoverage,
)
from ..nhs_number import normalise, validate_nhs_number
from .intake import PATIENT_FIELDS, REFERRAL_DETAILS_FIELDS, record_consents

PUBLIC_FORM_EMAIL = "self-referral-form@system.invalid"
# Signed-in referrers who are not a practice, and the source their referrals carry.
SOURCE_OF_ORGANISATION_KIND: dict[str, str] = {
    OrganisationKind.SERVICE_PROVIDER: ReferralSource.COMMUNITY_ORGANISATION,
    OrganisationKind.LOCAL_AUTHORITY: ReferralSource.LOCAL_AUTHORITY,
}
SELF_REFERRAL_FIELDS = (
    "reasons",
    "help_wanted",
    "source",
    "referrer_name",
    "referrer_relationship",
    "referrer_contact",
    "access_needs",
)


def public_form_user() -> User:
    """Who a referral from the public page is 'referred by': one inactive account that cannot
    sign in, so a referral always names its referrer and no message goes to the public."""
    user, _ = User.objects.get_or_create(
        email=PUBLIC_FORM_EMAIL,
        defaults={
            "first_name": "Self-referral",
            "last_name": "page",
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


@transaction.atomic
def receive_self_referral(
    *,
    practice: Organisation,
    person: dict[str, Any],
    referral: dict[str, Any],
    referred_by: User | None = None,
) -> Referral:
    """A referral from the self-referral page. `referred_by` is the signed-in community or
    council worker; None for the public, who say whether they are the person or refer for
    them (`referral["source"]`: self or family_or_carer)."""
    errors: dict[str, str] = {}
    if not person.get("consent_to_referral"):
        errors["consent_to_referral"] = (
            "The person must agree to be referred. If you are referring someone else, ask them "
            "first."
        )
    source = referral.get("source", "")
    if referred_by is None and source not in PUBLIC_SOURCES:
        errors["source"] = "Say whether you are the person or referring someone else."
    if source != ReferralSource.SELF and not referral.get("referrer_name", "").strip():
        errors["referrer_name"] = "Give your name, as you are referring someone else."
    nhs_number = normalise(person.get("nhs_number") or "")
    if nhs_number:
        try:
            validate_nhs_number(nhs_number)
        except ValidationError as exc:
            errors["nhs_number"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    coverage = TeamCoverage.objects.select_related("team").filter(practice=practice).first()
    if coverage is None:
        raise NoTeamServesPractice(f"We do not take referrals for patients of {practice.name} yet.")
    author = referred_by or public_form_user()
    record = Patient(
        registered_practice=practice,
        **{field: person[field] for field in PATIENT_FIELDS if field in person},
    )
    record.full_clean(exclude=["nhs_number", "registered_practice"])
    record.save()
    changed = record_consents(patient=record, recorded_by=author, data=person)
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
    now = timezone.now()
    new = Referral.objects.create(
        patient=record,
        referring_practice=practice,
        referred_by=author,
        team=coverage.team,
        status=ReferralStatus.RECEIVED,
        received_at=now,
        identity_checked=False,
        **{field: referral[field] for field in SELF_REFERRAL_FIELDS if field in referral},
    )
    ReferralPatientDetails.objects.create(
        referral=new,
        nhs_number=nhs_number,
        created_patient=True,
        resolution=ReferralPatientDetails.Resolution.NONE_NEEDED,
        **{field: person[field] for field in REFERRAL_DETAILS_FIELDS if field in person},
    )
    ReferralEvent.objects.create(
        referral=new,
        actor=referred_by,
        occurred_at=now,
        to_status=ReferralStatus.RECEIVED,
        note=f"{new.get_source_display()}: identity not yet checked.",
    )
    record_audit_event(
        actor=referred_by,
        action="create",
        object_type="referral",
        object_id=new.pk,
        patient_id=record.pk,
        team_id=new.team_id,
        detail=f"self-referral page ({source}) {new.reference} for {coverage.team.name}",
    )
    return new


def source_for_signed_in(user: User) -> str | None:
    """The source a signed-in user's referrals from the self-referral page carry, from the
    kind of organisation they belong to; None if they may not refer there."""
    for membership in user.cached_memberships:
        source = SOURCE_OF_ORGANISATION_KIND.get(membership.organisation.kind)
        if source:
            return source
    return None
