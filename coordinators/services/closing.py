"""Closing a case: final goal statuses, closing measures, the outcome checked against the goals,
then the one status change in `referrals.services.close_referral` with the summary drafted from
the case as it now is (so a goal set to achieved on the same form reads achieved)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.enqueue import send_task_after_commit
from common.input_limits import NARRATIVE_MAX_LENGTH
from referrals.models import ClosureOutcome, Referral, ReferralStatus
from referrals.services import close_referral

from ..errors import CaseNotOpen
from ..models import CaseEventKind, Goal, GoalStatus, MeasureOccasion, Review, ReviewStatus
from ..outcome_rule import outcome_disagreement
from ..selectors.case_page import case_file
from ..selectors.summary import closing_summary_sections, sections_as_text
from .checks import MESSAGE_BACK_TASK, _choice, _locked_open_case, _record
from .reviews import _set_next_review
from .wellbeing import _create_measure


@transaction.atomic
def close_case(
    *,
    case: Referral,
    by: User,
    outcome: str,
    summary: str,
    goal_statuses: dict[int, str] | None = None,
    closing_measures: list[dict[str, Any]] | None = None,
    outcome_reason: str = "",
) -> Referral:
    """Final goal statuses, closing measures, then `close_referral` (the one status change),
    with the summary the referring practice sees: drafted from the saved state, `summary` as
    the next steps. An outcome that disagrees with the goals needs `outcome_reason`. Scheduled
    reviews lapse."""
    case = _locked_open_case(case, by, "close it")
    if case.status != ReferralStatus.IN_PROGRESS:
        raise CaseNotOpen(
            f"Case {case.reference} has had no first contact yet, so it cannot be closed "
            "with an outcome."
        )
    _choice(outcome, ClosureOutcome.values, "outcome", "Choose the outcome.")
    if not summary.strip():
        raise ValidationError({"summary": "Write the next steps for the referring practice."})
    goals = {goal.pk: goal for goal in Goal.objects.select_for_update().filter(referral=case)}
    for goal_id, status in (goal_statuses or {}).items():
        goal = goals.get(goal_id)
        if goal is None:
            raise ValidationError({f"goal_{goal_id}": "That goal is not on this case."})
        _choice(status, GoalStatus.values, f"goal_{goal_id}", "Choose how the goal went.")
        if status != goal.status:
            goal.status, goal.status_changed_at = status, timezone.now()
            goal.save(update_fields=["status", "status_changed_at"])
    still_active = [goal for goal in goals.values() if goal.is_active]
    if still_active:
        raise ValidationError(
            {f"goal_{goal.pk}": "Say how this goal went before closing." for goal in still_active}
        )
    disagreement = outcome_disagreement(
        outcome=outcome, goal_statuses=[goal.status for goal in goals.values()]
    )
    if disagreement and not outcome_reason.strip():
        raise ValidationError(
            {"outcome_reason": f"{disagreement} Choose another outcome or say why this one."}
        )
    for measure in closing_measures or []:
        _create_measure(
            case=case,
            by=by,
            instrument=measure.get("instrument", ""),
            occasion=MeasureOccasion.CLOSING,
            answers=measure.get("answers", {}),
            taken_on=timezone.localdate(),
        )
    for review in Review.objects.select_for_update().filter(
        referral=case, status=ReviewStatus.SCHEDULED
    ):
        review.status, review.notes = ReviewStatus.CANCELLED, "The case closed."
        review.save(update_fields=["status", "notes"])
    _set_next_review(case, None)
    sections = closing_summary_sections(
        case_file(case),
        goal_statuses=None,
        outcome=outcome,
        outcome_reason=outcome_reason if disagreement else "",
        next_steps=summary,
    )
    text = sections_as_text(sections)[:NARRATIVE_MAX_LENGTH]
    case = close_referral(referral=case, by=by, outcome=outcome, summary=text)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.CLOSED,
        summary=f"Case closed: {case.get_outcome_display().lower()}",
        action="close",
        obj=case,
        object_type="case",
    )
    send_task_after_commit(MESSAGE_BACK_TASK, case_id=case.pk, moment="closure")
    return case
