"""Reminder sweeps run by beat (through accounts.services.run_sweep): a referral waiting for
triage, a provider not answering, an onward service whose vetting lapsed."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import TEAM_ROLES, Membership, Reminder, ReminderChannel
from accounts.services import (
    Recipient,
    ReminderRequest,
    create_reminders,
    create_reminders_in_chunks,
    record_audit_event,
    user_recipient,
)
from community_services.models import Service, ServiceStatus

from ..models import (
    FINAL_SERVICE_REFERRAL_STATUSES,
    OPEN_STATUSES,
    Patient,
    ProviderLink,
    ProviderLinkPurpose,
    Referral,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralStatus,
    Urgency,
)
from ..selectors import referral_contact_email, triage_deadline
from .guards import locked_service_referral
from .onward import mark_no_response
from .provider_emails import issue_provider_link


def patient_recipient(patient: Patient) -> Recipient:
    """A patient as a reminder recipient: only the channels they consented to; a missing number
    or address is recorded on the reminder when it is created, not raised."""
    channels = []
    if patient.consent_to_sms:
        channels.append(ReminderChannel.SMS)
    if patient.consent_to_email:
        channels.append(ReminderChannel.EMAIL)
    return Recipient(
        key=f"patient:{patient.pk}",
        channels=tuple(channels),
        name=patient.given_name,
        email=patient.email,
        phone=patient.phone,
    )


def sweep_referral_waiting(now: datetime.datetime) -> list[Reminder]:
    """Received referrals not triaged in time → the receiving team's coordinators and managers,
    once per referral."""
    shortest = min(
        settings.REFERRAL_TRIAGE_WORKING_DAYS_URGENT, settings.REFERRAL_TRIAGE_WORKING_DAYS
    )
    # n working days are at least n calendar days: the database narrows, Python decides.
    candidates = [
        referral
        for referral in Referral.objects.filter(
            status=ReferralStatus.RECEIVED,
            received_at__lte=now - datetime.timedelta(days=shortest),
        ).select_related("team")
        if triage_deadline(referral) <= now
    ]
    members: dict[int, list[Recipient]] = {}
    for membership in (
        Membership.objects.filter(
            organisation_id__in={r.team_id for r in candidates},
            role__in=TEAM_ROLES,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    ):
        team_recipients = members.setdefault(membership.organisation_id, [])
        if all(r.user is None or r.user.pk != membership.user_id for r in team_recipients):
            team_recipients.append(user_recipient(membership.user))

    def requests(chunk: list[Referral]) -> Iterator[ReminderRequest]:
        for referral in chunk:
            yield ReminderRequest(
                kind="referral_waiting",
                target_type="referral",
                target_id=referral.pk,
                occurrence="triage",
                recipients=members.get(referral.team_id, []),
                context={
                    "referral_reference": referral.reference,
                    "urgent": referral.urgency == Urgency.URGENT,
                    "received_display": (
                        f"{timezone.localtime(referral.received_at):%-d %B %Y %H:%M}"
                    ),
                    "team_name": referral.team.name,
                },
                link=reverse("referrals:detail", args=[referral.reference]),
                team=referral.team,
                patient_id=referral.patient_id,
            )

    return create_reminders_in_chunks(targets=candidates, build=requests)


def _coordinator_of(referral: Referral) -> list[Recipient]:
    """The case's coordinator, if it has an active one."""
    user = referral.assigned_to
    return [user_recipient(user)] if user is not None and user.is_active else []


def _onward_reminder(
    *,
    kind: str,
    service_referral: ServiceReferral,
    occurrence: str,
    context: dict[str, Any],
    link: str,
) -> list[Reminder]:
    referral = service_referral.referral
    return create_reminders(
        kind=kind,
        target_type="service_referral",
        target_id=service_referral.pk,
        occurrence=occurrence,
        recipients=_coordinator_of(referral),
        context={
            "referral_reference": referral.reference,
            "service_name": service_referral.service.name,
            "sent_display": f"{timezone.localtime(service_referral.sent_at):%-d %B %Y}",
            **context,
        },
        link=link,
        team=referral.team,
        patient_id=referral.patient_id,
    )


@transaction.atomic
def send_provider_reminder_link(*, service_referral: ServiceReferral) -> ProviderLink | None:
    """Nudge a provider who has not answered: a fresh link replaces the current one even while
    that one is still valid (the team's own "fresh link" waits for expiry), so only the newest
    works. Once per onward referral; None when already nudged, answered or without an address."""
    service_referral = locked_service_referral(service_referral)
    if service_referral.status != ServiceReferralStatus.SENT:
        return None
    if service_referral.links.filter(purpose=ProviderLinkPurpose.REMINDER).exists():
        return None
    service = Service.objects.select_related("provider").get(pk=service_referral.service_id)
    replaced = service_referral.links.order_by("-issued_at", "-id").first()
    link = issue_provider_link(
        service_referral=service_referral,
        service=service,
        by=None,
        purpose=ProviderLinkPurpose.REMINDER,
    )
    if link is not None:
        patient_id, team_id = Referral.objects.values_list("patient_id", "team_id").get(
            pk=service_referral.referral_id
        )
        record_audit_event(
            actor=None,
            action="send_link",
            object_type="service_referral",
            object_id=service_referral.pk,
            patient_id=patient_id,
            team_id=team_id,
            detail=f"reminder link {link.pk} to {link.recipient_email}"
            + (f", replacing link {replaced.pk}" if replaced else ""),
        )
    return link


@transaction.atomic
def _nudge_provider(service_referral: ServiceReferral) -> list[Reminder]:
    if locked_service_referral(service_referral).status != ServiceReferralStatus.SENT:
        return []
    send_provider_reminder_link(service_referral=service_referral)
    referral = service_referral.referral
    return _onward_reminder(
        kind="provider_nudged",
        service_referral=service_referral,
        occurrence="nudge",
        context={
            "days": settings.PROVIDER_NUDGE_AFTER_DAYS,
            "give_up_days": settings.PROVIDER_NO_RESPONSE_AFTER_DAYS,
            "provider_email": referral_contact_email(service_referral.service),
        },
        link=reverse("referrals:service-referral", args=[referral.reference, service_referral.pk]),
    )


@transaction.atomic
def _give_up_on_provider(service_referral: ServiceReferral) -> list[Reminder]:
    if locked_service_referral(service_referral).status != ServiceReferralStatus.SENT:
        return []
    mark_no_response(
        service_referral=service_referral,
        note=f"No answer from the provider after {settings.PROVIDER_NO_RESPONSE_AFTER_DAYS} days.",
    )
    referral = service_referral.referral
    return _onward_reminder(
        kind="provider_no_response",
        service_referral=service_referral,
        occurrence="no_response",
        context={"days": settings.PROVIDER_NO_RESPONSE_AFTER_DAYS},
        # The referral page leads on to the case, where another service is chosen.
        link=reverse("referrals:detail", args=[referral.reference]),
    )


def sweep_provider_not_answering(now: datetime.datetime) -> list[Reminder]:
    """Onward referrals still "sent": after PROVIDER_NUDGE_AFTER_DAYS (7) the provider gets a
    fresh link and the coordinator is told; after PROVIDER_NO_RESPONSE_AFTER_DAYS (14) it is
    marked "no response" and the coordinator is asked to choose another service. Each onward
    referral in its own transaction, re-checked under its row lock."""
    give_up_before = now - datetime.timedelta(days=settings.PROVIDER_NO_RESPONSE_AFTER_DAYS)
    waiting = (
        ServiceReferral.objects.filter(
            status=ServiceReferralStatus.SENT,
            sent_at__lte=now - datetime.timedelta(days=settings.PROVIDER_NUDGE_AFTER_DAYS),
            referral__status__in=OPEN_STATUSES,
        )
        .select_related("service__provider", "referral__assigned_to", "referral__team")
        .order_by("sent_at", "pk")
    )
    created: list[Reminder] = []
    for service_referral in waiting:
        if service_referral.sent_at <= give_up_before:
            created += _give_up_on_provider(service_referral)
        else:
            created += _nudge_provider(service_referral)
    return created


def sweep_onward_service_expired(now: datetime.datetime) -> list[Reminder]:
    """Services whose vetting lapsed recently (the directory expires them) → the coordinator of
    each case with an open onward referral to one, once per onward referral and lapse."""
    today = timezone.localdate(now)
    since = today - datetime.timedelta(days=settings.VETTING_EXPIRED_NOTICE_WINDOW_DAYS)
    affected = (
        ServiceReferral.objects.filter(
            service__status=ServiceStatus.EXPIRED,
            service__vetted_until__gte=since,
            service__vetted_until__lt=today,
            referral__status__in=OPEN_STATUSES,
        )
        .exclude(status__in=FINAL_SERVICE_REFERRAL_STATUSES)
        .select_related("service", "referral__assigned_to", "referral__team")
        .order_by("service_id", "pk")
    )
    created: list[Reminder] = []
    for service_referral in affected:
        referral, service = service_referral.referral, service_referral.service
        created += _onward_reminder(
            kind="onward_service_expired",
            service_referral=service_referral,
            occurrence=f"vetting-lapsed-{service.vetted_until.isoformat()}",
            context={
                "vetted_until_display": f"{service.vetted_until:%-d %B %Y}",
                "status_display": service_referral.get_status_display().lower(),
            },
            link=reverse(
                "referrals:service-referral", args=[referral.reference, service_referral.pk]
            ),
        )
    return created
