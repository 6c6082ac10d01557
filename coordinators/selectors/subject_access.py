"""Subject access: everything held about one patient."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Field, Model, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

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
    # The same rows for people: (label, value) pairs with the fields' names and choices' labels.
    readable: list[list[tuple[str, str]]] = field(default_factory=list)


def subject_access_record(patient: Patient, user: User) -> list[SubjectAccessSection]:
    """Every row held about the patient that belongs to the user's own teams' cases (all of
    them for a superuser), field by field, in one query per table."""
    referral_ids = list(
        scoped_to_teams_of(patient.referrals.all(), user).values_list("pk", flat=True)
    )
    patient_rows = [_row_of(patient)]
    sections = [
        SubjectAccessSection(
            "patient", "Patient record", patient_rows, _readable(Patient, patient_rows)
        )
    ]
    for key, title, rows_for in SUBJECT_ACCESS_SECTIONS:
        queryset = rows_for(referral_ids, patient, user).order_by("pk")
        rows = list(queryset.values())
        sections.append(SubjectAccessSection(key, title, rows, _readable(queryset.model, rows)))
    return sections


def _readable(model: type[Model], rows: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    """A patient reads "Date of birth: 3 March 1950", not "date_of_birth: 1950-03-03"."""
    fields: dict[str, Field[Any, Any]] = {
        f.attname: f for f in model._meta.concrete_fields if isinstance(f, Field)
    }
    return [
        [
            (_label(name, fields.get(name)), _value(value, fields.get(name)))
            for name, value in row.items()
        ]
        for row in rows
    ]


def _label(name: str, model_field: Field[Any, Any] | None) -> str:
    if name == "id":
        return "Record number"
    if model_field is None:
        return capfirst(name.replace("_", " "))
    label = str(model_field.verbose_name)
    if model_field.is_relation:
        label = f"{label} (record number)"
    return capfirst(label)


def _value(value: Any, model_field: Field[Any, Any] | None) -> str:
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return format_date(
            timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y, H:i"
        )
    if isinstance(value, datetime.date):
        return format_date(value, "j F Y")
    if isinstance(value, list | tuple):
        return ", ".join(_value(item, None) for item in value) or "—"
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{capfirst(str(k).replace('_', ' '))}: {_value(v, None)}" for k, v in value.items()
            )
            or "—"
        )
    return str(value)


def _row_of(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
