"""DocumentReference: the closing summary of a closed referral, the Task's output."""

import base64

from referrals.models import Referral, ReferralStatus

from .code_systems import TaskOutput, coding
from .common import instant, meta


def has_closing_summary(referral: Referral) -> bool:
    return referral.status == ReferralStatus.CLOSED and referral.closed_at is not None


def document_reference_resource(referral: Referral) -> dict:
    summary = referral.outcome_summary or referral.get_outcome_display() or ""
    return {
        "resourceType": "DocumentReference",
        "id": referral.reference,
        "meta": meta(referral.updated_at),
        "status": "current",
        "type": {"coding": [coding("task-outputs", TaskOutput.CLOSING_SUMMARY)]},
        "subject": {"reference": f"Patient/{referral.patient_id}"},
        "date": instant(referral.closed_at or referral.updated_at),
        "custodian": {"reference": f"Organization/{referral.team.public_id}"},
        "description": f"Closing summary of social prescribing referral {referral.reference}",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(summary.encode()).decode(),
                    "title": "Closing summary",
                }
            }
        ],
        "context": {"related": [{"reference": f"ServiceRequest/{referral.reference}"}]},
    }
