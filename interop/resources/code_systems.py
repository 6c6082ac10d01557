"""Our own CodeSystems, served at /fhir/R4/CodeSystem/{id} under their canonical URL: every
code of ours in an emitted resource is from one of these."""

from django.db import models

from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome, DeclineReason

from ..codes import our_code_system


class ConsentKind(models.TextChoices):
    REFERRAL = "referral", "Consent to be referred to social prescribing"


class TaskOutput(models.TextChoices):
    CLOSING_SUMMARY = "closing-summary", "Closing summary"
    OUTCOME = "outcome", "Outcome"


CODE_SYSTEMS: dict[str, tuple[str, str, type[models.TextChoices]]] = {
    # id → (title, description, the choices it publishes)
    "need-domains": (
        "Need domains",
        "What a patient wants help with: referral reasons, goals and service categories.",
        NeedDomain,
    ),
    "closure-outcomes": (
        "Closure outcomes",
        "How a social prescribing case ended.",
        ClosureOutcome,
    ),
    "decline-reasons": (
        "Decline reasons",
        "Why a coordinator team declined a referral.",
        DeclineReason,
    ),
    "consent-kinds": ("Consent kinds", "What a patient consented to.", ConsentKind),
    "task-outputs": ("Task outputs", "What a completed referral Task returns.", TaskOutput),
}


def coding(system_id: str, code: str) -> dict:
    choices = CODE_SYSTEMS[system_id][2]
    return {"system": our_code_system(system_id), "code": code, "display": choices(code).label}


def code_system_resource(system_id: str) -> dict:
    title, description, choices = CODE_SYSTEMS[system_id]
    return {
        "resourceType": "CodeSystem",
        "id": system_id,
        "url": our_code_system(system_id),
        "name": "".join(part.capitalize() for part in system_id.split("-")),
        "title": title,
        "status": "active",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(choices.values),
        "concept": [{"code": value, "display": label} for value, label in choices.choices],
    }
