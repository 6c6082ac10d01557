"""ServiceRequest (SDOHCC ServiceRequest): the referral's what and why; a referred
ServiceRequest → the `referral` argument of intake, and the practice's own identifier."""

from community_services.need_domains import NeedDomain
from referrals.models import PRACTICE_SOURCES, Referral, Urgency

from ..codes import (
    REFERRAL_TO_SOCIAL_PRESCRIBING,
    SDOHCC_CATEGORY_OF_NEED,
    SDOHCC_CATEGORY_SYSTEM,
    SDOHCC_SERVICE_REQUEST_PROFILE,
    UK_CORE_SOURCE_OF_SERVICE_REQUEST,
    our_code_system,
)
from ..outcome import Issue
from ..task_status import service_request_status
from .code_systems import coding
from .common import instant, meta, organisation_reference

HELP_WANTED_NOTE, RISK_NOTE = "help-wanted", "risk"


def service_request_resource(referral: Referral, identifier=None) -> dict:
    categories = {
        SDOHCC_CATEGORY_OF_NEED[code]
        for code in referral.reasons
        if code in SDOHCC_CATEGORY_OF_NEED
    }
    notes = []
    if referral.help_wanted:
        notes.append({"id": HELP_WANTED_NOTE, "text": referral.help_wanted})
    if referral.risk_flag:
        notes.append(
            {"id": RISK_NOTE, "text": referral.risk_notes or "Risk or safeguarding concern."}
        )
    resource: dict = {
        "resourceType": "ServiceRequest",
        "id": referral.reference,
        "meta": meta(referral.updated_at, SDOHCC_SERVICE_REQUEST_PROFILE),
        "extension": [
            {
                "url": UK_CORE_SOURCE_OF_SERVICE_REQUEST,
                "valueCodeableConcept": {"coding": [coding("referral-sources", referral.source)]},
            }
        ],
        "status": service_request_status(referral.status),
        "intent": "order",
        "priority": referral.urgency,
        "code": {"coding": [REFERRAL_TO_SOCIAL_PRESCRIBING]},
        "subject": {"reference": f"Patient/{referral.patient_id}"},
        "authoredOn": instant(referral.received_at),
        "requester": organisation_reference(referral.referring_practice),
        "performer": [organisation_reference(referral.team)],
        "reasonCode": [
            {"coding": [coding("need-domains", code)]}
            for code in referral.reasons
            if code in NeedDomain.values
        ],
        "supportingInfo": [{"reference": f"Consent/{referral.reference}"}],
    }
    if identifier is not None:
        resource["identifier"] = [{"system": identifier.system, "value": identifier.value}]
    if categories:
        resource["category"] = [
            {"coding": [{"system": SDOHCC_CATEGORY_SYSTEM, "code": code, "display": display}]}
            for code, display in sorted(categories)
        ]
    if notes:
        resource["note"] = notes
    return resource


def practice_identifier(resource: dict, issues: list[Issue]) -> tuple[str, str] | None:
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict)]
    if not identifiers or not all(
        isinstance(identifiers[0].get(key), str) and identifiers[0][key]
        for key in ("system", "value")
    ):
        issues.append(
            Issue(
                "ServiceRequest.identifier (system and value: the practice's own referral id) "
                "is required, so that a retry never makes a second referral.",
                ("ServiceRequest.identifier",),
                "required",
            )
        )
        return None
    return identifiers[0]["system"][:255], identifiers[0]["value"][:128]


def referral_details(resource: dict, issues: list[Issue]) -> dict:
    """A referred ServiceRequest → the `referral` argument of receive_referral."""
    if resource.get("status") != "active":
        issues.append(Issue("ServiceRequest.status must be 'active'.", ("ServiceRequest.status",)))
    if resource.get("intent") != "order":
        issues.append(Issue("ServiceRequest.intent must be 'order'.", ("ServiceRequest.intent",)))
    codings = (resource.get("code") or {}).get("coding") or []
    wanted = REFERRAL_TO_SOCIAL_PRESCRIBING
    if not any(
        isinstance(c, dict)
        and c.get("system") == wanted["system"]
        and c.get("code") == wanted["code"]
        for c in codings
    ):
        issues.append(
            Issue(
                f"ServiceRequest.code must be SNOMED CT {wanted['code']} ({wanted['display']}).",
                ("ServiceRequest.code",),
                "code-invalid",
            )
        )
    reasons, system = [], our_code_system("need-domains")
    for index, reason in enumerate(resource.get("reasonCode") or []):
        for c in (reason or {}).get("coding") or [] if isinstance(reason, dict) else []:
            if isinstance(c, dict) and c.get("system") == system:
                if c.get("code") in NeedDomain.values:
                    reasons.append(c["code"])
                else:
                    issues.append(
                        Issue(
                            f"{c.get('code')!r} is not a need domain of {system}.",
                            (f"ServiceRequest.reasonCode[{index}]",),
                            "code-invalid",
                        )
                    )
    if not reasons:
        issues.append(
            Issue(
                f"ServiceRequest.reasonCode needs at least one need domain from {system}.",
                ("ServiceRequest.reasonCode",),
                "required",
            )
        )
    priority = resource.get("priority", Urgency.ROUTINE)
    if priority not in Urgency.values:
        issues.append(
            Issue(
                "ServiceRequest.priority must be routine or urgent.", ("ServiceRequest.priority",)
            )
        )
    notes = {
        n.get("id"): n.get("text")
        for n in resource.get("note") or []
        if isinstance(n, dict) and isinstance(n.get("text"), str)
    }
    help_wanted = notes.get(HELP_WANTED_NOTE) or notes.get(None) or ""
    if not help_wanted.strip():
        issues.append(
            Issue(
                "ServiceRequest.note (id 'help-wanted') must say what the patient would like "
                "help with.",
                ("ServiceRequest.note",),
                "required",
            )
        )
    details = {
        **_source(resource, issues),
        "reasons": list(dict.fromkeys(reasons)),
        "help_wanted": help_wanted.strip(),
        "urgency": priority if priority in Urgency.values else Urgency.ROUTINE,
    }
    if notes.get(RISK_NOTE):
        details["risk_flag"] = True
        details["risk_notes"] = str(notes[RISK_NOTE]).strip()
    return details


def _source(resource: dict, issues: list[Issue]) -> dict:
    """Who at the practice asked, from the UK Core source-of-request extension coded from our
    referral-sources: a practice's system refers for its own staff only. Without it (or with
    another code system's code), the referral is the GP's, as before the extension was read."""
    system = our_code_system("referral-sources")
    for index, extension in enumerate(resource.get("extension") or []):
        if not isinstance(extension, dict):
            continue
        if extension.get("url") != UK_CORE_SOURCE_OF_SERVICE_REQUEST:
            continue
        concept = extension.get("valueCodeableConcept")
        for c in (concept.get("coding") or []) if isinstance(concept, dict) else []:
            if not isinstance(c, dict) or c.get("system") != system:
                continue
            if c.get("code") in PRACTICE_SOURCES:
                return {"source": c["code"]}
            issues.append(
                Issue(
                    f"{c.get('code')!r} is not a source a practice refers as: one of "
                    f"{', '.join(PRACTICE_SOURCES)} from {system}.",
                    (f"ServiceRequest.extension[{index}]",),
                    "code-invalid",
                )
            )
    return {}
