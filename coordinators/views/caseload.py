"""The coordinator's and the team's homes (caseloads, upcoming reviews) and reassigning a
case within the team."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from referrals.selectors import team_members, triage_queue

from .. import selectors, services
from ..forms import ReassignForm
from .shared import _form_page, _open_case

# A coordinator can hold hundreds of open cases: the caseload is read a page at a time.
CASELOAD_PAGE_SIZE = 25


@role_required(*TEAM_ROLES)
def home(request):
    """My caseload: open cases with the next review and what needs attention."""
    page = Paginator(selectors.caseload_of(request.user), CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.caseload_rows(page.object_list)
    services.record_casework_list_viewed(
        by=request.user, what="caseload", object_type="referral", records=[row.case for row in rows]
    )
    return render(
        request,
        "coordinators/home.html",
        {
            "heading": "Your caseload",
            "triage_count": triage_queue(request.user).count(),
            "rows": rows,
            "page": page,
        },
    )


def _case_list(request, *, ended_only: bool, heading: str, what: str):
    page = Paginator(
        selectors.my_cases(request.user, ended_only=ended_only), CASELOAD_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    services.record_casework_list_viewed(
        by=request.user, what=what, object_type="referral", records=list(page.object_list)
    )
    return render(
        request,
        "coordinators/case_list.html",
        {"heading": heading, "page": page, "ended_only": ended_only},
    )


@role_required(*TEAM_ROLES)
def closed_cases(request):
    """The cases I held that have ended, the latest first: "what happened to Mr Y?"."""
    return _case_list(request, ended_only=True, heading="My closed cases", what="closed cases")


@role_required(*TEAM_ROLES)
def all_cases(request):
    """Every case I held, open or ended, the latest accepted first."""
    return _case_list(request, ended_only=False, heading="All my cases", what="all my cases")


@role_required(Role.MANAGER)
def team_home(request):
    """The whole team's open cases, with a reassign action on each."""
    page = Paginator(selectors.team_caseload(request.user), CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.caseload_rows(page.object_list)
    services.record_casework_list_viewed(
        by=request.user,
        what="team caseload",
        object_type="referral",
        records=[r.case for r in rows],
    )
    return render(
        request,
        "coordinators/team_home.html",
        {
            "heading": "Your team",
            "triage_count": triage_queue(request.user).count(),
            "rows": rows,
            "page": page,
        },
    )


@role_required(*TEAM_ROLES)
def upcoming_reviews(request):
    reviews = list(selectors.upcoming_reviews(request.user))
    services.record_casework_list_viewed(
        by=request.user, what="upcoming reviews", object_type="review", records=reviews
    )
    now = timezone.now()
    return render(
        request,
        "coordinators/upcoming_reviews.html",
        {
            "overdue": [r for r in reviews if r.scheduled_for < now],
            "upcoming": [r for r in reviews if r.scheduled_for >= now],
        },
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def case_reassign(request, reference):
    case = _open_case(request, reference)
    colleagues = team_members(case.team).exclude(pk=case.assigned_to_id)
    form = ReassignForm(request.POST or None, colleagues=colleagues)
    return _form_page(
        request,
        case,
        form,
        lambda data: services.reassign_case(
            case=case, by=request.user, to=data["to"], note=data["note"]
        ),
        heading="Reassign the case",
        button="Reassign",
        done="Case reassigned.",
    )
