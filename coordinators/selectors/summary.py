"""What the practice is told about a case, in sections: read from the case file, with the goal
statuses the closing form is about to set laid over it, so the draft says what will be true."""

from collections.abc import Mapping
from dataclasses import dataclass

from referrals.models import ClosureOutcome, Referral, ServiceReferralStatus

from ..models import GoalStatus
from .case_page import CaseFile


@dataclass(frozen=True)
class Section:
    """One titled part of a summary or message back; `key` is stable (the FHIR section uses it)."""

    key: str
    title: str
    lines: tuple[str, ...]


ATTENDED = (ServiceReferralStatus.ATTENDED, ServiceReferralStatus.COMPLETED)


def what_matters_lines(file: CaseFile) -> tuple[str, ...]:
    if not file.conversations:
        return ("Not yet recorded.",)
    conversation = file.conversations[0]
    lines = [conversation.what_matters]
    if conversation.three_months:
        lines.append(f"In three months they would like: {conversation.three_months}")
    return tuple(line for line in lines if line)


def goal_lines(file: CaseFile, goal_statuses: Mapping[int, str] | None = None) -> tuple[str, ...]:
    """Each goal with its status as it will be after the form is saved and its last rating."""
    statuses = goal_statuses or {}
    lines = []
    for goal in file.goals:
        status = GoalStatus(statuses.get(goal.pk) or goal.status).label.lower()
        ratings = [p.rating for p in goal.progress.all()]
        progress = f" (last rated {ratings[-1]} out of 10)" if ratings else ""
        lines.append(f"{goal.statement}: {status}{progress}")
    return tuple(lines) or ("No goals were set.",)


def support_lines(file: CaseFile) -> tuple[str, ...]:
    """Each onward referral: the service, its status, and whether the patient went."""
    lines = []
    for service_referral in sorted(file.service_referrals, key=lambda sr: (sr.sent_at, sr.pk)):
        status = service_referral.get_status_display().lower()
        went = service_referral.status in ATTENDED or service_referral.attended_at is not None
        lines.append(
            f"{service_referral.service.name} (referred {service_referral.sent_at:%d %B %Y}): "
            f"{status}; attended: {'yes' if went else 'no'}"
        )
    return tuple(lines) or ("No onward referrals.",)


def wellbeing_lines(file: CaseFile) -> tuple[str, ...]:
    """Baseline → latest for each measure used, with the dates."""
    lines = []
    for comparison in file.measures:
        baseline, latest = comparison.baseline, comparison.latest
        if baseline is None:
            continue
        name = comparison.instrument.name
        if latest is None:
            lines.append(f"{name}: baseline on {baseline.taken_on:%d %B %Y}, no repeat measure.")
        elif baseline.metric_score is not None and latest.metric_score is not None:
            lines.append(
                f"{name}: {baseline.metric_score} on {baseline.taken_on:%d %B %Y} → "
                f"{latest.metric_score} on {latest.taken_on:%d %B %Y} "
                f"(change {comparison.metric_change:+})"
            )
        else:
            lines.append(f"{name}: {baseline.taken_on:%d %B %Y} → {latest.taken_on:%d %B %Y}")
            lines.extend(
                f"  {item['text']}: {item['baseline']} → {item['latest']} "
                f"(change {item['change']:+})"
                for item in comparison.item_changes
            )
    return tuple(lines) or ("No wellbeing measure was taken.",)


def contact_lines(case: Referral) -> tuple[str, ...]:
    """The coordinator's name and the team's contact details."""
    team = case.team
    coordinator = case.assigned_to.display_name if case.assigned_to else "The coordinator team"
    contact = ", ".join(part for part in (team.phone, team.email) if part)
    return (f"{coordinator}, {team.name}" + (f" ({contact})" if contact else ""),)


def closing_summary_sections(
    file: CaseFile,
    *,
    goal_statuses: Mapping[int, str] | None,
    outcome: str,
    outcome_reason: str,
    next_steps: str,
) -> list[Section]:
    """The closing summary's sections, as the case will be once the closing form is saved."""
    outcome_lines = [f"Outcome: {ClosureOutcome(outcome).label.lower()}"]
    if outcome_reason.strip():
        outcome_lines.append(f"Why: {outcome_reason.strip()}")
    if next_steps.strip():
        outcome_lines.append(f"Next steps: {next_steps.strip()}")
    return [
        Section("what_matters", "What mattered to the patient", what_matters_lines(file)),
        Section("goals", "Goals and how each ended", goal_lines(file, goal_statuses)),
        Section("support", "Support offered", support_lines(file)),
        Section("wellbeing", "Wellbeing change", wellbeing_lines(file)),
        Section("outcome", "Outcome and next steps", tuple(outcome_lines)),
        Section("contact", "Coordinator and team contact", contact_lines(file.case)),
    ]


def sections_as_text(sections: list[Section]) -> str:
    return "\n\n".join(
        section.title + "\n" + "\n".join(f"- {line}" for line in section.lines)
        for section in sections
    )


def summary_preview(file: CaseFile) -> list[Section]:
    """What the closing page shows before saving: the sections that do not depend on the form."""
    return [
        Section("what_matters", "What mattered to the patient", what_matters_lines(file)),
        Section("support", "Support offered", support_lines(file)),
        Section("wellbeing", "Wellbeing change so far", wellbeing_lines(file)),
        Section("contact", "Coordinator and team contact", contact_lines(file.case)),
    ]
