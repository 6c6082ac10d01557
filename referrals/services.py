"""Every write to patients and referrals. One function per status change."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, Reminder, ReminderChannel, Role, User
from accounts.services import (
    Recipient,
    create_reminders,
    notify,
    record_audit_event,
    user_recipient,
)
from accounts.working_days import add_working_days

from .errors import (
    IllegalTransition,
    NoTeamServesPractice,
    NotInReceivingTeam,
    ReferralAlreadyTaken,
)
from .models import (
    ClosureOutcome,
    ContactMethod,
    DeclineReason,
    Patient,
    Referral,
    ReferralEvent,
    ReferralStatus,
    TeamCoverage,
    Urgency,
)
from .nhs_number import normalise

TEAM_ROLES = (Role.COORDINATOR, Role.MANAGER)
PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex_or_gender",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact_method",
    "interpreter_needed",
    "language",
    "accessible_formats",
)
REFERRAL_FIELDS = ("reasons", "help_wanted", "urgency", "risk_flag", "risk_notes", "access_needs")


@dataclass(frozen=True)
class ReceivedReferral:
    referral: Referral
    patient_created: bool


# --- Intake


@transaction.atomic
def receive_referral(
    *, referred_by: User, practice: Organisation, patient: dict, referral: dict
) -> ReceivedReferral:
    """A practice refers a patient: the patient is matched by NHS number, never duplicated."""
    if not patient.get("consent_to_referral"):
        raise ValidationError({"consent_to_referral": "The patient must consent to be referred."})
    coverage = TeamCoverage.objects.select_related("team").filter(practice=practice).first()
    if coverage is None:
        raise NoTeamServesPractice(
            f"No coordinator team receives referrals from {practice.name} yet. "
            "Ask the service administrator to set one up."
        )
    record, created = _match_or_create_patient(
        recorded_by=referred_by, practice=practice, data=patient
    )
    now = timezone.now()
    new = Referral.objects.create(
        patient=record,
        referring_practice=practice,
        referred_by=referred_by,
        team=coverage.team,
        status=ReferralStatus.RECEIVED,
        received_at=now,
        **{field: referral[field] for field in REFERRAL_FIELDS if field in referral},
    )
    ReferralEvent.objects.create(
        referral=new, actor=referred_by, occurred_at=now, to_status=ReferralStatus.RECEIVED
    )
    record_audit_event(
        actor=referred_by,
        action="create",
        object_type="referral",
        object_id=new.pk,
        patient_id=record.pk,
        detail=f"received {new.reference} for {coverage.team.name}",
    )
    return ReceivedReferral(referral=new, patient_created=created)


def _match_or_create_patient(
    *, recorded_by: User, practice: Organisation, data: dict
) -> tuple[Patient, bool]:
    nhs_number = normalise(data["nhs_number"])
    values = {field: data[field] for field in PATIENT_FIELDS if field in data}
    try:
        with transaction.atomic():
            record, created = Patient.objects.select_for_update().get_or_create(
                nhs_number=nhs_number, defaults={**values, "registered_practice": practice}
            )
    except IntegrityError:
        # Another request created the same patient a moment ago: match it.
        record, created = Patient.objects.select_for_update().get(nhs_number=nhs_number), False
    changed = _record_consents(patient=record, recorded_by=recorded_by, data=data)
    if not created:
        for field, value in values.items():
            if getattr(record, field) != value:
                setattr(record, field, value)
                changed.append(field)
        if record.registered_practice_id != practice.pk:
            record.registered_practice = practice
            changed.append("registered_practice")
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
    record_audit_event(
        actor=recorded_by,
        action="create" if created else ("update" if changed else "match"),
        object_type="patient",
        object_id=record.pk,
        patient_id=record.pk,
        detail=", ".join(sorted(changed)) if changed and not created else "",
    )
    return record, created


def _record_consents(*, patient: Patient, recorded_by: User, data: dict) -> list[str]:
    """Each consent keeps who recorded it and when; only a change is re-recorded."""
    now, changed = timezone.now(), []
    for consent in Patient.CONSENTS:
        if consent not in data:
            continue
        given = bool(data[consent])
        if getattr(patient, consent) == given and getattr(patient, f"{consent}_recorded_at"):
            continue
        setattr(patient, consent, given)
        setattr(patient, f"{consent}_recorded_by", recorded_by)
        setattr(patient, f"{consent}_recorded_at", now)
        changed += [consent, f"{consent}_recorded_by", f"{consent}_recorded_at"]
    return changed


# --- Triage and casework: one function per transition


def team_members(team: Organisation):
    """Who in a team can hold referrals: its coordinators and managers."""
    return User.objects.filter(
        is_active=True, memberships__organisation=team, memberships__role__in=TEAM_ROLES
    ).distinct()


def _require_team_member(user: User, referral: Referral) -> None:
    if not Membership.objects.filter(
        user=user, organisation_id=referral.team_id, role__in=TEAM_ROLES
    ).exists():
        raise NotInReceivingTeam("Only the receiving coordinator team can do this.")


def _locked(referral: Referral) -> Referral:
    """Lock the row and read it afresh; related rows are loaded after the lock, never joined
    into it (a joined row would come from the snapshot taken before the wait)."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _refuse(referral: Referral, action: str, allowed: tuple[str, ...]) -> None:
    if referral.status not in allowed:
        raise IllegalTransition(
            f"Referral {referral.reference} is {referral.get_status_display().lower()}, "
            f"so it cannot be {action}."
        )


def _transition(
    *,
    referral: Referral,
    by: User,
    to_status: str,
    fields: dict,
    note: str,
    action: str,
    notify_referrer: bool = False,
) -> Referral:
    from_status = referral.status
    referral.status = to_status
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", *fields])
    event = ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        occurred_at=timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    record_audit_event(
        actor=by,
        action=action,
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        detail=f"{from_status} → {to_status}",
    )
    if notify_referrer:
        _notify_referrer(referral=referral, event=event)
    return referral


@transaction.atomic
def accept_referral(
    *, referral: Referral, by: User, assign_to: User | None = None, note: str = ""
) -> Referral:
    """Take a received referral and give it to a coordinator in the team (by default, oneself)."""
    _require_team_member(by, referral)
    referral = _locked(referral)
    if referral.status != ReferralStatus.RECEIVED:
        if referral.assigned_to_id:
            raise ReferralAlreadyTaken(
                f"Referral {referral.reference} was already accepted and assigned to "
                f"{referral.assigned_to.display_name}."
            )
        _refuse(referral, "accepted", (ReferralStatus.RECEIVED,))
    assignee = assign_to or by
    if not team_members(referral.team).filter(pk=assignee.pk).exists():
        raise ValidationError({"assign_to": "Choose a coordinator in the receiving team."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.ACCEPTED,
        fields={"assigned_to": assignee, "accepted_at": timezone.now()},
        note=note or f"Assigned to {assignee.display_name}.",
        action="accept",
        notify_referrer=True,
    )


@transaction.atomic
def decline_referral(*, referral: Referral, by: User, reason: str, note: str = "") -> Referral:
    _require_team_member(by, referral)
    referral = _locked(referral)
    _refuse(referral, "declined", (ReferralStatus.RECEIVED,))
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": "Choose why the referral is declined."})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": "Say why the referral is declined."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.DECLINED,
        fields={"decline_reason": reason, "closed_at": timezone.now()},
        note=note,
        action="decline",
        notify_referrer=True,
    )


@transaction.atomic
def record_first_contact(
    *, referral: Referral, by: User, contacted_on: datetime.date, method: str, note: str = ""
) -> Referral:
    """First contact with the patient: the main waiting-time figure."""
    _require_team_member(by, referral)
    referral = _locked(referral)
    _refuse(referral, "marked as contacted", (ReferralStatus.ACCEPTED,))
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Choose how the patient was contacted."})
    if contacted_on > timezone.localdate():
        raise ValidationError(
            {"contacted_on": "The date of first contact must be today or in the past."}
        )
    if contacted_on < timezone.localtime(referral.received_at).date():
        raise ValidationError(
            {
                "contacted_on": "The date of first contact cannot be before the referral "
                "was received."
            }
        )
    contacted_at = timezone.make_aware(datetime.datetime.combine(contacted_on, datetime.time(12)))
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.IN_PROGRESS,
        fields={
            "first_contact_at": min(contacted_at, timezone.now()),
            "first_contact_method": method,
        },
        note=note,
        action="first_contact",
    )


@transaction.atomic
def record_unable_to_contact(
    *, referral: Referral, by: User, attempts: int, note: str = ""
) -> Referral:
    """After repeated attempts without reaching the patient, the referral closes."""
    _require_team_member(by, referral)
    referral = _locked(referral)
    _refuse(referral, "closed as unable to contact", (ReferralStatus.ACCEPTED,))
    if attempts < 1:
        raise ValidationError({"attempts": "Record how many attempts were made."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.CLOSED,
        fields={
            "contact_attempts": attempts,
            "outcome": ClosureOutcome.UNABLE_TO_CONTACT,
            "outcome_summary": note or f"Unable to contact after {attempts} attempts.",
            "closed_at": timezone.now(),
        },
        note=note,
        action="close",
        notify_referrer=True,
    )


@transaction.atomic
def close_referral(*, referral: Referral, by: User, outcome: str, summary: str = "") -> Referral:
    _require_team_member(by, referral)
    referral = _locked(referral)
    _refuse(referral, "closed", (ReferralStatus.IN_PROGRESS,))
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.CLOSED,
        fields={"outcome": outcome, "outcome_summary": summary, "closed_at": timezone.now()},
        note=summary,
        action="close",
        notify_referrer=True,
    )


@transaction.atomic
def record_patient_declined(*, referral: Referral, by: User, note: str = "") -> Referral:
    """The patient no longer wants the service; recorded by the team or the referring practice."""
    is_referrer = Membership.objects.filter(
        user=by, organisation_id=referral.referring_practice_id, role=Role.REFERRER
    ).exists()
    if not is_referrer:
        _require_team_member(by, referral)
    referral = _locked(referral)
    _refuse(
        referral,
        "marked as declined by the patient",
        (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED),
    )
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.PATIENT_DECLINED,
        fields={"closed_at": timezone.now()},
        note=note,
        action="patient_declined",
    )


# --- Telling the referrer


_NOTICE = {
    ReferralStatus.ACCEPTED: "Referral {ref} for {patient} was accepted by {team}.",
    ReferralStatus.DECLINED: "Referral {ref} for {patient} was declined: {reason}.",
    ReferralStatus.CLOSED: "Referral {ref} for {patient} was closed: {outcome}.",
}


def referrer_notice(referral: Referral, to_status: str) -> str:
    return _NOTICE[to_status].format(
        ref=referral.reference,
        patient=referral.patient.full_name,
        team=referral.team.name,
        reason=referral.get_decline_reason_display().lower(),
        outcome=referral.get_outcome_display().lower(),
    )


def _notify_referrer(*, referral: Referral, event: ReferralEvent) -> None:
    from .tasks import email_referrer_about_event

    notify(
        recipient=referral.referred_by,
        verb=f"referral_{event.to_status}",
        message=referrer_notice(referral, event.to_status),
        link=reverse("referrals:detail", args=[referral.reference]),
    )
    transaction.on_commit(lambda: email_referrer_about_event.delay(event_id=event.pk))


@transaction.atomic
def email_referrer_about_event(*, event_id: int) -> bool:
    """Send the referrer the email for one status change, once: a retry never sends it twice."""
    event = (
        ReferralEvent.objects.select_for_update(of=("self",))
        .select_related("referral__patient", "referral__team", "referral__referred_by")
        .get(pk=event_id)
    )
    if event.referrer_emailed_at is not None:
        return False
    referral = event.referral
    recipient = referral.referred_by
    if not recipient.email or not recipient.is_active:
        return False
    send_mail(
        subject=f"Social prescribing referral {referral.reference}: "
        f"{event.get_to_status_display().lower()}",
        message=(
            f"{referrer_notice(referral, event.to_status)}\n\n"
            "Sign in to the social prescribing service to see the details."
        ),
        from_email=None,
        recipient_list=[recipient.email],
    )
    event.referrer_emailed_at = timezone.now()
    event.save(update_fields=["referrer_emailed_at"])
    return True


def record_referral_viewed(*, referral: Referral, by: User, via: str = "page") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        detail=f"viewed {referral.reference} ({via})",
    )


def record_referral_list_viewed(*, by: User, what: str, count: int) -> None:
    record_audit_event(
        actor=by, action="view_list", object_type="referral", detail=f"{what}: {count} shown"
    )


def record_patient_viewed(*, patient: Patient, by: User, detail: str = "") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=detail,
    )


# --- Reminders


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


def triage_deadline(referral: Referral) -> datetime.datetime:
    """When a received referral counts as waiting too long: 2 working days (urgent: 1)."""
    days = (
        settings.REFERRAL_TRIAGE_WORKING_DAYS_URGENT
        if referral.urgency == Urgency.URGENT
        else settings.REFERRAL_TRIAGE_WORKING_DAYS
    )
    return add_working_days(timezone.localtime(referral.received_at), days)


@transaction.atomic
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
        if all(r.user.pk != membership.user_id for r in team_recipients):
            team_recipients.append(user_recipient(membership.user))
    created: list[Reminder] = []
    for referral in candidates:
        created += create_reminders(
            kind="referral_waiting",
            target_type="referral",
            target_id=referral.pk,
            occurrence="triage",
            recipients=members.get(referral.team_id, []),
            context={
                "referral_reference": referral.reference,
                "urgent": referral.urgency == Urgency.URGENT,
                "received_display": f"{timezone.localtime(referral.received_at):%-d %B %Y %H:%M}",
                "team_name": referral.team.name,
            },
            link=reverse("referrals:detail", args=[referral.reference]),
            team=referral.team,
            patient_id=referral.patient_id,
        )
    return created
