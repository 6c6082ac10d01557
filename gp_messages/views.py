"""The practice's messages back: the list, one message, its PDF letter and FHIR document, and
marking it filed in the GP record."""

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.services import Listed, record_audit_event, record_list_viewed

from . import selectors, services
from .fhir_document import message_document
from .letters import message_letter_pdf


def _record_read(request, message, via: str) -> None:
    record_audit_event(
        actor=request.user,
        action="view",
        object_type="message_back",
        object_id=message.pk,
        patient_id=message.referral.patient_id,
        detail=f"message back for {message.referral.reference} ({via})",
    )


@role_required(Role.REFERRER)
@require_http_methods(["GET"])
def message_list(request):
    rows = list(selectors.messages_for_practice(request.user)[:200])
    record_list_viewed(
        actor=request.user,
        what="messages back",
        object_type="message_back",
        listed=[Listed(row.pk, row.referral.patient_id) for row in rows],
    )
    now = timezone.now()
    overdue = [row for row in rows if row.filed_at is None and services.filing_overdue(row, now)]
    return render(
        request,
        "gp_messages/list.html",
        {
            "rows": rows,
            "overdue": overdue,
            "filing_days": settings.MESSAGE_BACK_FILING_WORKING_DAYS,
        },
    )


@role_required(Role.REFERRER)
@require_http_methods(["GET"])
def message_detail(request, message_id):
    message = selectors.get_message_for_practice(request.user, message_id)
    _record_read(request, message, "page")
    return render(request, "gp_messages/detail.html", {"message": message})


@role_required(Role.REFERRER)
@require_http_methods(["GET"])
def message_pdf(request, message_id):
    message = selectors.get_message_for_practice(request.user, message_id)
    _record_read(request, message, "pdf")
    response = HttpResponse(message_letter_pdf(message), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{message.file_name}"'
    return response


@role_required(Role.REFERRER)
@require_http_methods(["GET"])
def message_fhir(request, message_id):
    message = selectors.get_message_for_practice(request.user, message_id)
    _record_read(request, message, "fhir")
    return JsonResponse(message_document(message), content_type="application/fhir+json")


@role_required(Role.REFERRER)
@require_POST
def message_filed(request, message_id):
    message = selectors.get_message_for_practice(request.user, message_id)
    services.mark_message_filed(message=message, by=request.user)
    flash.success(request, "Marked as filed in the GP record.")
    return redirect("gp_messages:detail", message_id=message.public_id)
