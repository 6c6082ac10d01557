"""POST a transaction Bundle to the base: refer a patient in."""

from accounts.models import Organisation, OrganisationKind
from referrals.selectors import practice_ids_of

from .. import services
from ..outcome import FhirError
from ..resources.bundle import read_transaction, transaction_response
from ..resources.referral_in import referral_in
from .base import FhirView, fhir_response, read_json_body

# A service's field errors → the FHIR element they are about.
FIELD_EXPRESSIONS = {
    "nhs_number": "Patient.identifier",
    "date_of_birth": "Patient.birthDate",
    "given_name": "Patient.name.given",
    "family_name": "Patient.name.family",
    "email": "Patient.telecom",
    "consent_to_referral": "Consent.status",
    "reasons": "ServiceRequest.reasonCode",
    "help_wanted": "ServiceRequest.note",
}


def _practice(caller, requester_ods: str) -> Organisation:
    named = Organisation.objects.filter(
        kind=OrganisationKind.GP_PRACTICE, ods_code=requester_ods
    ).first()
    if named is None:
        raise FhirError.one(
            422,
            f"No practice has the ODS code {requester_ods!r}.",
            "ServiceRequest.requester",
            code="not-found",
        )
    if named.pk not in practice_ids_of(caller.user):
        raise FhirError.one(
            403,
            "ServiceRequest.requester must be the caller's own practice.",
            "ServiceRequest.requester",
            code="forbidden",
        )
    return named


def _check_owner(practice: Organisation, incoming) -> None:
    """Unset: routed by coverage. Set: it must be the team that receives this practice's."""
    if incoming.owner_ods is None and incoming.owner_id is None:
        return
    coverage = getattr(practice, "coverage", None)
    team = coverage.team if coverage else None
    named = team is not None and (
        (incoming.owner_id and str(team.public_id) == incoming.owner_id)
        or (incoming.owner_ods and team.ods_code == incoming.owner_ods)
    )
    if not named:
        raise FhirError.one(
            422,
            "Task.owner must be the coordinator team that receives this practice's referrals, "
            "or be left out to route by coverage.",
            "Task.owner",
        )


class Transaction(FhirView):
    field_expressions = FIELD_EXPRESSIONS

    def post(self, request, caller):
        if not practice_ids_of(caller.user):
            raise FhirError.one(403, "Only a practice refers patients in.", code="forbidden")
        for kind in ("Patient", "ServiceRequest", "Consent", "Task"):
            caller.require(kind, "c")
        bundle = read_transaction(read_json_body(request))
        incoming = referral_in(bundle)
        practice = _practice(caller, incoming.requester_ods)
        _check_owner(practice, incoming)
        result = services.refer_in(
            by=caller.user,
            practice=practice,
            identifier=incoming.identifier,
            patient=incoming.patient,
            referral=incoming.referral,
        )
        referral = result.referral
        locations = {
            "Patient": f"Patient/{referral.patient_id}",
            "ServiceRequest": f"ServiceRequest/{referral.reference}",
            "Consent": f"Consent/{referral.reference}",
            "Task": f"Task/{referral.reference}",
        }
        status = "201 Created" if result.created else "200 OK"
        return fhir_response(
            transaction_response(locations, bundle.order, status),
            status=200,
        )
