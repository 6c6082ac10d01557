"""A provider keeps its own listing current through its login: whether it takes referrals
(accepting, a waiting list with the expected wait, paused) and who receives them. Nothing
else: content a vetter checked (what the service is, who it is for, safeguarding) changes only
through a vetter, so these edits leave the vetting status, and who last edited it for the
four-eyes rule, untouched."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Reminder, Role, User
from accounts.services import create_reminders, record_audit_event, user_recipient

from ..models import Capacity, Service
from .service_content import SERVICE_OBJECT_TYPE

LISTING_FIELDS = ("capacity", "expected_wait_weeks", "contact_name", "email", "phone")
MAX_WAIT_WEEKS = 104


def is_provider_of(user: User, service: Service) -> bool:
    """A member with the provider role of the organisation that runs the service."""
    organisation_id = service.provider.organisation_id
    return organisation_id is not None and any(
        m.role == Role.PROVIDER and m.organisation_id == organisation_id
        for m in user.cached_memberships
    )


@transaction.atomic
def update_availability(
    *,
    by: User,
    service: Service,
    capacity: str,
    expected_wait_weeks: int | None,
    contact_name: str,
    email: str,
    phone: str,
) -> Service:
    if not is_provider_of(by, service):
        raise PermissionDenied("Only the provider that runs this service can change it.")
    errors: dict[str, str] = {}
    if capacity not in Capacity.values:
        errors["capacity"] = "Choose whether the service is taking referrals."
    if capacity == Capacity.WAITING_LIST:
        if expected_wait_weeks is None:
            errors["expected_wait_weeks"] = "Enter the expected wait in weeks."
        elif not 1 <= expected_wait_weeks <= MAX_WAIT_WEEKS:
            errors["expected_wait_weeks"] = (
                f"Enter an expected wait between 1 and {MAX_WAIT_WEEKS} weeks."
            )
    else:
        expected_wait_weeks = None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter the email address for referrals, like name@example.org."
    if not (email or phone):
        errors["email"] = "Enter an email address or a phone number for referrals."
    if errors:
        raise ValidationError(errors)
    locked: Service = Service.objects.select_for_update().get(pk=service.pk)
    wanted = {
        "capacity": capacity,
        "expected_wait_weeks": expected_wait_weeks,
        "contact_name": contact_name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
    }
    changed = [name for name, value in wanted.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, wanted[name])
    locked.modified_at = timezone.now()  # the HSDS feed's last_modified
    locked.save(update_fields=[*changed, "modified_at"])
    record_audit_event(
        actor=by,
        action="update",
        object_type=SERVICE_OBJECT_TYPE,
        object_id=locked.public_id,
        detail="by the provider: " + ", ".join(changed),
    )
    return locked


def notify_providers_of_expiring_vetting(*, services: list[Service], days: int) -> list[Reminder]:
    """Each provider hears, once per vetting end date, that its service's vetting ends soon,
    so it can send the vetters what they need before referrals stop."""
    organisation_ids = {s.provider.organisation_id for s in services} - {None}
    members: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in=organisation_ids, role=Role.PROVIDER, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    created: list[Reminder] = []
    for service in services:
        recipients = members.get(service.provider.organisation_id or 0, [])
        if not recipients or service.vetted_until is None:
            continue
        created += create_reminders(
            kind="provider_vetting_expiring",
            target_type="service",
            target_id=service.pk,
            occurrence=service.vetted_until.isoformat(),
            recipients=[user_recipient(user) for user in recipients],
            context={
                "service_name": service.name,
                "vetted_until_display": _long_date(service.vetted_until),
                "days": days,
            },
            link=reverse("community_services:provider-listing", args=[service.public_id]),
        )
    return created


def _long_date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"
