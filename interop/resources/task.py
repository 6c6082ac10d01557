"""Task (SDOHCC Task For Referral Management): the referral's state, as the practice follows
it; a requester's change to a Task → the service call it stands for."""

from collections.abc import Sequence

from referrals.models import DeclineReason, Referral

from ..codes import SDOHCC_TASK_PROFILE, TASK_CODE_SYSTEM
from ..outcome import FhirError
from ..task_status import (
    REQUESTER_TASK_CHANGES,
    STATUSES_WITH_REASON,
    requester_may,
    task_status,
)
from .code_systems import TaskOutput, coding
from .common import instant, meta, organisation_reference
from .document_reference import has_closing_summary, message_back_document_id


def status_reason(referral: Referral, status: str, last_note: str = "") -> str:
    if status == "rejected":
        reason = DeclineReason(referral.decline_reason).label if referral.decline_reason else ""
        return ". ".join(part for part in (reason, last_note) if part) or "Declined by the team."
    if status == "failed":
        return referral.outcome_summary or "Unable to contact the patient."
    if status == "cancelled":
        return last_note or "The patient declined the referral."
    return last_note


def task_resource(referral: Referral, last_note: str = "", messages_back: Sequence = ()) -> dict:
    """`last_note`: the note of the referral's latest status change (its reason);
    `messages_back`: the current messages back to the practice, each an output."""
    status = task_status(referral.status, referral.outcome)
    changed = max([referral.updated_at, *(message.sent_at for message in messages_back)])
    resource: dict = {
        "resourceType": "Task",
        "id": referral.reference,
        "meta": meta(changed, SDOHCC_TASK_PROFILE),
        "status": status,
        "intent": "order",
        "priority": referral.urgency,
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{referral.reference}"},
        "for": {"reference": f"Patient/{referral.patient_id}"},
        "authoredOn": instant(referral.received_at),
        "lastModified": instant(changed),
        "requester": organisation_reference(referral.referring_practice),
        "owner": organisation_reference(referral.team),
    }
    if status in STATUSES_WITH_REASON:
        resource["statusReason"] = {"text": status_reason(referral, status, last_note)}
    outputs: list[dict] = []
    if has_closing_summary(referral):
        outputs.append(
            {
                "type": {"coding": [coding("task-outputs", TaskOutput.CLOSING_SUMMARY)]},
                "valueReference": {"reference": f"DocumentReference/{referral.reference}"},
            }
        )
        if referral.outcome:
            outputs.append(
                {
                    "type": {"coding": [coding("task-outputs", TaskOutput.OUTCOME)]},
                    "valueCodeableConcept": {
                        "coding": [coding("closure-outcomes", referral.outcome)]
                    },
                }
            )
    outputs += [
        {
            "type": {"coding": [coding("task-outputs", TaskOutput.MESSAGE_BACK)]},
            "valueReference": {
                "reference": f"DocumentReference/{message_back_document_id(message)}",
                "display": message.get_moment_display(),
            },
        }
        for message in messages_back
    ]
    if outputs:
        resource["output"] = outputs
    return resource


# What a requester may change on its Task: only its status, only to cancelled.
REQUESTER_MAY_CHANGE = {"status", "statusReason", "meta", "lastModified"}


def requested_cancellation(current: dict, wanted: dict) -> str:
    """The requester's new Task (from PUT or a patched copy) → the reason for withdrawing.
    Anything but a cancellation with a reason is refused, naming the element."""
    if wanted.get("resourceType") != "Task":
        raise FhirError.one(400, "The body must be a Task.", "Task.resourceType")
    if wanted.get("id") not in (None, current["id"]):
        raise FhirError.one(400, "The Task's id does not match the URL.", "Task.id")
    changed = sorted(
        key
        for key in set(current) | set(wanted)
        if key not in REQUESTER_MAY_CHANGE and key != "id" and current.get(key) != wanted.get(key)
    )
    if changed:
        raise FhirError.one(
            403,
            "The requester may only cancel the Task: " + ", ".join(changed) + " cannot change.",
            *[f"Task.{key}" for key in changed],
            code="forbidden",
        )
    if not requester_may(wanted.get("status", "")):
        raise FhirError.one(
            403,
            "The requester may only set Task.status to "
            + ", ".join(repr(code) for code in REQUESTER_TASK_CHANGES)
            + ".",
            "Task.status",
            code="forbidden",
        )
    reason = (wanted.get("statusReason") or {}).get("text")
    if not isinstance(reason, str) or not reason.strip():
        raise FhirError.one(
            422, "Say why in Task.statusReason.text.", "Task.statusReason", code="required"
        )
    return reason.strip()
