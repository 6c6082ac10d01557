"""Data protection: everything held about one patient (subject access request)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import role_required

from .. import selectors, services


@role_required(Role.MANAGER, allow_superuser=True)
def subject_access(request, patient_id):
    """Everything held about one patient, readable and printable (subject access request)."""
    patient = selectors.patient_for_subject_access(request.user, patient_id)
    services.record_subject_access_export(patient=patient, by=request.user, format="HTML")
    return render(
        request,
        "coordinators/subject_access.html",
        {
            "patient": patient,
            "sections": selectors.subject_access_record(patient, request.user),
            "generated_at": timezone.now(),
        },
    )


@role_required(Role.MANAGER, allow_superuser=True)
def subject_access_json(request, patient_id):
    patient = selectors.patient_for_subject_access(request.user, patient_id)
    services.record_subject_access_export(patient=patient, by=request.user, format="JSON")
    body = {
        "generated_at": timezone.now(),
        **{s.key: s.rows for s in selectors.subject_access_record(patient, request.user)},
    }
    response = JsonResponse(body, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="subject-access-{patient.pk}.json"'
    return response
