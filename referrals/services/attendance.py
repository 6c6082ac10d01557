"""Did the patient go? The attendance check asks them; their answer sits beside the provider's."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Reminder, User
from accounts.services import (
    ReminderRequest,
    create_reminders_in_chunks,
    notify,
    record_audit_event,
)
from community_services.models import Service

from ..errors import IllegalTransition
from ..models import (
    OPEN_STATUSES,
    PATIENT_ANSWERABLE_STATUSES,
    PatientAttendanceAnswer,
    Referral,
    ServiceReferral,
    ServiceReferralEvent,
    ServiceReferralStatus,
)
from .guards import locked_service_referral
from .sweeps import patient_recipient


def sweep_attendance_check(now: datetime.datetime) -> list[Reminder]:
    """Accepted onward referrals the provider never marked attended or not: after
    ATTENDANCE_CHECK_AFTER_DAYS the patient (only on the channels they consented to) is asked
    whether they went, and again that long after a "not yet". The occurrence is the moment the
    wait started, so each wait asks once however often the sweep runs."""
    before = now - datetime.timedelta(days=settings.ATTENDANCE_CHECK_AFTER_DAYS)
    candidates = (
        ServiceReferral.objects.filter(
            status=ServiceReferralStatus.ACCEPTED, referral__status__in=OPEN_STATUSES
        )
        .filter(
            Q(patient_reported_attendance="", accepted_at__lte=before)
            | Q(
                patient_reported_attendance=PatientAttendanceAnswer.NOT_YET,
                patient_reported_at__lte=before,
            )
        )
        .filter(
            Q(referral__patient__consent_to_sms=True) | Q(referral__patient__consent_to_email=True)
        )
        .select_related("service", "referral__patient", "referral__team")
        .order_by("accepted_at", "pk")
    )

    def requests(chunk: list[ServiceReferral]) -> Iterator[ReminderRequest]:
        for service_referral in chunk:
            waiting_since = (
                service_referral.patient_reported_at
                if service_referral.patient_reported_attendance == PatientAttendanceAnswer.NOT_YET
                else service_referral.accepted_at
            )
            if waiting_since is None:  # not reached: the query only selects waits with a start
                continue
            referral = service_referral.referral
            yield ReminderRequest(
                kind="attendance_check",
                target_type="service_referral",
                target_id=service_referral.pk,
                occurrence=waiting_since.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                recipients=[patient_recipient(referral.patient)],
                context={
                    "service_name": service_referral.service.name,
                    "service_referral_id": service_referral.pk,
                    "team_name": referral.team.name,
                    "link_days": settings.ATTENDANCE_LINK_MAX_AGE_DAYS,
                },
                team=referral.team,
                patient_id=referral.patient_id,
            )

    return create_reminders_in_chunks(targets=candidates, build=requests)


@transaction.atomic
def record_patient_reported_attendance(
    *, service_referral: ServiceReferral, answer: str
) -> ServiceReferral:
    """The patient's answer from their signed link: kept beside the provider's answer, never
    instead of it (the status does not change), with an event, an audit row and a notice to the
    coordinator. The same answer twice records nothing new."""
    if answer not in PatientAttendanceAnswer.values:
        raise ValidationError({"answer": "Choose yes, no or not yet."})
    service_referral = locked_service_referral(service_referral)
    referral = Referral.objects.get(pk=service_referral.referral_id)
    service = Service.objects.get(pk=service_referral.service_id)
    if service_referral.status not in PATIENT_ANSWERABLE_STATUSES:
        raise IllegalTransition(
            f"The referral to {service.name} is "
            f"{service_referral.get_status_display().lower()}, so there is nothing to tell us."
        )
    if service_referral.patient_reported_attendance == answer:
        return service_referral
    now = timezone.now()
    service_referral.patient_reported_attendance = answer
    service_referral.patient_reported_at = now
    service_referral.save(update_fields=["patient_reported_attendance", "patient_reported_at"])
    label = PatientAttendanceAnswer(answer).label
    provider_answered = service_referral.status != ServiceReferralStatus.ACCEPTED
    ServiceReferralEvent.objects.create(
        service_referral=service_referral,
        by_patient=True,
        occurred_at=now,
        from_status=service_referral.status,
        to_status=service_referral.status,
        note=f"Did they go? {label}"
        + ("; the provider's answer stands" if provider_answered else ""),
    )
    record_audit_event(
        actor=None,
        action="patient_reported_attendance",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"{service.name}: the patient answered {answer} by their signed link",
    )
    if referral.assigned_to_id:
        notify(
            recipient=User.objects.get(pk=referral.assigned_to_id),
            verb="patient_reported_attendance",
            message=f"Asked whether they went to {service.name}, the patient of "
            f"{referral.reference} answered: {_PATIENT_ANSWER_WORDS[answer]}.",
            link=reverse(
                "referrals:service-referral", args=[referral.reference, service_referral.pk]
            ),
        )
    return service_referral


_PATIENT_ANSWER_WORDS = {"yes": "yes", "no": "no", "not_yet": "not yet"}
