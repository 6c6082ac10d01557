"""Onward referrals to community services: one function per action of their machine
(`referrals.models.SERVICE_REFERRAL_MACHINE`), each through `common.state_machine.change_state`."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify, record_audit_event
from common.state_machine import Party, StateChange, Transition, change_state
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
    SERVICE_REFERRAL_MACHINE,
    Patient,
    ProviderLink,
    Referral,
    ServiceDeclineReason,
    ServiceReferral,
    ServiceReferralAction,
    ServiceReferralEvent,
    ServiceReferralStatus,
)
from ..selectors import is_provider_user
from .guards import locked_referral, require_team_member
from .provider_emails import issue_provider_link

NO_CONSENT_MESSAGE = (
    "{patient} has not consented to their details being shared with community services, so "
    "they cannot be referred on. Ask them, then record their consent on the referral "
    "(Record consent to share)."
)
_DONE = {
    ServiceReferralAction.ACCEPT: "accepted",
    ServiceReferralAction.DECLINE: "declined",
    ServiceReferralAction.ATTENDED: "marked as attended",
    ServiceReferralAction.DID_NOT_ATTEND: "marked as did not attend",
    ServiceReferralAction.COMPLETED: "marked as completed",
    ServiceReferralAction.WITHDRAW: "withdrawn",
    ServiceReferralAction.NO_RESPONSE: "marked as no response",
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


@dataclass
class _Change:
    """One change to an onward referral: who makes it, and the case and service, read after
    the lock, that say whether they may and go into the messages and the audit row."""

    action: ServiceReferralAction
    by: User | None
    link: ProviderLink | None
    note: str
    fields: dict[str, object]
    referral: Referral = field(init=False)
    service: Service = field(init=False)
    by_provider: bool = False
    at: datetime.datetime = field(init=False)

    def authorise(self, locked: ServiceReferral, transition: Transition[str]) -> None:
        self.referral = Referral.objects.get(pk=locked.referral_id)
        self.service = Service.objects.select_related("provider").get(pk=locked.service_id)
        if transition.by == (Party.SYSTEM,):
            return
        self.by_provider = _authorise_answer(
            service_referral=locked,
            referral=self.referral,
            service=self.service,
            by=self.by,
            link=self.link,
            team_only=Party.PROVIDER not in transition.by,
        )

    def refuse(self, locked: ServiceReferral, action: ServiceReferralAction) -> IllegalTransition:
        return IllegalTransition(
            f"The referral to {self.service.name} is "
            f"{locked.get_status_display().lower()}, so it cannot be {_DONE[action]}."
        )

    def changes(self, locked: ServiceReferral) -> dict[str, object]:
        """Each state sets its own timestamp."""
        self.at = timezone.now()
        to_state = SERVICE_REFERRAL_MACHINE[self.action].to_state
        return {ServiceReferral.STATE_TIMESTAMPS[to_state]: self.at, **self.fields}

    def record(self, change: StateChange[ServiceReferral, ServiceReferralAction, str]) -> None:
        """The event (who, or which emailed link), the audit row, and a word to the coordinator
        when the provider answered."""
        service_referral, referral, service = change.instance, self.referral, self.service
        link = self.link
        ServiceReferralEvent.objects.create(
            service_referral=service_referral,
            actor=self.by if link is None else None,
            link=link,
            occurred_at=self.at,
            from_status=change.from_state,
            to_status=change.to_state,
            note=self.note.strip(),
        )
        via = f" via emailed link {link.pk} ({link.recipient_email})" if link is not None else ""
        record_audit_event(
            actor=self.by if link is None else None,
            action=change.transition.event,
            object_type="service_referral",
            object_id=service_referral.pk,
            patient_id=referral.patient_id,
            team_id=referral.team_id,
            detail=f"{service.name}: {change.from_state} → {change.to_state}{via}",
        )
        if self.by_provider and referral.assigned_to_id:
            notify(
                recipient=User.objects.get(pk=referral.assigned_to_id),
                verb=f"service_referral_{change.to_state}",
                message=f"{service.name} {_DONE[change.action]} the referral for "
                f"{referral.reference}.",
                link=reverse("referrals:detail", args=[referral.reference]),
            )


def _change_service_referral(
    *,
    service_referral: ServiceReferral,
    action: ServiceReferralAction,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
    fields: dict | None = None,
) -> ServiceReferral:
    this = _Change(action=action, by=by, link=link, note=note, fields=fields or {})
    return change_state(
        service_referral,
        machine=SERVICE_REFERRAL_MACHINE,
        action=action,
        authorise=this.authorise,
        refuse=this.refuse,
        changes=this.changes,
        record=this.record,
    ).instance


@transaction.atomic
def accept_service_referral(
    *,
    service_referral: ServiceReferral,
    by: User | None = None,
    link: ProviderLink | None = None,
    note: str = "",
) -> ServiceReferral:
    return _change_service_referral(
        service_referral=service_referral,
        action=ServiceReferralAction.ACCEPT,
        by=by,
        link=link,
        note=note,
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
        action=ServiceReferralAction.DECLINE,
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
        service_referral=service_referral,
        action=ServiceReferralAction.ATTENDED,
        by=by,
        link=link,
        note=note,
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
        service_referral=service_referral,
        action=ServiceReferralAction.DID_NOT_ATTEND,
        by=by,
        link=link,
        note=note,
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
        service_referral=service_referral,
        action=ServiceReferralAction.COMPLETED,
        by=by,
        link=link,
        note=note,
    )


@transaction.atomic
def withdraw_service_referral(
    *, service_referral: ServiceReferral, by: User, note: str = ""
) -> ServiceReferral:
    """The coordinator withdraws the referral at any open point."""
    return _change_service_referral(
        service_referral=service_referral, action=ServiceReferralAction.WITHDRAW, by=by, note=note
    )


@transaction.atomic
def mark_no_response(*, service_referral: ServiceReferral, note: str = "") -> ServiceReferral:
    """The provider never answered (called by the reminders job; a late answer still counts)."""
    return _change_service_referral(
        service_referral=service_referral,
        action=ServiceReferralAction.NO_RESPONSE,
        note=note or "No answer from the provider.",
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
    if action == ServiceReferralAction.DECLINE:
        return decline_service_referral(
            service_referral=service_referral, reason=reason, by=by, link=link, note=note
        )
    run = {
        ServiceReferralAction.ACCEPT: accept_service_referral,
        ServiceReferralAction.ATTENDED: record_service_attended,
        ServiceReferralAction.DID_NOT_ATTEND: record_service_did_not_attend,
        ServiceReferralAction.COMPLETED: complete_service_referral,
    }[action]
    return run(service_referral=service_referral, by=by, link=link, note=note)
