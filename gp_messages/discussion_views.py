"""The practice's multidisciplinary meeting: its list of cases to discuss, and the coordinator
flagging a case for it and recording the review held there."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from accounts.services import Listed, record_audit_event, record_list_viewed
from common.form_pages import form_page
from coordinators.selectors import get_case

from . import services
from .discussion import cases_to_discuss, practices_for_discussion
from .forms import CasesToDiscussFilter, DiscussionFlagForm, PracticeReviewForm

PAGE_SIZE = 50


@role_required(Role.REFERRER, *TEAM_ROLES)
@require_http_methods(["GET"])
def cases_to_discuss_list(request):
    practices = practices_for_discussion(request.user)
    form = CasesToDiscussFilter(request.GET or None, practices=practices)
    practice_id, reason = (practices[0].pk if practices else None), ""
    if form.is_bound and form.is_valid():
        practice_id = form.cleaned_data["practice"] or practice_id
        reason = form.cleaned_data["reason"]
    elif form.is_bound and "practice" in form.errors:
        raise Http404("No such practice.")
    rows = cases_to_discuss(request.user, practice_id, reason) if practice_id else None
    page = Paginator(rows if rows is not None else [], PAGE_SIZE).get_page(request.GET.get("page"))
    record_list_viewed(
        actor=request.user,
        what="cases to discuss with the practice",
        object_type="referral",
        listed=[Listed(case.pk, case.patient_id) for case in page.object_list],
    )
    return render(
        request,
        "gp_messages/cases_to_discuss.html",
        {
            "form": form,
            "page": page,
            "practice": next((p for p in practices if p.pk == practice_id), None),
            "for_team": request.user.has_role(*TEAM_ROLES),
        },
    )


def _case_form_page(request, case, form, run, *, heading, button, done):
    url = reverse("coordinators:case", args=[case.reference])
    if request.method == "GET":
        record_audit_event(
            actor=request.user,
            action="view",
            object_type="referral",
            object_id=case.pk,
            patient_id=case.patient_id,
            team_id=case.team_id,
            detail=f"case {case.reference} ({heading.lower()})",
        )
    return form_page(
        request,
        form,
        run,
        done=done,
        success_url=url,
        refusal_url=url,
        render_page=lambda: render(
            request,
            "coordinators/form_page.html",
            {"case": case, "form": form, "heading": heading, "button": button},
        ),
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def flag_for_discussion(request, reference):
    case = get_case(request.user, reference)
    form = DiscussionFlagForm(request.POST or None)
    return _case_form_page(
        request,
        case,
        form,
        lambda data: services.flag_for_practice_discussion(
            case=case, by=request.user, reason=data["reason"]
        ),
        heading="Flag for the practice meeting",
        button="Add to the practice's cases to discuss",
        done="Added to the practice's list of cases to discuss.",
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def practice_review_new(request, reference):
    case = get_case(request.user, reference)
    form = PracticeReviewForm(request.POST or None)
    return _case_form_page(
        request,
        case,
        form,
        lambda data: services.record_practice_review(case=case, by=request.user, **data),
        heading="Record the review with the practice",
        button="Record the review",
        done="Review with the practice recorded. It goes in the next message to the practice.",
    )
