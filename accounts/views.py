import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.errors import DomainError

from .forms import AuditFilterForm
from .middleware import mark_session_activity
from .models import AuditEvent, Notification, Role
from .permissions import role_required
from .selectors import (
    AUDIT_EXPORT_COLUMNS,
    audit_events_for_browsing,
    audit_filter_choices,
    audit_trail_of_patient,
    home_url_for,
    may_export_audit_trail_of,
    notifications_for,
    operations_overview,
    patient_ids_for_lookup,
    reminder_for_operations,
    team_members_for_manager,
)
from .services import (
    end_user_sessions,
    mark_all_notifications_read,
    mark_notification_read,
    record_audit_event,
    record_audit_list_viewed,
    retry_failed_reminder,
)


@login_required
def home(request):
    return redirect(home_url_for(request.user))


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html")


@role_required(Role.MANAGER, allow_superuser=True)
def audit_list(request):
    # NUL cannot reach PostgreSQL in a query: it is dropped here.
    data = {name: value.replace("\x00", "") for name, value in request.GET.items()}
    choices = audit_filter_choices()
    form = AuditFilterForm(data, actions=choices["action"], object_types=choices["object_type"])
    filters: dict[str, str] = {}
    events = AuditEvent.objects.none()
    if form.is_valid():
        criteria = {k: v for k, v in form.cleaned_data.items() if k != "patient"}
        lookup = form.cleaned_data["patient"].strip()
        if lookup:
            criteria["patient_ids"] = patient_ids_for_lookup(lookup)
            if not criteria["patient_ids"]:
                form.add_error("patient", "No patient has this NHS number or referral reference.")
            elif len(criteria["patient_ids"]) == 1 and not criteria["patient_id"]:
                criteria["patient_id"] = criteria["patient_ids"][0]
        filters = {k: str(v) for k, v in criteria.items() if v and k != "patient_ids"}
        if lookup:
            filters["patient"] = lookup
        events = audit_events_for_browsing(user=request.user, **criteria)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = urlencode({name: data[name] for name in AuditFilterForm.base_fields if data.get(name)})
    record_audit_list_viewed(
        by=request.user, filters=filters, page_number=page.number, shown=len(page.object_list)
    )
    return render(
        request,
        "accounts/audit_list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "query": query,
            "patient_id": filters.get("patient_id", ""),
        },
    )


class _Echo:
    """A file-like object for csv.writer that hands each row back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_safe(value) -> str:
    """Cells a spreadsheet would run as a formula are prefixed with a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _audit_csv_lines(user, patient_id: str):
    writer = csv.writer(_Echo())
    yield writer.writerow(AUDIT_EXPORT_COLUMNS)
    for row in audit_trail_of_patient(user, patient_id):
        yield writer.writerow([_csv_safe(value) for value in row])


@role_required(Role.MANAGER, allow_superuser=True)
def audit_export(request):
    """Subject access: what the audit trail holds about one patient, as CSV, streamed; a
    manager gets their own teams' part (see accounts.selectors.scoped_to_teams_of)."""
    patient_id = request.GET.get("patient_id", "").strip()
    if not patient_id.isdigit():
        messages.error(request, "Enter the patient id whose audit trail you want to download.")
        return redirect("accounts:audit-list")
    if not may_export_audit_trail_of(request.user, patient_id):
        raise Http404("No patient referred to your team has this id.")
    record_audit_event(
        actor=request.user,
        action="export",
        object_type="audit_trail",
        object_id=patient_id,
        patient_id=patient_id,
        detail="audit trail exported as CSV (subject access)",
    )
    response = StreamingHttpResponse(
        _audit_csv_lines(request.user, patient_id), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-trail-patient-{patient_id}.csv"'
    return response


@login_required
@require_POST
def session_keepalive(request):
    """'Stay logged in' from the idle warning: counts as activity."""
    mark_session_activity(request)
    if (
        request.headers.get("HX-Request")
        or request.accepts("application/json")
        and not (request.accepts("text/html"))
    ):
        return HttpResponse(status=204)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = home_url_for(request.user)
    return redirect(next_url)


@role_required(Role.MANAGER, allow_superuser=True)
def team_members(request):
    members = list(team_members_for_manager(request.user))
    return render(request, "accounts/team_members.html", {"members": members})


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page, "query": ""})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    try:
        notification = mark_notification_read(notification_id=notification_id, by=request.user)
    except Notification.DoesNotExist as exc:
        raise Http404("No such notification.") from exc
    if request.POST.get("open") and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("accounts:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = mark_all_notifications_read(by=request.user)
    messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
    return redirect("accounts:notifications")


@role_required(Role.MANAGER, allow_superuser=True)
def operations(request):
    overview = operations_overview(request.user)
    record_audit_event(
        actor=request.user,
        action="view_list",
        object_type="reminder",
        detail=f"operations: {len(overview['failed'])} failed, {len(overview['waiting'])} waiting",
    )
    return render(request, "accounts/operations.html", overview)


@role_required(Role.MANAGER, allow_superuser=True)
@require_POST
def end_sessions(request, user_id: int):
    member = get_object_or_404(team_members_for_manager(request.user), pk=user_id)
    ended = end_user_sessions(user=member, by=request.user)
    messages.success(request, f"{member.display_name} was logged out of {ended} session(s).")
    return redirect("accounts:team-members")


@role_required(Role.MANAGER, allow_superuser=True)
@require_POST
def reminder_retry(request, reminder_id: int):
    reminder = reminder_for_operations(request.user, reminder_id)
    try:
        retry_failed_reminder(reminder=reminder, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The reminder will be sent again.")
    return redirect("accounts:operations")
