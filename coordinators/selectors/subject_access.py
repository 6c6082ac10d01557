"""Subject access: everything held about one patient."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from accounts.models import Reminder, User
from accounts.selectors import audit_events_visible_to, scoped_to_teams_of
from referrals.models import Patient, Referral, ReferralEvent, ServiceReferral, ServiceReferralEvent

from ..models import (
    CaseEvent,
    Goal,
    GoalProgress,
    PlanAction,
    Review,
    WellbeingMeasure,
    WhatMattersConversation,
)


def patient_for_subject_access(user: User, patient_id: int) -> Patient:
    """Superusers: any patient; managers: patients referred to a team they manage; else 404."""
    patients = Patient.objects.filter(pk=patient_id)
    if not user.is_superuser:
        referrals = scoped_to_teams_of(Referral.objects.filter(patient=OuterRef("pk")), user)
        patients = patients.filter(Exists(referrals))
    patient = patients.first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


# Each section's rows: (ids of the referrals in the user's scope, the patient, the user).
SUBJECT_ACCESS_SECTIONS: tuple[
    tuple[str, str, Callable[[list[int], Patient, User], QuerySet[Any]]], ...
] = (
    ("referrals", "Referrals", lambda ids, p, u: Referral.objects.filter(pk__in=ids)),
    (
        "referral_events",
        "Referral status history",
        lambda ids, p, u: ReferralEvent.objects.filter(referral_id__in=ids),
    ),
    (
        "case_events",
        "Casework history",
        lambda ids, p, u: CaseEvent.objects.filter(referral_id__in=ids),
    ),
    (
        "conversations",
        "What matters conversations",
        lambda ids, p, u: WhatMattersConversation.objects.filter(referral_id__in=ids),
    ),
    ("goals", "Goals", lambda ids, p, u: Goal.objects.filter(referral_id__in=ids)),
    (
        "goal_progress",
        "Goal progress",
        lambda ids, p, u: GoalProgress.objects.filter(goal__referral_id__in=ids),
    ),
    (
        "plan_actions",
        "Plan actions",
        lambda ids, p, u: PlanAction.objects.filter(referral_id__in=ids),
    ),
    ("reviews", "Reviews", lambda ids, p, u: Review.objects.filter(referral_id__in=ids)),
    (
        "measures",
        "Wellbeing measures",
        lambda ids, p, u: WellbeingMeasure.objects.filter(referral_id__in=ids),
    ),
    (
        "service_referrals",
        "Onward referrals to community services",
        lambda ids, p, u: ServiceReferral.objects.filter(referral_id__in=ids),
    ),
    (
        "service_referral_events",
        "Onward referral history",
        lambda ids, p, u: ServiceReferralEvent.objects.filter(
            service_referral__referral_id__in=ids
        ),
    ),
    (
        "messages",
        "Messages to the patient",
        lambda ids, p, u: scoped_to_teams_of(
            Reminder.objects.filter(recipient_key=f"patient:{p.pk}"), u
        ),
    ),
    (
        "audit_events",
        "Audit trail about the patient",
        lambda ids, p, u: audit_events_visible_to(u).filter(patient_id=str(p.pk)),
    ),
)


@dataclass
class SubjectAccessSection:
    key: str
    title: str
    rows: list[dict[str, Any]]


def subject_access_record(patient: Patient, user: User) -> list[SubjectAccessSection]:
    """Every row held about the patient that belongs to the user's own teams' cases (all of
    them for a superuser), field by field, in one query per table."""
    referral_ids = list(
        scoped_to_teams_of(patient.referrals.all(), user).values_list("pk", flat=True)
    )
    sections = [SubjectAccessSection("patient", "Patient record", [_row_of(patient)])]
    for key, title, rows_for in SUBJECT_ACCESS_SECTIONS:
        queryset = rows_for(referral_ids, patient, user).order_by("pk")
        sections.append(SubjectAccessSection(key, title, list(queryset.values())))
    return sections


def _row_of(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
