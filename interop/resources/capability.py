"""The CapabilityStatement: exactly what this server implements, built from one table the URL
configuration is tested against (tests/interop/test_conformance.py)."""

from ..codes import (
    FHIR_JSON,
    FHIR_VERSION,
    SDOHCC_CAPACITY_EXTENSION,
    SDOHCC_GOAL_PROFILE,
    SDOHCC_SERVICE_REQUEST_PROFILE,
    SDOHCC_TASK_PROFILE,
    UK_CORE_HEALTHCARE_SERVICE,
    UK_CORE_LOCATION,
    UK_CORE_ORGANIZATION,
)
from .code_systems import CODE_SYSTEMS

# resource type → (interactions, search parameters {name: type}, profile)
IMPLEMENTED: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "Task": (
        ("read", "search-type", "update", "patch"),
        {
            "_id": "token",
            "_lastUpdated": "date",
            "requester": "reference",
            "owner": "reference",
            "status": "token",
        },
        SDOHCC_TASK_PROFILE,
    ),
    "ServiceRequest": (("read",), {}, SDOHCC_SERVICE_REQUEST_PROFILE),
    "Patient": (("read",), {}, ""),
    "Consent": (("read",), {}, ""),
    "DocumentReference": (("read",), {}, ""),
    "Organization": (("read", "search-type"), {"name": "string"}, UK_CORE_ORGANIZATION),
    "HealthcareService": (
        ("read", "search-type"),
        {
            "name": "string",
            "service-category": "token",
            "near-postcode": "string",
            "near-distance": "number",
        },
        UK_CORE_HEALTHCARE_SERVICE,
    ),
    "Location": (
        ("read", "search-type"),
        {"name": "string", "near-postcode": "string", "near-distance": "number"},
        UK_CORE_LOCATION,
    ),
    "Goal": (("read", "search-type"), {"patient": "reference"}, SDOHCC_GOAL_PROFILE),
    "Observation": (("read", "search-type"), {"patient": "reference", "code": "token"}, ""),
    "CodeSystem": (("read",), {}, ""),
    "Subscription": (("read", "create"), {}, ""),
}
SEARCH_INCLUDES = {"Task": ["Task:focus"]}
PAGING = (
    " Pages: _count (at most the server's page size) and _page; the Bundle has its total and "
    "a next link."
)
DOCUMENTATION = {
    "HealthcareService": (
        "The directory's referable community services (approved, vetting current, not paused), "
        "as a referrer sees them. category: our need domains (CodeSystem need-domains) with the "
        "SDOHCC category where one fits; capacity as the SDOHCC extension "
        f"{SDOHCC_CAPACITY_EXTENSION} (capacityStatus: the SDOHCC capacity code and ours, "
        "CodeSystem capacity; capacityNotes: the expected wait). Search: name (contains), "
        "service-category (a need domain or an SDOHCC category code, optionally system|code, "
        "comma for any), near-postcode with near-distance in km (default 10): nearest first."
        + PAGING
    ),
    "Location": (
        "Where the referable services meet. Search: name, near-postcode with near-distance "
        "(km, default 10): nearest first." + PAGING
    ),
    "Organization": (
        "Read: a practice, coordinator team or provider of ours (what a Task names) or a "
        "directory organisation (what a HealthcareService names). Search: the directory's "
        "organisations running a referable service, by name." + PAGING
    ),
    "Goal": (
        "The patient's goals in their own words, for the referring practice and the team "
        "(scoped like the Task). category: the need domain (ours, with the SDOHCC category where "
        "one fits); achievementStatus: HL7 goal-achievement where one means the same, and ours "
        "(CodeSystem goal-statuses). Search by patient." + PAGING
    ),
    "Observation": (
        "The patient's wellbeing measures, scoped like the Task: category survey; code and "
        "components from our CodeSystem wellbeing-measures (no LOINC or SNOMED CT code for ONS4 "
        "or SWEMWBS could be cited): ONS4 as its four items, SWEMWBS as raw and metric scores. "
        "Search by patient and code (ons4, swemwbs)." + PAGING
    ),
}
BACKPORT_OPS = "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def capability_statement(*, base: str, token_url: str, software_date: str) -> dict:
    resources = []
    for kind, (interactions, params, profile) in IMPLEMENTED.items():
        entry: dict = {
            "type": kind,
            "interaction": [{"code": code} for code in interactions],
        }
        if profile:
            entry["supportedProfile"] = [profile]
        if params:
            entry["searchParam"] = [{"name": name, "type": kind_} for name, kind_ in params.items()]
        if kind in SEARCH_INCLUDES:
            entry["searchInclude"] = SEARCH_INCLUDES[kind]
        if kind in DOCUMENTATION:
            entry["documentation"] = DOCUMENTATION[kind]
        if kind == "Task":
            entry["documentation"] = (
                "A requester may cancel its Task (PUT or JSON Patch of status to 'cancelled' "
                "with statusReason.text); any other change is refused. A provider's Tasks are "
                "the onward referrals to its services (ids onward-<n>, partOf the main Task): "
                "it may set accepted, rejected (with a reason), completed (attended) or failed "
                "(did not attend)."
            )
        if kind == "Subscription":
            entry["documentation"] = (
                "Subscriptions Backport (R4): topic {base}/SubscriptionTopic/task-status, "
                "rest-hook, id-only, handshake on creation; operations $status and $events."
            ).replace("{base}", base)
            entry["operation"] = [
                {"name": "status", "definition": f"{BACKPORT_OPS}/backport-subscription-status"},
                {"name": "events", "definition": f"{BACKPORT_OPS}/backport-subscription-events"},
            ]
        if kind == "CodeSystem":
            entry["documentation"] = "Our code systems: " + ", ".join(
                f"{base}/CodeSystem/{system_id}" for system_id in CODE_SYSTEMS
            )
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": software_date,
        "kind": "instance",
        "software": {"name": "Social prescribing referral service"},
        "implementation": {"description": "FHIR R4 interface", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Refer in with a transaction Bundle (Patient, ServiceRequest, Consent, Task) "
                    "POSTed to the base; idempotent by ServiceRequest.identifier (ifNoneExist)."
                ),
                "security": {
                    "extension": [
                        {"url": OAUTH_URIS, "extension": [{"url": "token", "valueUri": token_url}]}
                    ],
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": (
                        "OAuth 2.0 client credentials (SMART Backend Services-style system/ "
                        "scopes, client secret), or a signed-in session of the web app."
                    ),
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
