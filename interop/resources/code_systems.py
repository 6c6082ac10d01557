"""Our own CodeSystems, served at /fhir/R4/CodeSystem/{id} under their canonical URL: every
code of ours in an emitted resource is from one of these."""

from django.db import models

from community_services.models import Capacity
from community_services.need_domains import NeedDomain
from coordinators.models import GoalStatus
from referrals.models import ClosureOutcome, DeclineReason, ReferralSource

from ..codes import our_code_system


class ConsentKind(models.TextChoices):
    REFERRAL = "referral", "Consent to be referred to social prescribing"


class TaskOutput(models.TextChoices):
    CLOSING_SUMMARY = "closing-summary", "Closing summary"
    OUTCOME = "outcome", "Outcome"
    MESSAGE_BACK = "message-back", "Message back to the GP (letter and structured document)"


class WellbeingCode(models.TextChoices):
    """The wellbeing measures as Observation codes: no LOINC or SNOMED CT code for ONS4 or
    SWEMWBS could be cited, so they are ours. tests/interop/test_casework.py fails when an
    instrument gains an item without a code here."""

    ONS4 = "ons4", "ONS personal wellbeing (ONS4)"
    ONS4_LIFE_SATISFACTION = "ons4-life_satisfaction", "ONS4: life satisfaction (0 to 10)"
    ONS4_WORTHWHILE = "ons4-worthwhile", "ONS4: things done are worthwhile (0 to 10)"
    ONS4_HAPPINESS = "ons4-happiness", "ONS4: happiness yesterday (0 to 10)"
    ONS4_ANXIETY = "ons4-anxiety", "ONS4: anxiety yesterday (0 to 10, higher is worse)"
    SWEMWBS = "swemwbs", "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)"
    SWEMWBS_RAW = "swemwbs-raw", "SWEMWBS raw score (7 to 35)"
    SWEMWBS_METRIC = "swemwbs-metric", "SWEMWBS metric score (7.00 to 35.00)"


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
    "referral-sources": (
        "Referral sources",
        "Who asked for a referral: the practice's staff, the person, someone on their behalf, "
        "another service, or the team finding them from a practice list.",
        ReferralSource,
    ),
    "task-outputs": ("Task outputs", "What a completed referral Task returns.", TaskOutput),
    "capacity": (
        "Capacity",
        "Whether a community service takes referrals now (beside the SDOHCC capacity code).",
        Capacity,
    ),
    "goal-statuses": (
        "Goal statuses",
        "Where a patient's goal stands (Goal.achievementStatus beside HL7's where one fits).",
        GoalStatus,
    ),
    "wellbeing-measures": (
        "Wellbeing measures",
        "The wellbeing instruments and their scores, as Observation codes and components.",
        WellbeingCode,
    ),
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
