"""Reads of the resources a Task refers to: ServiceRequest, Patient, Consent, DocumentReference
(Organization: views/directory.py). Each is scoped like the Task; a reference in anything we
emit resolves here."""

from django.http import Http404

from gp_messages.fhir_document import message_document
from gp_messages.letters import message_letter_pdf
from referrals.services import record_patient_viewed, record_referral_viewed

from ..resources.consent import consent_resource
from ..resources.document_reference import (
    MESSAGE_PREFIX,
    document_reference_resource,
    has_closing_summary,
    message_back_document_reference,
)
from ..resources.patient import patient_resource
from ..resources.service_request import service_request_resource
from ..selectors import get_message_back, get_patient, get_task
from .base import FhirView, fhir_response


class ServiceRequestRead(FhirView):
    def get(self, request, caller, reference: str):
        caller.require("ServiceRequest", "r")
        referral = get_task(caller.user, reference)
        record_referral_viewed(referral=referral, by=caller.user, via="fhir")
        return fhir_response(
            service_request_resource(referral, getattr(referral, "fhir_identifier", None))
        )


class ConsentRead(FhirView):
    def get(self, request, caller, reference: str):
        caller.require("Consent", "r")
        referral = get_task(caller.user, reference)
        record_referral_viewed(referral=referral, by=caller.user, via="fhir consent")
        return fhir_response(consent_resource(referral))


class DocumentReferenceRead(FhirView):
    def get(self, request, caller, reference: str):
        caller.require("DocumentReference", "r")
        if reference.startswith(MESSAGE_PREFIX):
            message = get_message_back(caller.user, reference)
            record_referral_viewed(
                referral=message.referral, by=caller.user, via="fhir message back"
            )
            return fhir_response(
                message_back_document_reference(
                    message, pdf=message_letter_pdf(message), document=message_document(message)
                )
            )
        referral = get_task(caller.user, reference)
        if not has_closing_summary(referral):
            raise Http404("The referral has no closing summary yet.")
        record_referral_viewed(referral=referral, by=caller.user, via="fhir closing summary")
        return fhir_response(document_reference_resource(referral))


class PatientRead(FhirView):
    def get(self, request, caller, patient_id: str):
        caller.require("Patient", "r")
        patient, details = get_patient(caller.user, patient_id)
        record_patient_viewed(patient=patient, by=caller.user, detail="fhir Patient read")
        return fhir_response(patient_resource(patient, details))
