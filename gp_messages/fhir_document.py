"""The message back as a FHIR R4 `document` Bundle: a Composition with the message's sections,
the Patient it is about and the coded procedures for the GP record. Pure: built from the stored
message, so the document is the same every time it is read.

Not yet referenced from the FHIR Task's `output`: the FHIR API (`interop/`) is being built
alongside; wiring the two together is left for when both are on main."""

from html import escape

from .codes import SNOMED_SYSTEM, SOCIAL_PRESCRIBING_DECLINED
from .models import MessageBack

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


def _narrative(lines: list[str]) -> dict:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>',
    }


def message_document(message: MessageBack) -> dict:
    """Needs `message.referral` with its patient and team loaded."""
    case = message.referral
    patient = case.patient
    base = f"urn:uuid:{message.public_id}"
    patient_url, team_url = f"{base}-patient", f"{base}-team"
    patient_resource = {
        "resourceType": "Patient",
        "name": [{"given": [patient.given_name], "family": patient.family_name}],
        "birthDate": patient.date_of_birth.isoformat(),
    }
    if patient.nhs_number:
        patient_resource["identifier"] = [
            {"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}
        ]
    team = {"resourceType": "Organization", "name": case.team.name}
    procedures = [
        (
            f"{base}-code-{entry['code']}",
            {
                "resourceType": "Procedure",
                "status": "not-done"
                if entry["code"] == SOCIAL_PRESCRIBING_DECLINED
                else "completed",
                "code": {
                    "coding": [
                        {
                            "system": SNOMED_SYSTEM,
                            "code": entry["code"],
                            "display": entry["display"],
                        }
                    ]
                },
                "subject": {"reference": patient_url},
                "performedDateTime": entry["on"],
            },
        )
        for entry in message.codes
    ]
    sections = []
    for section in message.sections:
        fhir_section = {
            "title": section["title"],
            "code": {"text": section["key"]},
            "text": _narrative(section["lines"]),
        }
        if section["key"] == "support" and procedures:
            fhir_section["entry"] = [{"reference": url} for url, _ in procedures]
        sections.append(fhir_section)
    composition = {
        "resourceType": "Composition",
        "identifier": {"value": f"{message.public_id}"},
        "status": "amended" if message.version > 1 else "final",
        "type": {"text": "Social prescribing message back to GP and referrer"},
        "subject": {"reference": patient_url},
        "date": message.sent_at.isoformat(),
        "author": [{"reference": team_url}],
        "title": f"{message.get_moment_display()}: referral {case.reference}",
        "section": sections,
    }
    replaced = message.supersedes
    if replaced is not None:
        # A correction: the document it replaces, by its identifier (the practice may hold it).
        composition["relatesTo"] = [
            {"code": "replaces", "targetIdentifier": {"value": f"{replaced.public_id}"}}
        ]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": base},
        "type": "document",
        "timestamp": message.sent_at.isoformat(),
        "entry": [
            {"fullUrl": f"{base}-composition", "resource": composition},
            {"fullUrl": patient_url, "resource": patient_resource},
            {"fullUrl": team_url, "resource": team},
            *({"fullUrl": url, "resource": resource} for url, resource in procedures),
        ],
    }
