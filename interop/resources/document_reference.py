"""DocumentReference: the closing summary of a closed referral, and each message back to the
GP (its PDF letter and its structured FHIR document), the Task's outputs."""

import base64
import hashlib
import json

from gp_messages.models import MessageBack
from referrals.models import Referral, ReferralStatus

from ..codes import FHIR_JSON
from .code_systems import TaskOutput, coding
from .common import instant, meta

MESSAGE_PREFIX = "message-"


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


def message_back_document_id(message: MessageBack) -> str:
    return f"{MESSAGE_PREFIX}{message.public_id}"


def _attachment(content_type: str, data: bytes, title: str) -> dict:
    return {
        "contentType": content_type,
        "data": base64.b64encode(data).decode(),
        "size": len(data),
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode(),  # noqa: S324 - FHIR's
        "title": title,
    }


def message_back_document_reference(message: MessageBack, *, pdf: bytes, document: dict) -> dict:
    """`pdf`: the letter as the practice downloads it; `document`: the message as a FHIR
    document Bundle (gp_messages.fhir_document). Needs the message's referral and team."""
    referral = message.referral
    superseded = getattr(message, "superseded_by", None) is not None
    resource: dict = {
        "resourceType": "DocumentReference",
        "id": message_back_document_id(message),
        "meta": meta(message.sent_at),
        "masterIdentifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{message.public_id}",
        },
        "status": "superseded" if superseded else "current",
        "docStatus": "amended" if message.version > 1 else "final",
        "type": {"coding": [coding("task-outputs", TaskOutput.MESSAGE_BACK)]},
        "subject": {"reference": f"Patient/{referral.patient_id}"},
        "date": instant(message.sent_at),
        "custodian": {"reference": f"Organization/{referral.team.public_id}"},
        "description": f"{message.get_moment_display()}: referral {referral.reference}",
        "content": [
            {"attachment": _attachment("application/pdf", pdf, message.file_name)},
            {
                "attachment": _attachment(
                    FHIR_JSON,
                    json.dumps(document, ensure_ascii=False).encode(),
                    f"{message.get_moment_display()} (FHIR document)",
                )
            },
        ],
        "context": {"related": [{"reference": f"ServiceRequest/{referral.reference}"}]},
    }
    if (earlier := message.supersedes) is not None:
        resource["relatesTo"] = [
            {
                "code": "replaces",
                "target": {"reference": f"DocumentReference/{message_back_document_id(earlier)}"},
            }
        ]
    return resource
