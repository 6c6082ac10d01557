"""Caseload, case page and casework forms. Thin: forms check input, services change state."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from common.errors import DomainError
from common.pagination import CountingPaginator
from community_services.forms import DirectorySearchForm
from community_services.models import Service
from community_services.selectors import DirectoryFilters, search_directory
from referrals.selectors import patient_checks, team_members, triage_queue

from . import measures, selectors, services
from .forms import (
    CloseCaseForm,
    ConversationForm,
    GoalForm,
    GoalStatusForm,
    MeasureForm,
    NoteForm,
    PlanActionForm,
    ReassignForm,
    RecordReviewForm,
    ReferCaseOnForm,
    ScheduleReviewForm,
)
from .models import Goal, PlanAction, Review, ReviewStatus

TEAM = (Role.COORDINATOR, Role.MANAGER)
SEARCH_PAGE_SIZE = 10
# A coordinator can hold hundreds of open cases: the caseload is read a page at a time.
CASELOAD_PAGE_SIZE = 25


# --- Homes


@role_required(*TEAM)
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


@role_required(*TEAM)
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


# --- The case page


@role_required(*TEAM)
def case_detail(request, reference):
    case = selectors.get_case(request.user, reference)
    services.record_case_viewed(case=case, by=request.user)
    file = selectors.case_file(case)
    return render(
        request,
        "coordinators/case_detail.html",
        {
            "case": case,
            "file": file,
            **patient_checks(request.user, case),
            "is_open": case.status in selectors.OPEN_CASE_STATUSES,
            "can_close": case.status == "in_progress",
            "is_manager": request.user.has_role(Role.MANAGER),
            "instruments": measures.enabled_instruments(),
            "first_goal_domain": file.goals[0].need_domain if file.goals else "",
            "service_referrals": file.service_referrals,
            "can_refer_on": case.status in selectors.OPEN_CASE_STATUSES and bool(file.active_goals),
        },
    )


@role_required(*TEAM)
def plan_print(request, reference):
    case = selectors.get_case(request.user, reference)
    services.record_case_viewed(case=case, by=request.user, what="plan", via="printable plan")
    return render(
        request,
        "coordinators/plan_print.html",
        {"case": case, "plan": selectors.plan_for_print(case), "today": timezone.localdate()},
    )


# --- Forms on a case


def _form_page(
    request,
    case,
    form,
    run,
    *,
    heading,
    button,
    done,
    template=None,
    extra=None,
    what="case",
    refusal_on_form=False,
):
    """GET shows the form (an audited read); POST runs one service function. A refused change
    is shown as a message on the case page (or, with `refusal_on_form`, above the form so it
    can be put right), never a 500."""
    if case.status not in selectors.OPEN_CASE_STATUSES:
        messages.error(
            request, f"Case {case.reference} is {case.get_status_display().lower()}: no changes."
        )
        return redirect("coordinators:case", reference=case.reference)
    if request.method == "GET":
        services.record_case_viewed(case=case, by=request.user, what=what, via=heading)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            if not refusal_on_form:
                messages.error(request, str(exc))
                return redirect("coordinators:case", reference=case.reference)
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("coordinators:case", reference=case.reference)
    return render(
        request,
        template or "coordinators/form_page.html",
        {"case": case, "form": form, "heading": heading, "button": button, **(extra or {})},
    )


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _open_case(request, reference):
    return selectors.get_case(request.user, reference)


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def conversation_new(request, reference):
    case = _open_case(request, reference)
    form = ConversationForm(request.POST or None, initial={"held_on": timezone.localdate()})

    def run(data):
        services.record_conversation(case=case, by=request.user, **data)

    return _form_page(
        request,
        case,
        form,
        run,
        heading="What matters to me",
        button="Save the conversation",
        done="Conversation saved. Now write the goals that come from it.",
        what="conversation",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def goal_new(request, reference):
    case = _open_case(request, reference)
    conversation = case.conversations.first()
    form = GoalForm(request.POST or None)

    def run(data):
        services.add_goal(case=case, by=request.user, conversation=conversation, **data)

    return _form_page(
        request,
        case,
        form,
        run,
        heading="Add a goal",
        button="Add goal",
        done="Goal added.",
        extra={"conversation": conversation},
        what="goal",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def goal_edit(request, reference, goal_id):
    case = _open_case(request, reference)
    goal = get_object_or_404(Goal, pk=goal_id, referral=case)
    form = GoalForm(
        request.POST or None,
        initial={
            "statement": goal.statement,
            "need_domain": goal.need_domain,
            "priority": goal.priority,
            "target_date": goal.target_date,
        },
    )
    return _form_page(
        request,
        case,
        form,
        lambda data: services.update_goal(goal=goal, by=request.user, **data),
        heading="Change the goal",
        button="Save goal",
        done="Goal saved.",
        what="goal",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def goal_status(request, reference, goal_id):
    case = _open_case(request, reference)
    goal = get_object_or_404(Goal, pk=goal_id, referral=case)
    form = GoalStatusForm(request.POST or None, initial={"status": goal.status})
    return _form_page(
        request,
        case,
        form,
        lambda data: services.set_goal_status(goal=goal, by=request.user, status=data["status"]),
        heading=f"Goal: {goal.statement[:60]}",
        button="Save status",
        done="Goal status saved.",
        what="goal",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def measure_new(request, reference, instrument):
    case = _open_case(request, reference)
    if instrument not in {i.code for i in measures.enabled_instruments()}:
        raise Http404("That measure is not in use here.")
    definition = measures.INSTRUMENTS[instrument]
    form = MeasureForm(
        request.POST or None,
        instrument=definition,
        initial={"taken_on": timezone.localdate()},
    )

    def run(data):
        services.record_measure(
            case=case,
            by=request.user,
            instrument=instrument,
            occasion=data["occasion"],
            answers=data["answers"],
            taken_on=data["taken_on"],
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading=definition.name,
        button="Save the answers",
        done=f"{definition.name} saved and scored.",
        extra={"copyright_lines": [definition.copyright]},
        what="wellbeing_measure",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def plan_action_new(request, reference):
    case = _open_case(request, reference)
    goals = Goal.objects.filter(referral=case, status="active")
    form = PlanActionForm(
        request.POST or None, goals=goals, initial={"goal": request.GET.get("goal")}
    )
    return _form_page(
        request,
        case,
        form,
        lambda data: services.add_plan_action(case=case, by=request.user, **data),
        heading="Add to the plan",
        button="Add action",
        done="Action added to the plan.",
        what="plan_action",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def plan_action_edit(request, reference, action_id):
    case = _open_case(request, reference)
    action = get_object_or_404(PlanAction, pk=action_id, referral=case)
    form = PlanActionForm(
        request.POST or None,
        goals=Goal.objects.filter(referral=case),
        with_status=action.service_referral_id is None,
        initial={
            "goal": action.goal_id,
            "description": action.description,
            "owner": action.owner,
            "owner_detail": action.owner_detail,
            "due_date": action.due_date,
            "status": action.status,
        },
    )
    return _form_page(
        request,
        case,
        form,
        lambda data: services.update_plan_action(
            action=action, by=request.user, **{"status": action.status, **data}
        ),
        heading="Change a plan action",
        button="Save action",
        done="Plan action saved.",
        what="plan_action",
    )


# --- Referring on to a community service, from a goal or the onward referrals section


def _goal_from_query(request, case) -> Goal | None:
    goal_id = request.GET.get("goal", "")
    if not goal_id.isdigit():
        return None
    return Goal.objects.filter(pk=goal_id, referral=case, status="active").first()


def _refusal_page(request, case):
    """Referring on needs an open case and an active goal; say so instead of a dead end."""
    if case.status not in selectors.OPEN_CASE_STATUSES:
        messages.error(
            request, f"Case {case.reference} is {case.get_status_display().lower()}: no changes."
        )
        return redirect("coordinators:case", reference=case.reference)
    if not Goal.objects.filter(referral=case, status="active").exists():
        messages.error(
            request, "Add a goal first: an onward referral is for one or more of the goals."
        )
        return redirect("coordinators:case", reference=case.reference)
    if not case.patient.consent_to_share:
        return render(request, "coordinators/refer_on_no_consent.html", {"case": case})
    return None


@role_required(*TEAM)
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
    form = DirectorySearchForm(params)
    filters = DirectoryFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = DirectoryFilters(
            text=data["q"],
            need_domain=data["need_domain"],
            delivery_mode=data["delivery_mode"],
            free_only=data["free_only"],
            age=data["age"],
            accepting_only=data["accepting_only"],
        )
    page = CountingPaginator(search_directory(filters), SEARCH_PAGE_SIZE).get_page(
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


@role_required(*TEAM)
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
    active_goals = Goal.objects.filter(referral=case, status="active")
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


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def review_schedule(request, reference):
    case = _open_case(request, reference)
    form = ScheduleReviewForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        lambda data: services.schedule_review(
            case=case,
            by=request.user,
            scheduled_for=data["scheduled_for"],
            mode=data["mode"],
            with_whom=data["with_whom"],
        ),
        heading="Schedule a review",
        button="Schedule review",
        done="Review scheduled.",
        what="review",
    )


def _scheduled_review(case, review_id) -> Review:
    return get_object_or_404(Review, pk=review_id, referral=case)


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def review_reschedule(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    local = timezone.localtime(review.scheduled_for)
    form = ScheduleReviewForm(
        request.POST or None,
        initial={"day": local.date(), "time": local.strftime("%H:%M"), "mode": review.mode,
                 "with_whom": review.with_whom},
    )  # fmt: skip
    return _form_page(
        request,
        case,
        form,
        lambda data: services.reschedule_review(
            review=review,
            by=request.user,
            scheduled_for=data["scheduled_for"],
            mode=data["mode"],
            with_whom=data["with_whom"],
        ),
        heading="Reschedule the review",
        button="Save new time",
        done="Review rescheduled.",
        what="review",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def review_cancel(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    return _form_page(
        request,
        case,
        NoteForm(request.POST or None),
        lambda data: services.cancel_review(review=review, by=request.user, reason=data["note"]),
        heading="Cancel the review",
        button="Cancel review",
        done="Review cancelled.",
        what="review",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def review_missed(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    return _form_page(
        request,
        case,
        NoteForm(request.POST or None),
        lambda data: services.mark_review_missed(review=review, by=request.user, note=data["note"]),
        heading="The patient missed the review",
        button="Mark as missed",
        done="Review marked as missed. Schedule another when you can.",
        what="review",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def review_record(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    if review.status != ReviewStatus.SCHEDULED or case.status not in selectors.OPEN_CASE_STATUSES:
        messages.error(request, "This review cannot be recorded: the case or review is not open.")
        return redirect("coordinators:case", reference=case.reference)
    form = RecordReviewForm(
        request.POST or None,
        goals=Goal.objects.filter(referral=case, status="active"),
        default_next=services.default_next_review_at(review),
    )

    def run(data):
        services.record_review(
            review=review,
            by=request.user,
            notes=data["notes"],
            ratings=[services.GoalRating(g, r, n) for g, r, n in data["ratings"]],
            continue_case=data["continue_case"],
            measure=data["measure"],
            next_review_at=data["next_review_at"],
            next_mode=data.get("next_mode") or None,
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading="Record the review",
        button="Save the review",
        done="Review recorded.",
        extra={"copyright_lines": [i.copyright for i in measures.enabled_instruments()]},
        what="review",
    )


@role_required(*TEAM)
@require_http_methods(["GET", "POST"])
def case_close(request, reference):
    case = _open_case(request, reference)
    file = selectors.case_file(case)
    form = CloseCaseForm(
        request.POST or None,
        goals=file.goals,
        initial={"summary": selectors.draft_summary_for_referrer(file)},
    )

    def run(data):
        services.close_case(
            case=case,
            by=request.user,
            outcome=data["outcome"],
            summary=data["summary"],
            goal_statuses=data["goal_statuses"],
            closing_measures=data["closing_measures"],
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading="Close the case",
        button="Close the case",
        done="Case closed. The referring practice can now see the summary.",
        extra={"copyright_lines": [i.copyright for i in measures.enabled_instruments()]},
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


# --- Data protection


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
