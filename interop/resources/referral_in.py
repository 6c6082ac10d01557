"""A referring transaction (Patient, ServiceRequest, Consent, Task) → the arguments of
interop.services.refer_in. Every element at fault is named, all at once, before anything is
written."""

from dataclasses import dataclass

from ..outcome import FhirError, Issue
from .bundle import ReferralBundle, ods_code_of, points_to
from .consent import consent_given
from .patient import patient_details
from .service_request import practice_identifier, referral_details


@dataclass(frozen=True)
class ReferralIn:
    patient: dict
    referral: dict
    identifier: tuple[str, str]
    requester_ods: str
    owner_ods: str | None
    owner_id: str | None


def _check_task(task: dict, bundle: ReferralBundle, issues: list[Issue]) -> None:
    expected = {"status": "requested", "intent": "order"}
    for element, value in expected.items():
        if task.get(element) != value:
            issues.append(Issue(f"Task.{element} must be '{value}'.", (f"Task.{element}",)))
    codes = [
        c.get("code") for c in (task.get("code") or {}).get("coding") or [] if isinstance(c, dict)
    ]
    if "fulfill" not in codes:
        issues.append(Issue("Task.code must be 'fulfill'.", ("Task.code",)))
    if not points_to(task.get("focus"), bundle, "ServiceRequest"):
        issues.append(
            Issue(
                "Task.focus must reference the Bundle's ServiceRequest.",
                ("Task.focus",),
                "required",
            )
        )
    if not points_to(task.get("for"), bundle, "Patient"):
        issues.append(
            Issue("Task.for must reference the Bundle's Patient.", ("Task.for",), "required")
        )
    if not isinstance(task.get("authoredOn"), str):
        issues.append(Issue("Task.authoredOn is required.", ("Task.authoredOn",), "required"))


def referral_in(bundle: ReferralBundle) -> ReferralIn:
    issues: list[Issue] = []
    patient = patient_details(bundle.resources["Patient"], issues)
    service_request = bundle.resources["ServiceRequest"]
    referral = referral_details(service_request, issues)
    identifier = practice_identifier(service_request, issues)
    if (
        identifier
        and bundle.if_none_exist
        and bundle.if_none_exist != (f"identifier={identifier[0]}|{identifier[1]}")
    ):
        issues.append(
            Issue(
                "ifNoneExist must be identifier=<system>|<value> of the ServiceRequest.",
                ("Bundle.entry.request.ifNoneExist",),
            )
        )
    if not points_to(service_request.get("subject"), bundle, "Patient"):
        issues.append(
            Issue(
                "ServiceRequest.subject must reference the Bundle's Patient.",
                ("ServiceRequest.subject",),
                "required",
            )
        )
    requester_ods = ods_code_of(service_request.get("requester"))
    if not requester_ods:
        issues.append(
            Issue(
                "ServiceRequest.requester must name the practice by its ODS code.",
                ("ServiceRequest.requester",),
                "required",
            )
        )
    if not any(
        points_to(info, bundle, "Consent") for info in service_request.get("supportingInfo") or []
    ):
        issues.append(
            Issue(
                "ServiceRequest.supportingInfo must reference the Bundle's Consent.",
                ("ServiceRequest.supportingInfo",),
                "required",
            )
        )
    consent = bundle.resources["Consent"]
    patient["consent_to_referral"] = consent_given(consent, issues)
    if not points_to(consent.get("patient"), bundle, "Patient"):
        issues.append(
            Issue(
                "Consent.patient must reference the Bundle's Patient.",
                ("Consent.patient",),
                "required",
            )
        )
    task = bundle.resources["Task"]
    _check_task(task, bundle, issues)
    owner = task.get("owner")
    owner_reference = (owner or {}).get("reference") if isinstance(owner, dict) else None
    owner_id = (
        owner_reference.removeprefix("Organization/")
        if isinstance(owner_reference, str) and owner_reference.startswith("Organization/")
        else None
    )
    if issues:
        raise FhirError(422, issues)
    return ReferralIn(
        patient=patient,
        referral=referral,
        identifier=identifier,  # type: ignore[arg-type]
        requester_ods=requester_ods,  # type: ignore[arg-type]
        owner_ods=ods_code_of(owner),
        owner_id=owner_id,
    )
