"""Onward referrals to community services: one function per status change."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify, record_audit_event
from community_services.models import Capacity, Service

from .. import provider_links
from ..errors import (
    AlreadyReferredToService,
    IllegalTransition,
    NoConsentToShare,
    NotForThisProvider,
    ServiceNotReferable,
)
from ..models import (
    FINAL_SERVICE_REFERRAL_STATUSES,
    SERVICE_REFERRAL_TRANSITIONS,
    Patient,
    ProviderLink,
    Referral,
    ServiceDeclineReason,
    ServiceReferral,
    ServiceReferralEvent,
    ServiceReferralStatus,
)
from ..selectors import is_provider_user
from .guards import locked_referral, locked_service_referral, require_team_member
from .provider_emails import issue_provider_link

NO_CONSENT_MESSAGE = (
    "{patient} has not consented to their details being shared with community services, so "
    "they cannot be referred on. Ask them, then record their consent on the referral "
    "(Record consent to share)."
)
_DONE = {
    "accept": "accepted",
    "decline": "declined",
    "attended": "marked as attended",
    "did_not_attend": "marked as did not attend",
    "completed": "marked as completed",
    "withdraw": "withdrawn",
    "no_response": "marked as no response",
}


def _refuse_unreferable(service: Service) -> None:
    if Service.objects.referable().filter(pk=service.pk).exists():
        return
    if service.capacity == Capacity.PAUSED:
        raise ServiceNotReferable(
            f"{service.name} has paused referrals for now, so it cannot be chosen. "
            "Choose another service."
        )
    raise ServiceNotReferable(
        f"{service.name} cannot take referrals: its vetting is not current. Choose another service."
    )


@transaction.atomic
def create_service_referral(
    *,
    referral: Referral,
    service: Service,
    by: User,
    provider_needs_to_know: str,
    goals: Iterable = (),
) -> ServiceReferral:
    """Refer the patient on to a referable service, with consent; the provider is emailed a link.

    `goals` are the case's goals this referral serves: the casework app declares the
    many-to-many (reverse accessor `goals` on ServiceReferral) and passes them here.
    """
    require_team_member(by, referral)
    referral = locked_referral(referral)
    if not referral.is_open_case:
        raise IllegalTransition(
            f"Referral {referral.reference} is {referral.get_status_display().lower()}, "
            "so the patient cannot be referred on."
        )
    patient = Patient.objects.get(pk=referral.patient_id)
    if not patient.consent_to_share:
        raise NoConsentToShare(NO_CONSENT_MESSAGE.format(patient=patient.full_name))
    service = Service.objects.select_related("provider").get(pk=service.pk)
    _refuse_unreferable(service)
    what_to_know = provider_needs_to_know.strip()
    if not what_to_know:
        raise ValidationError(
            {"provider_needs_to_know": "Say what the provider needs to know about the patient."}
        )
    already = ServiceReferral.objects.filter(referral=referral, service=service).exclude(
        status__in=FINAL_SERVICE_REFERRAL_STATUSES
    )
    if already.exists():
        raise AlreadyReferredToService(
            f"{patient.full_name} already has an open referral to {service.name}."
        )
    now = timezone.now()
    service_referral = ServiceReferral.objects.create(
        referral=referral,
        service=service,
        referred_by=by,
        provider_needs_to_know=what_to_know,
        status=ServiceReferralStatus.SENT,
        sent_at=now,
    )
    goals = list(goals)
    if goals:
        service_referral.goals.add(*goals)
    ServiceReferralEvent.objects.create(
        service_referral=service_referral,
        actor=by,
        occurred_at=now,
        to_status=ServiceReferralStatus.SENT,
    )
    record_audit_event(
        actor=by,
        action="create",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"{referral.reference} referred on to {service.name}",
    )
    issue_provider_link(service_referral=service_referral, service=service, by=by)
    return service_referral


def _authorise_answer(
    *,
    service_referral: ServiceReferral,
    referral: Referral,
    service: Service,
    by: User | None,
    link: ProviderLink | None,
    team_only: bool,
) -> bool:
    """Who may change this onward referral; returns whether it is the provider answering."""
    if link is not None and not team_only:
        if link.service_referral_id != service_referral.pk:
            raise NotForThisProvider("This link is for another referral.")
        problem = provider_links.problem_with(link, service_referral)
        if problem:
            raise IllegalTransition(f"This link can no longer be used ({problem}).")
        return True
    if by is None:
        raise NotForThisProvider("Sign in, or use the link you were emailed.")
    if by.is_team_member(referral.team_id):
        return False
    if not team_only and is_provider_user(by, service):
        return True
    raise NotForThisProvider(
        "Only the coordinator team can do this."
        if team_only
        else "Only the coordinator team or the service's provider can do this."
    )


def _change_service_referral(
    *,
    service_referral: ServiceReferral,
    action: str,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
    fields: dict | None = None,
    team_only: bool = False,
    system: bool = False,
) -> ServiceReferral:
    service_referral = locked_service_referral(service_referral)
    referral = Referral.objects.get(pk=service_referral.referral_id)
    service = Service.objects.select_related("provider").get(pk=service_referral.service_id)
    by_provider = False
    if not system:
        by_provider = _authorise_answer(
            service_referral=service_referral,
            referral=referral,
            service=service,
            by=by,
            link=link,
            team_only=team_only,
        )
    to_status, allowed = SERVICE_REFERRAL_TRANSITIONS[action]
    if service_referral.status not in allowed:
        raise IllegalTransition(
            f"The referral to {service.name} is "
            f"{service_referral.get_status_display().lower()}, so it cannot be {_DONE[action]}."
        )
    now = timezone.now()
    from_status = service_referral.status
    service_referral.status = to_status
    timestamp = ServiceReferral.STATE_TIMESTAMPS[to_status]
    changes = {timestamp: now, **(fields or {})}
    for name, value in changes.items():
        setattr(service_referral, name, value)
    service_referral.save(update_fields=["status", *changes])
    ServiceReferralEvent.objects.create(
        service_referral=service_referral,
        actor=by if link is None else None,
        link=link,
        occurred_at=now,
        from_status=from_status,
        to_status=to_status,
        note=note.strip(),
    )
    via = f" via emailed link {link.pk} ({link.recipient_email})" if link is not None else ""
    record_audit_event(
        actor=by if link is None else None,
        action=action,
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"{service.name}: {from_status} → {to_status}{via}",
    )
    if by_provider and referral.assigned_to_id:
        notify(
            recipient=User.objects.get(pk=referral.assigned_to_id),
            verb=f"service_referral_{to_status}",
            message=f"{service.name} {_DONE[action]} the referral for {referral.reference}.",
            link=reverse("referrals:detail", args=[referral.reference]),
        )
    return service_referral


@transaction.atomic
def accept_service_referral(
    *,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    return _change_service_referral(
        service_referral=service_referral, action="accept", by=by, link=link, note=note
    )


@transaction.atomic
def decline_service_referral(
    *,
    service_referral: ServiceReferral,
    reason: str,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    if reason not in ServiceDeclineReason.values:
        raise ValidationError({"reason": "Choose why the referral is declined."})
    if reason == ServiceDeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": "Say why the referral is declined."})
    return _change_service_referral(
        service_referral=service_referral,
        action="decline",
        by=by,
        link=link,
        note=note,
        fields={"decline_reason": reason},
    )


@transaction.atomic
def record_service_attended(
    *,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    return _change_service_referral(
        service_referral=service_referral, action="attended", by=by, link=link, note=note
    )


@transaction.atomic
def record_service_did_not_attend(
    *,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    return _change_service_referral(
        service_referral=service_referral, action="did_not_attend", by=by, link=link, note=note
    )


@transaction.atomic
def complete_service_referral(
    *,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    return _change_service_referral(
        service_referral=service_referral, action="completed", by=by, link=link, note=note
    )


@transaction.atomic
def withdraw_service_referral(
    *, service_referral: ServiceReferral, by: User, note: str = ""
) -> ServiceReferral:
    """The coordinator withdraws the referral at any open point."""
    return _change_service_referral(
        service_referral=service_referral, action="withdraw", by=by, note=note, team_only=True
    )


@transaction.atomic
def mark_no_response(*, service_referral: ServiceReferral, note: str = "") -> ServiceReferral:
    """The provider never answered (called by the reminders job; a late answer still counts)."""
    return _change_service_referral(
        service_referral=service_referral,
        action="no_response",
        note=note or "No answer from the provider.",
        system=True,
    )


def answer_service_referral(
    *,
    action: str,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    reason: str = "",
    note: str = "",
) -> ServiceReferral:
    """Pages and the API name the provider's answer; this picks its one service function."""
    if action == "decline":
        return decline_service_referral(
            service_referral=service_referral, reason=reason, by=by, link=link, note=note
        )
    run = {
        "accept": accept_service_referral,
        "attended": record_service_attended,
        "did_not_attend": record_service_did_not_attend,
        "completed": complete_service_referral,
    }[action]
    return run(service_referral=service_referral, by=by, link=link, note=note)
