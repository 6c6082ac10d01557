"""Referring on to a community service, from a goal or the onward referrals section."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required
from common.pagination import CountingPaginator
from community_services.directory_forms import DirectorySearchForm
from community_services.models import Service
from community_services.selectors import known_postcode, search_directory

from .. import services
from ..forms import ReferCaseOnForm
from ..models import Goal
from .shared import _form_page, _open_case

SEARCH_PAGE_SIZE = 10


def _goal_from_query(request, case) -> Goal | None:
    goal_id = request.GET.get("goal", "")
    if not goal_id.isdigit():
        return None
    return Goal.objects.active().filter(pk=goal_id, referral=case).first()


def _refusal_page(request, case):
    """Referring on needs an open case and an active goal; say so instead of a dead end."""
    if not case.is_open_case:
        messages.error(
            request, f"Case {case.reference} is {case.get_status_display().lower()}: no changes."
        )
        return redirect("coordinators:case", reference=case.reference)
    if not Goal.objects.active().filter(referral=case).exists():
        messages.error(
            request, "Add a goal first: an onward referral is for one or more of the goals."
        )
        return redirect("coordinators:case", reference=case.reference)
    if not case.patient.consent_to_share:
        return render(request, "coordinators/refer_on_no_consent.html", {"case": case})
    return None


@role_required(*TEAM_ROLES)
def case_refer_on(request, reference):
    """Search the directory inside the case (the goal's need pre-filled); only referable
    services are listed, each with its capacity."""
    case = _open_case(request, reference)
    refused = _refusal_page(request, case)
    if refused is not None:
        return refused
    goal = _goal_from_query(request, case)
    params = request.GET.copy()
    if goal is not None and "need_domain" not in params:
        params["need_domain"] = goal.need_domain
    if "postcode" not in params and known_postcode(case.patient.postcode):
        params["postcode"] = case.patient.postcode  # distance from the patient's home
    form = DirectorySearchForm(params)
    page = CountingPaginator(search_directory(form.filters()), SEARCH_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params.pop("page", None)
    services.record_case_viewed(case=case, by=request.user, what="service_referral", via="search")
    return render(
        request,
        "coordinators/refer_on.html",
        {
            "case": case,
            "goal": goal,
            "form": form,
            "page": page,
            "query": params.urlencode(),
        },
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def case_refer_on_service(request, reference, service_id):
    """Confirm: the goals it serves (the originating goal ticked), what the provider needs to
    know; the onward referral and its plan action are created together."""
    case = _open_case(request, reference)
    refused = _refusal_page(request, case)
    if refused is not None:
        return refused
    service = (
        Service.objects.select_related("provider")
        .exclude(status__in=("draft", "submitted", "rejected"))
        .filter(public_id=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such service.")
    goal = _goal_from_query(request, case)
    active_goals = Goal.objects.active().filter(referral=case)
    form = ReferCaseOnForm(
        request.POST or None,
        goals=active_goals,
        initial={"goals": [goal.pk] if goal else []},
    )

    def run(data):
        chosen = sorted(data["goals"], key=lambda g: (goal is None or g.pk != goal.pk, g.pk))
        services.refer_case_on(
            case=case,
            by=request.user,
            service=service,
            goals=chosen,
            provider_needs_to_know=data["provider_needs_to_know"],
            due_date=data["due_date"],
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading=f"Refer to {service.name}",
        button="Send the referral",
        done=f"{case.patient.full_name} was referred to {service.name}. The provider has been "
        "sent a secure link to answer, and the plan has a new action.",
        template="coordinators/refer_on_service.html",
        extra={"service": service, "referable": service.is_referable, "goal": goal},
        what="service_referral",
        refusal_on_form=True,
    )
