"""What the server can do, and our code systems: public, like any FHIR server's."""

from django.http import Http404
from django.urls import reverse

from ..codes import fhir_base
from ..resources.capability import capability_statement
from ..resources.code_systems import CODE_SYSTEMS, code_system_resource
from .base import PublicFhirView, fhir_response

# The day this CapabilityStatement last changed (its `date`).
CAPABILITY_DATE = "2026-12-03"


class Metadata(PublicFhirView):
    def get(self, request, caller):
        return fhir_response(
            capability_statement(
                base=fhir_base(),
                token_url=request.build_absolute_uri(reverse("fhir:token")),
                software_date=CAPABILITY_DATE,
            )
        )


class CodeSystemRead(PublicFhirView):
    def get(self, request, caller, system_id: str):
        if system_id not in CODE_SYSTEMS:
            raise Http404(f"No CodeSystem {system_id}.")
        return fhir_response(code_system_resource(system_id))
