"""Every write to patients and referrals. One function per status change."""

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Reminder,
    ReminderChannel,
    Role,
    User,
)
from accounts.services import (
    Listed,
    Recipient,
    ReminderRequest,
    create_reminders,
    create_reminders_in_chunks,
    notify,
    record_audit_event,
    record_list_viewed,
    user_recipient,
)
from accounts.working_days import add_working_days
from common.enqueue import send_task, send_task_after_commit
from common.input_limits import check_event_dates, validate_date_of_birth
from community_services.models import Capacity, Service, ServiceStatus

from . import provider_links
from .errors import (
    AlreadyReferredToService,
    DetailsAlreadyResolved,
    IllegalTransition,
    LinkStillValid,
    NoConsentToShare,
    NoTeamServesPractice,
    NotForThisProvider,
    NotInReceivingTeam,
    ReferralAlreadyTaken,
    ServiceNotReferable,
)
from .models import (
    FINAL_SERVICE_REFERRAL_STATUSES,
    OPEN_STATUSES,
    PATIENT_ANSWERABLE_STATUSES,
    SERVICE_REFERRAL_TRANSITIONS,
    ClosureOutcome,
    ContactMethod,
    DeclineReason,
    Patient,
    PatientAttendanceAnswer,
    ProviderLink,
    ProviderLinkPurpose,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ReferralStatus,
    ServiceDeclineReason,
    ServiceReferral,
    ServiceReferralEvent,
    ServiceReferralStatus,
    TeamCoverage,
    Urgency,
)
from .nhs_number import normalise, validate_nhs_number

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
# What the referral keeps of what the referrer said about the patient.
REFERRAL_DETAILS_FIELDS = (*PATIENT_FIELDS, *Patient.CONSENTS)
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
    """A practice refers a patient: the patient is matched by NHS number, never duplicated.

    A known patient's record is never changed by a referral (any practice can type any NHS
    number): what the referrer said is kept on the referral, for the receiving team to compare.
    """
    if not patient.get("consent_to_referral"):
        raise ValidationError({"consent_to_referral": "The patient must consent to be referred."})
    try:
        validate_date_of_birth(patient["date_of_birth"])
    except ValidationError as exc:
        raise ValidationError({"date_of_birth": exc.messages}) from exc
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
    ReferralPatientDetails.objects.create(
        referral=new,
        nhs_number=record.nhs_number or "",
        created_patient=created,
        resolution=(
            ReferralPatientDetails.Resolution.NONE_NEEDED
            if created
            else ReferralPatientDetails.Resolution.PENDING
        ),
        **{field: patient[field] for field in REFERRAL_DETAILS_FIELDS if field in patient},
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
        team_id=new.team_id,
        detail=f"received {new.reference} for {coverage.team.name}",
    )
    return ReceivedReferral(referral=new, patient_created=created)


def _match_or_create_patient(
    *, recorded_by: User, practice: Organisation, data: dict
) -> tuple[Patient, bool]:
    """Find the patient by NHS number, or create them from the referral's details. A match
    changes nothing on the record: not identity, not the registered practice, not consent."""
    nhs_number = normalise(data["nhs_number"])
    try:
        validate_nhs_number(nhs_number)
    except ValidationError as exc:
        raise ValidationError({"nhs_number": exc.messages}) from exc
    values = {field: data[field] for field in PATIENT_FIELDS if field in data}
    try:
        with transaction.atomic():
            record, created = Patient.objects.select_for_update().get_or_create(
                nhs_number=nhs_number, defaults={**values, "registered_practice": practice}
            )
    except IntegrityError:
        # Another request created the same patient a moment ago: match it.
        record, created = Patient.objects.select_for_update().get(nhs_number=nhs_number), False
    if created:
        changed = _record_consents(patient=record, recorded_by=recorded_by, data=data)
        if changed:
            record.save(update_fields=[*changed, "updated_at"])
    record_audit_event(
        actor=recorded_by,
        action="create" if created else "match",
        object_type="patient",
        object_id=record.pk,
        patient_id=record.pk,
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


# --- The receiving team reconciles the referral's details with the patient's record


@transaction.atomic
def resolve_details_difference(
    *, referral: Referral, by: User, accept_fields: Collection[str]
) -> ReferralPatientDetails:
    """The team decides where a referral's details differ from the record: the fields named are
    copied into the record, the others are kept as they are (none named: the record is kept)."""
    _require_team_member(by, referral)
    details = ReferralPatientDetails.objects.select_for_update().get(referral_id=referral.pk)
    if details.is_resolved:
        raise DetailsAlreadyResolved(
            f"The details on referral {referral.reference} were already looked at: "
            f"{details.get_resolution_display().lower()}."
        )
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    differing = [difference.field for difference in details.differences(patient)]
    unknown = sorted(set(accept_fields) - set(differing))
    if unknown:
        raise ValidationError(
            {"fields": f"These details do not differ from the record: {', '.join(unknown)}."}
        )
    accepted = [name for name in differing if name in accept_fields]
    changed = []
    for name in accepted:
        setattr(patient, name, getattr(details, name))
        changed.append(name)
        if name in Patient.CONSENTS:
            # The consent was given to the referrer: who took it, and when, stays theirs.
            setattr(patient, f"{name}_recorded_by_id", referral.referred_by_id)
            setattr(patient, f"{name}_recorded_at", referral.received_at)
            changed += [f"{name}_recorded_by", f"{name}_recorded_at"]
    if changed:
        patient.full_clean(exclude=["registered_practice", "nhs_number"], validate_unique=False)
        patient.save(update_fields=[*changed, "updated_at"])
    Resolution = ReferralPatientDetails.Resolution
    if not accepted:
        details.resolution = Resolution.KEPT if differing else Resolution.NONE_NEEDED
    else:
        details.resolution = (
            Resolution.CONFIRMED if len(accepted) == len(differing) else Resolution.PARTLY_CONFIRMED
        )
    details.resolved_fields = accepted
    details.resolved_by = by
    details.resolved_at = timezone.now()
    details.save(update_fields=["resolution", "resolved_fields", "resolved_by", "resolved_at"])
    kept = [name for name in differing if name not in accepted]
    record_audit_event(
        actor=by,
        action="update" if accepted else "details_kept",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"details from {referral.reference}: copied in "
        f"{', '.join(accepted) or 'nothing'}; record kept for {', '.join(kept) or 'nothing'}",
    )
    return details


@transaction.atomic
def change_registered_practice(*, referral: Referral, by: User, practice: Organisation) -> Patient:
    """The receiving team moves the patient to another practice: never a referral's side effect."""
    _require_team_member(by, referral)
    if practice.kind != OrganisationKind.GP_PRACTICE:
        raise ValidationError({"practice": "Choose a GP practice."})
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    if patient.registered_practice_id == practice.pk:
        raise ValidationError(
            {"practice": f"{patient.full_name} is already registered with {practice.name}."}
        )
    before = Organisation.objects.get(pk=patient.registered_practice_id)
    patient.registered_practice = practice
    patient.save(update_fields=["registered_practice", "updated_at"])
    record_audit_event(
        actor=by,
        action="registered_practice_changed",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"{before.name} → {practice.name} (on {referral.reference})",
    )
    return patient


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
        team_id=referral.team_id,
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
    check_event_dates(contacted_on=contacted_on)
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


def _name_the_referrer_gave(referral: Referral) -> str:
    """The referrer is told the name they gave, never the shared record's (another practice's)."""
    try:
        return referral.patient_details.full_name
    except ReferralPatientDetails.DoesNotExist:
        return "the patient"


def referrer_notice(referral: Referral, to_status: str) -> str:
    return _NOTICE[to_status].format(
        ref=referral.reference,
        patient=_name_the_referrer_gave(referral),
        team=referral.team.name,
        reason=referral.get_decline_reason_display().lower(),
        outcome=referral.get_outcome_display().lower(),
    )


def referrer_email(referral: Referral) -> tuple[str, str]:
    """The subject and body of the email to the referrer: only that the referral changed, and
    where to sign in. Anyone with the mailbox can read an email, so no patient name, status,
    reason or outcome; the in-app notice (behind sign-in) has those."""
    link = settings.SITE_URL + reverse("referrals:detail", args=[referral.reference])
    subject = f"Social prescribing referral {referral.reference} has been updated"
    body = (
        f"There is an update on social prescribing referral {referral.reference}.\n\n"
        f"Sign in to the social prescribing service to see it:\n{link}\n\n"
        "This is an automatic message from the social prescribing referral service. "
        "Please do not reply to it."
    )
    return subject, body


def _notify_referrer(*, referral: Referral, event: ReferralEvent) -> None:
    notify(
        recipient=referral.referred_by,
        verb=f"referral_{event.to_status}",
        message=referrer_notice(referral, event.to_status),
        link=reverse("referrals:detail", args=[referral.reference]),
    )
    send_task_after_commit("referrals.email_referrer_about_event", event_id=event.pk)


@transaction.atomic
def email_referrer_about_event(*, event_id: int) -> bool:
    """Send the referrer the email for one status change, once: a retry never sends it twice."""
    event = (
        ReferralEvent.objects.select_for_update(of=("self",))
        .select_related("referral__referred_by")
        .get(pk=event_id)
    )
    if event.referrer_emailed_at is not None:
        return False
    referral = event.referral
    recipient = referral.referred_by
    if not recipient.email or not recipient.is_active:
        return False
    subject, body = referrer_email(referral)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])
    event.referrer_emailed_at = timezone.now()
    event.save(update_fields=["referrer_emailed_at"])
    return True


def recover_unsent_emails(*, now: datetime.datetime | None = None) -> int:
    """Emails to referrers and providers are enqueued after commit; with the broker down the
    change is kept and the enqueue is lost. Enqueue again what is still unsent
    EMAIL_RECOVERY_GRACE_SECONDS after it was due, for EMAIL_RECOVERY_WINDOW_HOURS: each send
    is once-only (its own sent mark), so a task that was only slow costs nothing."""
    now = now or timezone.now()
    window = (
        now - datetime.timedelta(hours=settings.EMAIL_RECOVERY_WINDOW_HOURS),
        now - datetime.timedelta(seconds=settings.EMAIL_RECOVERY_GRACE_SECONDS),
    )
    event_ids = list(
        ReferralEvent.objects.filter(
            to_status__in=list(_NOTICE),
            referrer_emailed_at=None,
            occurred_at__range=window,
            referral__referred_by__is_active=True,
        )
        .exclude(referral__referred_by__email="")
        .values_list("pk", flat=True)[:1000]
    )
    link_ids = list(
        ProviderLink.objects.filter(
            emailed_at=None, issued_at__range=window, expires_at__gt=now
        ).values_list("pk", flat=True)[:1000]
    )
    for event_id in event_ids:
        send_task("referrals.email_referrer_about_event", kwargs={"event_id": event_id})
    for link_id in link_ids:
        send_task("referrals.email_provider_link", kwargs={"link_id": link_id})
    return len(event_ids) + len(link_ids)


def record_referral_viewed(*, referral: Referral, by: User, via: str = "page") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"viewed {referral.reference} ({via})",
    )


def record_referral_list_viewed(*, by: User, what: str, referrals: Sequence[Referral]) -> None:
    record_list_viewed(
        actor=by,
        what=what,
        object_type="referral",
        listed=[Listed(referral.pk, referral.patient_id) for referral in referrals],
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

    def requests(chunk: list[Referral]):
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


# --- Consent to share with community services


@transaction.atomic
def record_consent_to_share(*, referral: Referral, by: User, given: bool) -> Patient:
    """The team records (or withdraws) the patient's consent to share details with services."""
    _require_team_member(by, referral)
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    changed = _record_consents(patient=patient, recorded_by=by, data={"consent_to_share": given})
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    record_audit_event(
        actor=by,
        action="update",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        team_id=referral.team_id,
        detail=f"consent_to_share: {'yes' if given else 'no'} (on {referral.reference})",
    )
    return patient


# --- Onward referrals to community services: one function per transition

CASE_OPEN_FOR_ONWARD_REFERRAL = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
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


def _locked_service_referral(service_referral: ServiceReferral) -> ServiceReferral:
    """Lock the row alone (no joins: see _locked) and read it afresh."""
    return ServiceReferral.objects.select_for_update().get(pk=service_referral.pk)


def is_provider_user(user: User, service: Service) -> bool:
    organisation_id = service.provider.organisation_id
    return organisation_id is not None and (
        Membership.objects.filter(
            user=user, organisation_id=organisation_id, role=Role.PROVIDER
        ).exists()
    )


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
    _require_team_member(by, referral)
    referral = _locked(referral)
    if referral.status not in CASE_OPEN_FOR_ONWARD_REFERRAL:
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
    _issue_provider_link(service_referral=service_referral, service=service, by=by)
    return service_referral


def referral_contact_email(service: Service) -> str:
    """Where onward referrals go: the service's own address, else its provider's."""
    return service.email or service.provider.email


def _issue_provider_link(
    *,
    service_referral: ServiceReferral,
    service: Service,
    by: User | None,
    purpose: str = ProviderLinkPurpose.REFERRAL,
) -> ProviderLink | None:
    email = referral_contact_email(service)
    if not email:
        return None
    now = timezone.now()
    link = ProviderLink.objects.create(
        service_referral=service_referral,
        recipient_email=email,
        issued_by=by,
        issued_at=now,
        expires_at=now + provider_links.max_age(),
        purpose=purpose,
    )
    send_task_after_commit("referrals.email_provider_link", link_id=link.pk)
    return link


@transaction.atomic
def send_fresh_provider_link(*, service_referral: ServiceReferral, by: User) -> ProviderLink:
    """Once the last link has expired, the team can email the provider a new one."""
    referral = Referral.objects.get(pk=service_referral.referral_id)
    _require_team_member(by, referral)
    service_referral = _locked_service_referral(service_referral)
    service = Service.objects.select_related("provider").get(pk=service_referral.service_id)
    if service_referral.is_final:
        raise IllegalTransition(
            f"The referral to {service.name} is "
            f"{service_referral.get_status_display().lower()}: there is nothing left to answer."
        )
    latest = service_referral.links.order_by("-issued_at", "-id").first()
    if latest is not None and not latest.has_expired:
        expiry = timezone.localtime(latest.expires_at)
        raise LinkStillValid(
            f"The link sent to {latest.recipient_email} still works until {expiry:%-d %b %Y}."
        )
    link = _issue_provider_link(
        service_referral=service_referral, service=service, by=by, purpose=ProviderLinkPurpose.FRESH
    )
    if link is None:
        raise IllegalTransition(
            f"{service.name} has no email address for referrals. Ask the directory team to add one."
        )
    record_audit_event(
        actor=by,
        action="send_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"fresh link {link.pk} to {link.recipient_email}",
    )
    return link


@transaction.atomic
def email_provider_link(*, link_id: int) -> bool:
    """Email one link, once: a retry never sends it twice. No patient details go by email."""
    link = ProviderLink.objects.select_for_update().get(pk=link_id)
    if link.emailed_at is not None:
        return False
    service_referral = ServiceReferral.objects.select_related("service", "referral__team").get(
        pk=link.service_referral_id
    )
    expiry = timezone.localtime(link.expires_at)
    service_name, team_name = service_referral.service.name, service_referral.referral.team.name
    if link.purpose == ProviderLinkPurpose.REMINDER:
        subject = f"Reminder: a referral to {service_name} is waiting for your answer"
        opening = (
            f"{team_name} referred someone to {service_name} on "
            f"{timezone.localtime(service_referral.sent_at):%-d %B %Y} and has not had an "
            "answer yet. This new link replaces the one we sent before."
        )
    else:
        subject = f"New referral to {service_name}"
        opening = f"{team_name} has referred someone to {service_name}."
    send_mail(
        subject=subject,
        message=(
            f"{opening}\n\n"
            "Open this secure link to see who they are and how to contact them, and to tell us "
            f"whether you can take the referral:\n\n{provider_links.url_for(link)}\n\n"
            f"The link works until {expiry:%-d %B %Y}. Please do not forward it."
        ),
        from_email=None,
        recipient_list=[link.recipient_email],
    )
    link.emailed_at = timezone.now()
    link.save(update_fields=["emailed_at"])
    return True


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
    if Membership.objects.filter(
        user=by, organisation_id=referral.team_id, role__in=TEAM_ROLES
    ).exists():
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
    service_referral = _locked_service_referral(service_referral)
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


def record_service_referral_viewed(
    *, service_referral: ServiceReferral, by: User | None, via: str
) -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail=f"viewed onward referral ({via})",
    )


def record_provider_link_opened(*, link: ProviderLink) -> None:
    service_referral = link.service_referral
    record_audit_event(
        actor=None,
        action="open_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail=f"emailed link {link.pk} opened ({link.recipient_email})",
    )


def record_service_referral_list_viewed(
    *, by: User, what: str, service_referrals: Sequence[ServiceReferral]
) -> None:
    record_list_viewed(
        actor=by,
        what=what,
        object_type="service_referral",
        listed=[Listed(item.pk, item.referral.patient_id) for item in service_referrals],
    )


# --- Onward referrals: reminder sweeps (run by beat through accounts.services.run_sweep)


def _coordinator_of(referral: Referral) -> list[Recipient]:
    """The case's coordinator, if it has an active one."""
    user = referral.assigned_to
    return [user_recipient(user)] if user is not None and user.is_active else []


def _onward_reminder(
    *, kind: str, service_referral: ServiceReferral, occurrence: str, context: dict, link: str
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
    service_referral = _locked_service_referral(service_referral)
    if service_referral.status != ServiceReferralStatus.SENT:
        return None
    if service_referral.links.filter(purpose=ProviderLinkPurpose.REMINDER).exists():
        return None
    service = Service.objects.select_related("provider").get(pk=service_referral.service_id)
    replaced = service_referral.links.order_by("-issued_at", "-id").first()
    link = _issue_provider_link(
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
    if _locked_service_referral(service_referral).status != ServiceReferralStatus.SENT:
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
    if _locked_service_referral(service_referral).status != ServiceReferralStatus.SENT:
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

    def requests(chunk: list[ServiceReferral]):
        for service_referral in chunk:
            waiting_since = (
                service_referral.patient_reported_at
                if service_referral.patient_reported_attendance == PatientAttendanceAnswer.NOT_YET
                else service_referral.accepted_at
            )
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
    service_referral = _locked_service_referral(service_referral)
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


def record_attendance_question_opened(*, service_referral: ServiceReferral) -> None:
    record_audit_event(
        actor=None,
        action="open_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail="the patient opened their attendance question link",
    )


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
