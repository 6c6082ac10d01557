"""The PRSB "message back" sections for a case at a moment, as plain lines: the same content
goes to the page, the PDF letter and the FHIR document."""

from collections.abc import Sequence

from coordinators.models import PlanActionStatus
from coordinators.selectors import CaseFile
from coordinators.selectors.summary import (
    contact_lines,
    goal_lines,
    support_lines,
    wellbeing_lines,
    what_matters_lines,
)
from referrals.models import ClosureOutcome, Referral

from .models import MessageMoment, PracticeReview

# The Composition's sections, in order: (key, title). Keys are stable; tests hold them.
SECTION_TITLES = (
    ("patient", "Patient"),
    ("reason", "Reason for referral, needs and concerns"),
    ("what_matters", "What matters to the patient"),
    ("support", "Support offered"),
    ("outcomes", "Outcomes"),
    ("plan", "Plan and next steps"),
    ("contact", "Who to contact"),
)


def patient_lines(case: Referral) -> tuple[str, ...]:
    patient = case.patient
    return (
        f"{patient.full_name}, born {patient.date_of_birth:%d %B %Y}",
        f"NHS number: {patient.nhs_number_display or 'not known'}",
        f"Referral {case.reference}, received {case.received_at:%d %B %Y}",
    )


def reason_lines(case: Referral) -> tuple[str, ...]:
    reasons = ", ".join(case.reason_labels)
    lines = [f"Needs: {reasons}"] if reasons else []
    lines.append(case.help_wanted)
    return tuple(line for line in lines if line)


def outcome_lines(file: CaseFile, moment: str) -> tuple[str, ...]:
    case = file.case
    lines: list[str] = []
    if moment == MessageMoment.FIRST_SEEN and case.first_contact_at:
        lines.append(f"First seen: {case.first_contact_at:%d %B %Y}")
    if moment == MessageMoment.CLOSURE and case.outcome:
        lines.append(f"Case closed on {case.closed_at:%d %B %Y}: {case.get_outcome_display()}")
        if case.outcome == ClosureOutcome.UNABLE_TO_CONTACT:
            lines.extend(line for line in case.outcome_summary.splitlines() if line.strip())
    if moment == MessageMoment.DECLINED and case.closed_at:
        lines.append(
            f"The patient declined social prescribing on {case.closed_at:%d %B %Y}; "
            "the referral is closed."
        )
    lines.extend(f"Goal: {line}" for line in goal_lines(file))
    lines.extend(wellbeing_lines(file))
    return tuple(lines)


def practice_review_lines(reviews: Sequence[PracticeReview]) -> tuple[str, ...]:
    """The reviews with the practice since the last message, oldest first."""
    return tuple(
        f"Reviewed with the practice on {review.held_on:%d %B %Y} ({review.attendees}). "
        f"Agreed: {review.agreed_actions}"
        for review in sorted(reviews, key=lambda review: (review.held_on, review.pk))
    )


def plan_lines(file: CaseFile, moment: str) -> tuple[str, ...]:
    if moment == MessageMoment.DECLINED or file.case.outcome == ClosureOutcome.UNABLE_TO_CONTACT:
        return ("The practice can refer the patient again at any time if they would like support.",)
    if moment == MessageMoment.CLOSURE:
        steps = [
            line.removeprefix("- Next steps: ")
            for line in file.case.outcome_summary.splitlines()
            if line.startswith("- Next steps: ")
        ]
        return tuple(steps) or ("The case is closed.",)
    lines = [
        f"{action.description} ({action.current_status_display.lower()})"
        for action in file.plan_actions
        if action.current_status not in (PlanActionStatus.CANCELLED,)
    ]
    if file.next_review:
        lines.append(f"Next review: {file.next_review.scheduled_for:%d %B %Y}")
    return tuple(lines) or ("The plan is being agreed with the patient.",)


def message_sections(
    file: CaseFile, *, moment: str, practice_reviews: Sequence[PracticeReview] = ()
) -> list[dict]:
    """The sections as stored on the message: [{key, title, lines}]. `practice_reviews`: those
    recorded since the previous message, which this one reports."""
    case = file.case
    content = {
        "patient": patient_lines(case),
        "reason": reason_lines(case),
        "what_matters": what_matters_lines(file),
        "support": support_lines(file),
        "outcomes": outcome_lines(file, moment),
        "plan": practice_review_lines(practice_reviews) + plan_lines(file, moment),
        "contact": contact_lines(case),
    }
    return [
        {"key": key, "title": title, "lines": list(content[key])} for key, title in SECTION_TITLES
    ]
