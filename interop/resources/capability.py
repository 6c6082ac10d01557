"""The CapabilityStatement: exactly what this server implements, built from one table the URL
configuration is tested against (tests/interop/test_conformance.py)."""

from ..codes import FHIR_JSON, FHIR_VERSION, SDOHCC_SERVICE_REQUEST_PROFILE, SDOHCC_TASK_PROFILE
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
    "Organization": (("read",), {}, ""),
    "CodeSystem": (("read",), {}, ""),
    "Subscription": (("read", "create"), {}, ""),
}
SEARCH_INCLUDES = {"Task": ["Task:focus"]}
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
