"""Forms on a case: the conversation, goals, measures and the plan."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from .. import measures, services
from ..forms import ConversationForm, GoalForm, GoalStatusForm, PlanActionForm
from ..measure_forms import MeasureForm
from ..models import Goal, PlanAction
from .shared import _form_page, _open_case


@role_required(*TEAM_ROLES)
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


@role_required(*TEAM_ROLES)
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


@role_required(*TEAM_ROLES)
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


@role_required(*TEAM_ROLES)
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


@role_required(*TEAM_ROLES)
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


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def plan_action_new(request, reference):
    case = _open_case(request, reference)
    goals = Goal.objects.active().filter(referral=case)
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


@role_required(*TEAM_ROLES)
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
