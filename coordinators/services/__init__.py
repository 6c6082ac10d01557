"""Every write to casework, one module per step of the journey. The case is an accepted
referral; its status changes stay in `referrals.services` (closing wraps `close_referral`),
everything else is here."""

from .caseload import (
    reassign_case,
)
from .casework import (
    add_goal,
    record_conversation,
    set_goal_status,
    update_goal,
)
from .checks import (
    FINAL_GOAL_STATUSES,
)
from .closing import (
    close_case,
)
from .plan import (
    add_plan_action,
    update_plan_action,
)
from .read_audit import (
    record_case_viewed,
    record_casework_list_viewed,
    record_subject_access_export,
)
from .refer_on import (
    refer_case_on,
)
from .retention import (
    ANONYMISED_DETAILS_TEXT,
    REDACTED,
    AnonymisationRun,
    anonymise_closed_cases,
)
from .reviews import (
    GoalRating,
    RecordedReview,
    cancel_review,
    mark_review_missed,
    record_review,
    refresh_next_reviews,
    reschedule_review,
    schedule_review,
)
from .sweeps import (
    plain_time,
    review_occurrence,
    review_overdue_since,
    sweep_review_due,
    sweep_review_overdue,
)
from .wellbeing import (
    record_measure,
    score_answers,
)

__all__ = [
    "ANONYMISED_DETAILS_TEXT",
    "AnonymisationRun",
    "FINAL_GOAL_STATUSES",
    "GoalRating",
    "REDACTED",
    "RecordedReview",
    "add_goal",
    "add_plan_action",
    "anonymise_closed_cases",
    "cancel_review",
    "close_case",
    "mark_review_missed",
    "plain_time",
    "reassign_case",
    "record_case_viewed",
    "record_casework_list_viewed",
    "record_conversation",
    "record_measure",
    "record_review",
    "record_subject_access_export",
    "refer_case_on",
    "refresh_next_reviews",
    "reschedule_review",
    "review_occurrence",
    "review_overdue_since",
    "schedule_review",
    "score_answers",
    "set_goal_status",
    "sweep_review_due",
    "sweep_review_overdue",
    "update_goal",
    "update_plan_action",
]
