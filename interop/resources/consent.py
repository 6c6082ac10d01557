"""Consent: the patient's consent to be referred, carried by the referral."""

from referrals.models import Referral

from ..outcome import Issue
from .code_systems import ConsentKind, coding
from .common import instant, meta

CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"


def consent_resource(referral: Referral) -> dict:
    return {
        "resourceType": "Consent",
        "id": referral.reference,
        "meta": meta(referral.received_at),
        "status": "active",
        "scope": {"coding": [{"system": CONSENT_SCOPE_SYSTEM, "code": "treatment"}]},
        "category": [{"coding": [coding("consent-kinds", ConsentKind.REFERRAL)]}],
        "patient": {"reference": f"Patient/{referral.patient_id}"},
        "dateTime": instant(referral.received_at),
        "organization": [{"reference": f"Organization/{referral.referring_practice.public_id}"}],
        "policyRule": {"text": ConsentKind.REFERRAL.label},
    }


def consent_given(resource: dict, issues: list[Issue]) -> bool:
    """A referred Consent → whether the patient consented to be referred."""
    if resource.get("status") != "active":
        issues.append(
            Issue(
                "The patient must consent to be referred: Consent.status 'active'.",
                ("Consent.status",),
                "business-rule",
            )
        )
        return False
    return True
