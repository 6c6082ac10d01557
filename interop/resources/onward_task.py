"""An onward referral to a community service as a Task for its provider: `partOf` the main Task,
its `focus` a contained ServiceRequest naming the HealthcareService, the patient named only as
the provider's signed link shows them; the provider's Task change → the onward action it takes."""

from referrals.models import ServiceDeclineReason, ServiceReferral, ServiceReferralAction

from ..codes import SDOHCC_TASK_PROFILE, TASK_CODE_SYSTEM
from ..outcome import FhirError
from .common import instant, meta, organisation_reference

ONWARD_PREFIX = "onward-"

# ServiceReferralStatus → Task.status.
ONWARD_TASK_STATUS = {
    "sent": "requested",
    "no_response": "requested",
    "accepted": "accepted",
    "declined": "rejected",
    "attended": "completed",
    "completed": "completed",
    "did_not_attend": "failed",
    "withdrawn": "cancelled",
}
# Task.status the provider may set → the onward referral's action (its machine says from where).
PROVIDER_TASK_CHANGES = {
    "accepted": ServiceReferralAction.ACCEPT,
    "rejected": ServiceReferralAction.DECLINE,
    "completed": ServiceReferralAction.ATTENDED,
    "failed": ServiceReferralAction.DID_NOT_ATTEND,
}


def onward_task_id(service_referral: ServiceReferral) -> str:
    return f"{ONWARD_PREFIX}{service_referral.pk}"


def _last_change(sr: ServiceReferral):
    moments = [
        sr.sent_at,
        sr.accepted_at,
        sr.declined_at,
        sr.attended_at,
        sr.did_not_attend_at,
        sr.completed_at,
        sr.withdrawn_at,
        sr.no_response_at,
    ]
    return max(m for m in moments if m is not None)


def onward_task_resource(sr: ServiceReferral) -> dict:
    service, referral = sr.service, sr.referral
    status = ONWARD_TASK_STATUS[sr.status]
    request = {
        "resourceType": "ServiceRequest",
        "id": "request",
        "status": "active" if status in ("requested", "accepted") else "completed",
        "intent": "order",
        "subject": {"display": referral.patient.full_name},
        "performer": [{"display": service.name, "identifier": {"value": str(service.public_id)}}],
        "note": [{"text": sr.provider_needs_to_know}] if sr.provider_needs_to_know else [],
    }
    if not request["note"]:
        del request["note"]
    resource: dict = {
        "resourceType": "Task",
        "id": onward_task_id(sr),
        "meta": meta(_last_change(sr), SDOHCC_TASK_PROFILE),
        "contained": [request],
        "partOf": [{"reference": f"Task/{referral.reference}"}],
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": "#request"},
        "for": {"display": referral.patient.full_name},
        "authoredOn": instant(sr.sent_at),
        "requester": organisation_reference(referral.team),
    }
    if service.provider.organisation is not None:
        resource["owner"] = organisation_reference(service.provider.organisation)
    if status == "rejected":
        reason = ServiceDeclineReason(sr.decline_reason).label if sr.decline_reason else ""
        resource["statusReason"] = {"text": reason or "Declined by the provider."}
    if status == "failed":
        resource["statusReason"] = {"text": "The patient did not attend."}
    if status == "cancelled":
        resource["statusReason"] = {"text": "Withdrawn by the coordinator."}
    if sr.status == "attended" or sr.attended_at:
        resource["contained"].append(
            {
                "resourceType": "Procedure",
                "id": "attended",
                "status": "completed",
                "code": {"text": f"Attended {service.name}"},
                "subject": {"display": referral.patient.full_name},
                "performedDateTime": instant(sr.attended_at or _last_change(sr)),
            }
        )
        resource["output"] = [
            {"type": {"text": "Attended"}, "valueReference": {"reference": "#attended"}}
        ]
    return resource


def provider_answer(current: dict, wanted: dict) -> tuple[str, str, str]:
    """The provider's new Task → (action, decline reason, note); only its status may change."""
    if wanted.get("resourceType") != "Task":
        raise FhirError.one(400, "The body must be a Task.", "Task.resourceType")
    allowed = {"status", "statusReason", "meta", "output", "contained", "id"}
    changed = sorted(
        key
        for key in set(current) | set(wanted)
        if key not in allowed and current.get(key) != wanted.get(key)
    )
    if changed:
        raise FhirError.one(
            403,
            "The provider may only change the Task's status: "
            + ", ".join(changed)
            + " cannot change.",
            *[f"Task.{key}" for key in changed],
            code="forbidden",
        )
    status = wanted.get("status")
    if status not in PROVIDER_TASK_CHANGES:
        raise FhirError.one(
            403,
            "The provider may set Task.status to " + ", ".join(PROVIDER_TASK_CHANGES) + ".",
            "Task.status",
            code="forbidden",
        )
    reason_element: dict = (
        wanted["statusReason"] if isinstance(wanted.get("statusReason"), dict) else {}
    )
    text = reason_element.get("text")
    note: str = text.strip() if isinstance(text, str) else ""
    codes: list[str] = [
        str(c["code"])
        for c in reason_element.get("coding") or []
        if isinstance(c, dict) and c.get("code") in ServiceDeclineReason.values
    ]
    reason = ""
    if status == "rejected":
        if not codes and not note:
            raise FhirError.one(
                422, "Say why in Task.statusReason.", "Task.statusReason", code="required"
            )
        reason = codes[0] if codes else str(ServiceDeclineReason.OTHER)
    return PROVIDER_TASK_CHANGES[str(status)], reason, note
