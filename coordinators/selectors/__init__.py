"""Read-side queries for casework, scoped to the user's team(s): another team's case is a 404."""

from .calendar import CALENDAR_VIEWS, ReviewCalendar, review_calendar, team_reviews_between
from .case_page import (
    CaseFile,
    MeasureComparison,
    TimelineEntry,
    case_file,
    case_timeline,
    measure_comparisons,
    plan_for_print,
)
from .caseload import (
    CaseloadRow,
    caseload_of,
    caseload_rows,
    cases_for,
    conversations_for,
    get_case,
    goals_for,
    measures_for,
    my_cases,
    plan_actions_for,
    reviews_for,
    team_caseload,
    upcoming_reviews,
)
from .next_step import (
    CaseSummary,
    NextStep,
    case_summary,
)
from .retention import (
    ENDED_STATUSES,
    cases_due_for_anonymisation,
)
from .reviews import (
    default_next_review_at,
    measures_chosen_for,
)
from .subject_access import (
    SubjectAccessSection,
    patient_for_subject_access,
    subject_access_record,
)
from .summary import (
    Section,
    closing_summary_sections,
    sections_as_text,
    summary_preview,
)

__all__ = [
    "ReviewCalendar",
    "review_calendar",
    "CALENDAR_VIEWS",
    "team_reviews_between",
    "CaseFile",
    "CaseSummary",
    "NextStep",
    "case_summary",
    "CaseloadRow",
    "ENDED_STATUSES",
    "MeasureComparison",
    "SubjectAccessSection",
    "TimelineEntry",
    "case_file",
    "case_timeline",
    "caseload_of",
    "caseload_rows",
    "cases_due_for_anonymisation",
    "cases_for",
    "conversations_for",
    "default_next_review_at",
    "measures_chosen_for",
    "Section",
    "closing_summary_sections",
    "sections_as_text",
    "summary_preview",
    "get_case",
    "goals_for",
    "measure_comparisons",
    "measures_for",
    "my_cases",
    "patient_for_subject_access",
    "plan_actions_for",
    "plan_for_print",
    "reviews_for",
    "subject_access_record",
    "team_caseload",
    "upcoming_reviews",
]
