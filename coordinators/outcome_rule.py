"""Whether a closing outcome agrees with how the goals ended: one rule, used by the closing
service and shown on the closing page, so "goals met" cannot sit beside a goal only partly met."""

from collections.abc import Iterable

from referrals.models import ClosureOutcome

from .models import GoalStatus

# Outcomes that say why the case ended rather than how the goals went: any goals agree.
ENDINGS_NOT_ABOUT_GOALS = frozenset(
    {
        ClosureOutcome.PATIENT_WITHDREW,
        ClosureOutcome.UNABLE_TO_CONTACT,
        ClosureOutcome.MOVED_AWAY,
        ClosureOutcome.DIED,
        ClosureOutcome.REFERRED_ELSEWHERE,
    }
)


def outcome_disagreement(*, outcome: str, goal_statuses: Iterable[str]) -> str:
    """Why the outcome does not fit the goals' final statuses, or "" when it does.

    Goals that became no longer relevant do not count either way. "Goals met" needs at least one
    goal and every counted goal achieved; "goals partly met" needs at least one goal achieved or
    partly achieved, and not all of them achieved (that is "goals met")."""
    counted = [s for s in goal_statuses if s != GoalStatus.NO_LONGER_RELEVANT]
    if outcome in ENDINGS_NOT_ABOUT_GOALS:
        return ""
    if outcome == ClosureOutcome.GOALS_MET:
        if not counted:
            return "“Goals met” needs at least one goal that was achieved."
        if any(s != GoalStatus.ACHIEVED for s in counted):
            return "“Goals met” needs every goal achieved; not every goal was."
        return ""
    if outcome == ClosureOutcome.GOALS_PARTLY_MET:
        if not any(s in (GoalStatus.ACHIEVED, GoalStatus.PARTLY_ACHIEVED) for s in counted):
            return "“Goals partly met” needs at least one goal achieved or partly achieved."
        if all(s == GoalStatus.ACHIEVED for s in counted):
            return "Every goal was achieved: the outcome is “goals met”."
        return ""
    raise ValueError(f"Unknown outcome {outcome!r}")
