"""The practice's messages back: the list, one message, its PDF letter and FHIR document, and
marking it filed in the GP record."""

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from accounts.services import Listed, record_audit_event, record_list_viewed
from common.errors import DomainError
from common.form_pages import form_page

from . import selectors, services
from .fhir_document import message_document
from .forms import CorrectMessageForm
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
    rows = list(selectors.messages_for_practice(request.user)[: selectors.RECENT_MESSAGES])
    record_list_viewed(
        actor=request.user,
        what="messages back",
        object_type="message_back",
        listed=[Listed(row.pk, row.referral.patient_id) for row in rows],
    )
    now = timezone.now()
    overdue = [
        row
        for row in rows
        if row.filed_at is None and row.is_current and services.filing_overdue(row, now)
    ]
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
    try:
        services.mark_message_filed(message=message, by=request.user)
    except DomainError as refusal:
        flash.error(request, str(refusal))
    else:
        flash.success(request, "Marked as filed in the GP record.")
    return redirect("gp_messages:detail", message_id=message.public_id)


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def message_correct(request, message_id):
    """The case's team corrects a message it sent: a new version, the old one kept."""
    message = selectors.get_message_for_team(request.user, message_id)
    if request.method == "GET":
        _record_read(request, message, "correction form")
    case = message.referral
    form = CorrectMessageForm(request.POST or None, message=message)
    case_url = reverse("coordinators:case", args=[case.reference])

    def run(data):
        return services.correct_message_back(
            message=message,
            by=request.user,
            sections={key: data[f"section_{key}"] for key in form.section_keys},
            reason=data["reason"],
        )

    return form_page(
        request,
        form,
        run,
        done=lambda new: f"Version {new.version} sent to the practice in place of the one before.",
        success_url=case_url,
        refusal_url=case_url,
        render_page=lambda: render(
            request,
            "coordinators/form_page.html",
            {
                "case": case,
                "form": form,
                "heading": f"Correct the message: {message.get_moment_display().lower()}",
                "button": "Send the corrected version",
            },
        ),
    )
