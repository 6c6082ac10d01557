"""Patient (UK Core identifiers): our patient record, or what a practice told us about them,
→ a Patient resource; a referred Patient resource → the patient details intake takes."""

import datetime

from referrals.models import Patient

from ..codes import NHS_NUMBER_SYSTEM
from ..outcome import Issue
from .common import meta

INTERPRETER_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
CONTACT_PREFERENCE = {"phone": "phone", "sms": "sms", "email": "email", "letter": "letter"}


def patient_resource(patient: Patient, details=None) -> dict:
    """`details` (the practice's own ReferralPatientDetails) replaces the record's identity and
    contact details when a practice reads: it sees what it sent, never another's."""
    source = details or patient
    resource: dict = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": meta(patient.updated_at),
        "name": [{"use": "official", "family": source.family_name, "given": [source.given_name]}],
        "birthDate": source.date_of_birth.isoformat(),
    }
    if patient.nhs_number:
        resource["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}]
    telecom = []
    if source.phone:
        telecom.append({"system": "phone", "value": source.phone})
    if source.email:
        telecom.append({"system": "email", "value": source.email})
    if telecom:
        resource["telecom"] = telecom
    if source.address or source.postcode:
        address = {"use": "home"}
        if source.address:
            address["text"] = source.address
        if source.postcode:
            address["postalCode"] = source.postcode
        resource["address"] = [address]
    if source.language or source.interpreter_needed:
        resource["communication"] = [
            {"language": {"text": source.language or "Not recorded"}, "preferred": True}
        ]
    if source.interpreter_needed:
        resource["extension"] = [{"url": INTERPRETER_EXTENSION, "valueBoolean": True}]
    return resource


def _date(value, path: str, issues: list[Issue]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        issues.append(Issue(f"{path} is not a date (YYYY-MM-DD).", (path,)))
        return None


def patient_details(resource: dict, issues: list[Issue]) -> dict:
    """A referred Patient → the `patient` argument of referrals.services.receive_referral.
    Each missing or malformed element adds an issue naming it."""
    details: dict = {}
    nhs = [
        i.get("value")
        for i in resource.get("identifier") or []
        if isinstance(i, dict) and i.get("system") == NHS_NUMBER_SYSTEM
    ]
    if not nhs or not isinstance(nhs[0], str):
        issues.append(
            Issue(
                f"Patient.identifier needs the NHS number ({NHS_NUMBER_SYSTEM}).",
                ("Patient.identifier",),
                "required",
            )
        )
    else:
        details["nhs_number"] = nhs[0]
    names = resource.get("name") or []
    name = names[0] if names and isinstance(names[0], dict) else {}
    given = name.get("given") or []
    if not isinstance(name.get("family"), str) or not name["family"].strip():
        issues.append(
            Issue("Patient.name.family is required.", ("Patient.name.family",), "required")
        )
    else:
        details["family_name"] = name["family"].strip()[:100]
    if not given or not isinstance(given[0], str) or not given[0].strip():
        issues.append(Issue("Patient.name.given is required.", ("Patient.name.given",), "required"))
    else:
        details["given_name"] = given[0].strip()[:100]
    if "birthDate" not in resource:
        issues.append(Issue("Patient.birthDate is required.", ("Patient.birthDate",), "required"))
    else:
        birth = _date(resource["birthDate"], "Patient.birthDate", issues)
        if birth is not None:
            details["date_of_birth"] = birth
    for contact in resource.get("telecom") or []:
        if not isinstance(contact, dict) or not isinstance(contact.get("value"), str):
            continue
        if contact.get("system") == "phone" and "phone" not in details:
            details["phone"] = contact["value"][:30]
        if contact.get("system") == "email" and "email" not in details:
            details["email"] = contact["value"][:254]
    addresses = [a for a in resource.get("address") or [] if isinstance(a, dict)]
    if addresses:
        address = addresses[0]
        lines = [line for line in address.get("line") or [] if isinstance(line, str)]
        city = address.get("city") if isinstance(address.get("city"), str) else ""
        text = address.get("text") if isinstance(address.get("text"), str) else ""
        details["address"] = text or ", ".join([*lines, *([city] if city else [])])
        if isinstance(address.get("postalCode"), str):
            details["postcode"] = address["postalCode"][:10]
    communication = [c for c in resource.get("communication") or [] if isinstance(c, dict)]
    if communication:
        language = communication[0].get("language") or {}
        codings = language.get("coding") or [{}]
        label = language.get("text") or (codings[0] or {}).get("display") or ""
        if isinstance(label, str):
            details["language"] = label[:60]
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == INTERPRETER_EXTENSION:
            details["interpreter_needed"] = extension.get("valueBoolean") is True
    return details
