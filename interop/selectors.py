"""Read-side queries of the FHIR interface, each scoped to what the caller's organisation may see
(the same rule as referrals.selectors.visible_referrals), in the order an index gives."""

import base64
import binascii
import datetime
import uuid

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Organisation, User
from coordinators.models import Goal, WellbeingMeasure
from gp_messages.models import MessageBack
from referrals.models import (
    Patient,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ServiceReferral,
)
from referrals.selectors import (
    practice_ids_of,
    service_referrals_for_provider,
    team_ids_of,
    visible_service_referrals,
)


def _scope(user: User) -> Q:
    return Q(referring_practice_id__in=practice_ids_of(user)) | Q(team_id__in=team_ids_of(user))


def tasks_visible_to(user: User) -> QuerySet[Referral]:
    """Referrals as Tasks: with the organisations every Task names and its last status note."""
    last_note = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"))
        .order_by("-occurred_at", "-id")
        .values("note")[:1]
    )
    return (
        Referral.objects.filter(_scope(user))
        .select_related("referring_practice", "team", "fhir_identifier")
        .annotate(last_note=Subquery(last_note))
    )


def get_task(user: User, reference: str) -> Referral:
    referral = tasks_visible_to(user).filter(reference=reference).first()
    if referral is None:
        raise Http404(f"No Task {reference} for this organisation.")
    return referral


def get_patient(user: User, patient_id: str) -> tuple[Patient, ReferralPatientDetails | None]:
    """A patient is visible through a referral the caller may see. A practice (not in the
    receiving team) reads what it sent itself: its own latest referral's details."""
    if not patient_id.isdigit():
        raise Http404("No such Patient.")
    referral = (
        Referral.objects.filter(_scope(user), patient_id=int(patient_id))
        .select_related("patient", "patient_details")
        .order_by("-received_at", "-id")
    )
    in_team = referral.filter(team_id__in=team_ids_of(user)).first()
    if in_team is not None:
        return in_team.patient, None
    own = referral.first()
    if own is None:
        raise Http404("No such Patient for this organisation.")
    return own.patient, getattr(own, "patient_details", None)


def get_organisation(public_id: str) -> Organisation:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise Http404("No such Organization.") from None
    organisation = Organisation.objects.filter(public_id=key).first()
    if organisation is None:
        raise Http404("No such Organization.")
    return organisation


def encode_position(when: datetime.datetime, pk: int) -> str:
    raw = f"{when.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(referral: Referral) -> str:
    return encode_position(referral.updated_at, referral.pk)


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, pk = raw.partition("|")
        return datetime.datetime.fromisoformat(when), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def after_cursor(referrals: QuerySet[Referral], cursor: tuple[datetime.datetime, int]):
    when, pk = cursor
    return referrals.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))


def onward_after_cursor(
    service_referrals: QuerySet[ServiceReferral], cursor: tuple[datetime.datetime, int]
) -> QuerySet[ServiceReferral]:
    """The onward referrals after a page, newest first (the order of the provider's list)."""
    when, pk = cursor
    return service_referrals.filter(Q(sent_at__lt=when) | Q(sent_at=when, pk__lt=pk))


def onward_tasks_visible_to(user: User) -> QuerySet[ServiceReferral]:
    """Onward referrals as Tasks: the provider's received ones, or the team's sent ones."""
    return visible_service_referrals(user).select_related(
        "referral__patient", "referral__team", "service__provider__organisation"
    )


def get_onward_task(user: User, task_id: str, *, as_provider: bool = False) -> ServiceReferral:
    key = task_id.removeprefix("onward-")
    found = None
    if key.isdigit():
        scope = (
            service_referrals_for_provider(user) if as_provider else onward_tasks_visible_to(user)
        )
        found = (
            scope.select_related(
                "referral__patient", "referral__team", "service__provider__organisation"
            )
            .filter(pk=int(key))
            .first()
        )
    if found is None:
        raise Http404(f"No Task {task_id} for this organisation.")
    return found


def _referral_scope(user: User) -> Q:
    return Q(referral__referring_practice_id__in=practice_ids_of(user)) | Q(
        referral__team_id__in=team_ids_of(user)
    )


def goals_visible_to(user: User, *, patient_id: int | None = None) -> QuerySet[Goal]:
    """The goals of the referrals the caller may see as Tasks, oldest first."""
    goals = Goal.objects.filter(_referral_scope(user)).select_related("referral")
    if patient_id is not None:
        goals = goals.filter(referral__patient_id=patient_id)
    return goals.order_by("created_at", "id")


def get_goal(user: User, goal_id: str) -> Goal:
    goal = goals_visible_to(user).filter(pk=int(goal_id)).first() if goal_id.isdigit() else None
    if goal is None:
        raise Http404(f"No Goal {goal_id} for this organisation.")
    return goal


def measures_visible_to(
    user: User, *, patient_id: int | None = None, instrument: str | None = None
) -> QuerySet[WellbeingMeasure]:
    """The wellbeing measures of the referrals the caller may see as Tasks, in time order."""
    measures = WellbeingMeasure.objects.filter(_referral_scope(user)).select_related(
        "referral__team"
    )
    if patient_id is not None:
        measures = measures.filter(referral__patient_id=patient_id)
    if instrument is not None:
        measures = measures.filter(instrument=instrument)
    return measures.order_by("taken_on", "id")


def get_measure(user: User, observation_id: str) -> WellbeingMeasure:
    measure = (
        measures_visible_to(user).filter(pk=int(observation_id)).first()
        if observation_id.isdigit()
        else None
    )
    if measure is None:
        raise Http404(f"No Observation {observation_id} for this organisation.")
    return measure


def messages_back_of(referrals: list[Referral]) -> dict[int, list[MessageBack]]:
    """Each referral's current messages back (a corrected one replaced by its new version), in
    the order sent: the Task's outputs, for a page of Tasks in one query."""
    found: dict[int, list[MessageBack]] = {referral.pk: [] for referral in referrals}
    for message in (
        MessageBack.objects.filter(referral__in=referrals, superseded_by__isnull=True)
        .only("public_id", "referral_id", "moment", "version", "sent_at")
        .order_by("sent_at", "id")
    ):
        found[message.referral_id].append(message)
    return found


def get_message_back(user: User, document_id: str) -> MessageBack:
    """A message back is visible with its referral (the referring practice, the team)."""
    key = document_id.removeprefix("message-")
    try:
        public_id = uuid.UUID(key)
    except ValueError:
        raise Http404("No such DocumentReference.") from None
    message = (
        MessageBack.objects.filter(_referral_scope(user), public_id=public_id)
        .select_related("referral__patient", "referral__team", "superseded_by", "supersedes")
        .first()
    )
    if message is None:
        raise Http404(f"No DocumentReference {document_id} for this organisation.")
    return message
