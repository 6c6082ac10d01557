from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from common.errors import DomainError
from common.pagination import CountingPaginator

from . import services
from .directory_forms import DirectorySearchForm
from .forms import (
    LocationFormSet,
    ProviderForm,
    ReasonForm,
    RenewalForm,
    ReviewForm,
    ScheduleFormSet,
    ServiceForm,
)
from .models import Service, ServiceStatus, VettingAction, VettingDecision
from .selectors import (
    search_directory,
    service_for_user,
    vetting_queue,
)

DIRECTORY_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.VETTER)
PAGE_SIZE = 20


def _vetter_service(public_id) -> Service:
    return get_object_or_404(
        Service.objects.select_related("provider", "submitted_by", "last_edited_by"),
        public_id=public_id,
    )


@role_required(Role.VETTER)
def vetter_home(request):
    """The vetting queue: submitted (oldest first), expiring in 30 days, expired; who
    submitted each, and for each the action this vetter may take (four eyes)."""
    queue = {name: list(rows) for name, rows in vetting_queue().items()}
    may_approve_ids = {
        service.pk
        for rows in queue.values()
        for service in rows
        if services.may_approve(service, request.user)
    }
    return render(
        request,
        "community_services/vetting_queue.html",
        {"queue": queue, "may_approve_ids": may_approve_ids, "vetting_action": VettingAction},
    )


@role_required(Role.VETTER)
def service_list(request):
    status = request.GET.get("status", "")
    services_qs = Service.objects.select_related("provider").order_by("name", "pk")
    if status in ServiceStatus.values:
        services_qs = services_qs.filter(status=status)
    page = Paginator(services_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community_services/service_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ServiceStatus.choices,
            "query": urlencode({"status": status}) if status else "",
        },
    )


@role_required(Role.VETTER)
def provider_create(request):
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = services.create_provider(by=request.user, **form.cleaned_data)
        messages.success(request, f"{provider.name} added.")
        return redirect("community_services:service-create")
    return render(request, "community_services/provider_form.html", {"form": form})


def _save_service_form(request, service: Service | None):
    form = ServiceForm(request.POST or None, instance=service)
    formset = LocationFormSet(request.POST or None, instance=service, prefix="locations")
    schedules = ScheduleFormSet(request.POST or None, instance=service, prefix="schedules")
    valid = [part.is_valid() for part in (form, formset, schedules)]  # every error at once
    if request.method == "POST" and all(valid):
        locations = [
            location_form.location_data()
            for location_form in formset.forms
            if location_form.cleaned_data and not location_form.cleaned_data.get("DELETE")
        ]
        session_times = [
            schedule_form.schedule_data()
            for schedule_form in schedules.forms
            if schedule_form.cleaned_data and not schedule_form.cleaned_data.get("DELETE")
        ]
        with transaction.atomic():
            if service is None:
                service = services.create_service(
                    by=request.user,
                    provider=form.cleaned_data["provider"],
                    locations=locations,
                    schedules=session_times,
                    **form.content(),
                )
                messages.success(request, "Service saved as a draft.")
            else:
                service = services.update_service(
                    by=request.user,
                    service=service,
                    provider=form.cleaned_data["provider"],
                    locations=locations,
                    schedules=session_times,
                    **form.content(),
                )
                messages.success(request, "Service updated.")
        for location_form in formset.forms:
            if location_form.cleaned_data.get("DELETE") or not location_form.unplaced_postcode:
                continue
            messages.warning(
                request,
                f"The location at {location_form.unplaced_postcode} was saved without a place "
                "on the map: no postcode directory is loaded yet, so searches by distance will "
                "not find it. Save the service again once the postcode directory is loaded.",
            )
        return redirect("community_services:service-detail", public_id=service.public_id)
    return render(
        request,
        "community_services/service_form.html",
        {"form": form, "formset": formset, "schedules": schedules, "service": service},
    )


@role_required(Role.VETTER)
def service_create(request):
    return _save_service_form(request, None)


@role_required(Role.VETTER)
def service_edit(request, public_id):
    return _save_service_form(request, _vetter_service(public_id))


@role_required(*DIRECTORY_ROLES)
def service_detail(request, public_id):
    service = service_for_user(request.user, public_id)
    is_vetter = request.user.has_role(Role.VETTER)
    return render(
        request,
        "community_services/service_detail.html",
        {
            "service": service,
            "is_vetter": is_vetter,
            "vetting_action": VettingAction,
            "may_approve": is_vetter and services.may_approve(service, request.user),
            "may_renew": is_vetter and services.may_renew_vetting(service),
            "status_changes": service.status_changes.select_related("actor") if is_vetter else [],
        },
    )


@role_required(Role.VETTER)
def service_review(request, public_id):
    service = _vetter_service(public_id)
    form = ReviewForm(request.POST or None)
    may_approve = services.may_approve(service, request.user)
    if not may_approve:  # four eyes: the approve control is not offered at all
        form.fields["decision"].choices = [
            (VettingDecision.REJECTED, VettingDecision.REJECTED.label)
        ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == VettingDecision.APPROVED:
                services.approve_service(
                    by=request.user,
                    service=service,
                    checklist=form.checklist(),
                    insurance_expires_on=data["insurance_expires_on"],
                    notes=data["notes"],
                    vetted_until=data["vetted_until"],
                )
                messages.success(request, f"{service.name} approved.")
            else:
                services.reject_service(
                    by=request.user,
                    service=service,
                    reason=data["reason"],
                    checklist=form.checklist(),
                    insurance_expires_on=data["insurance_expires_on"],
                    notes=data["notes"],
                )
                messages.success(request, f"{service.name} rejected.")
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("community_services:vetter-home")
    return render(
        request,
        "community_services/review_form.html",
        {"form": form, "service": service, "may_approve": may_approve},
    )


@role_required(Role.VETTER)
def service_renew(request, public_id):
    """Renew vetting before it lapses: the checklist again, by another vetter than the
    service's submitter or last editor; the service stays in the directory meanwhile."""
    service = _vetter_service(public_id)
    form = RenewalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            renewed = services.renew_vetting(
                by=request.user,
                service=service,
                checklist=form.checklist(),
                insurance_expires_on=data["insurance_expires_on"],
                notes=data["notes"],
                vetted_until=data["vetted_until"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{service.name}: vetting renewed until {renewed.vetted_until:%-d %B %Y}."
            )
            return redirect("community_services:service-detail", public_id=service.public_id)
    return render(
        request,
        "community_services/renew_form.html",
        {
            "form": form,
            "service": service,
            "may_renew": services.may_renew_vetting(service),
            "four_eyes_clear": services.may_approve(service, request.user),
            "notice_days": settings.VETTING_EXPIRY_NOTICE_DAYS,
        },
    )


def _reasoned_transition(request, public_id, transition, *, template_verb: str, done: str):
    service = _vetter_service(public_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transition(by=request.user, service=service, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{service.name} {done}.")
            return redirect("community_services:service-detail", public_id=service.public_id)
    return render(
        request,
        "community_services/reason_form.html",
        {"form": form, "service": service, "verb": template_verb},
    )


@role_required(Role.VETTER)
def service_suspend(request, public_id):
    return _reasoned_transition(
        request, public_id, services.suspend_service, template_verb="Suspend", done="suspended"
    )


@role_required(Role.VETTER)
@require_POST
def service_submit(request, public_id):
    return _simple_transition(request, public_id, services.submit_service, "submitted for vetting")


@role_required(Role.VETTER)
@require_POST
def service_reinstate(request, public_id):
    return _simple_transition(request, public_id, services.reinstate_service, "reinstated")


def _simple_transition(request, public_id, transition, done: str):
    service = _vetter_service(public_id)
    try:
        transition(by=request.user, service=service)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{service.name} {done}.")
    return redirect("community_services:service-detail", public_id=service.public_id)


@role_required(Role.VETTER)
def service_history(request, public_id):
    service = _vetter_service(public_id)
    return render(
        request,
        "community_services/service_history.html",
        {
            "service": service,
            "versions": service.versions.select_related("changed_by"),
            "status_changes": service.status_changes.select_related("actor").order_by(
                "-occurred_at", "-id"
            ),
            "reviews": service.reviews.select_related("reviewer"),
        },
    )


@role_required(*DIRECTORY_ROLES)
def directory_search(request):
    """Referable services only. htmx asks for just the results partial as the user types."""
    form = DirectorySearchForm(request.GET or None)
    page = CountingPaginator(search_directory(form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode(
        [(key, value) for key, value in request.GET.items() if key != "page" and value]
    )
    context = {"form": form, "page": page, "query": query}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "community_services/includes/search_results.html", context)
    return render(request, "community_services/directory_search.html", context)
