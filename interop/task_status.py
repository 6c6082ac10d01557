"""Our referral's status → the FHIR Task's (and its ServiceRequest's), in one table.

Kept beside the referral's own state machine (referrals.models): a new ReferralStatus fails
tests/interop/test_task_status.py until it has a row here."""

from django.db.models import Q

from referrals.models import ClosureOutcome, ReferralStatus

# ReferralStatus → (Task.status, ServiceRequest.status). A closed referral whose outcome is
# "unable to contact" reads as a failed Task (CLOSED_TASK_STATUS_BY_OUTCOME).
TASK_STATUS: dict[str, tuple[str, str]] = {
    ReferralStatus.RECEIVED: ("requested", "active"),
    ReferralStatus.ACCEPTED: ("accepted", "active"),
    ReferralStatus.IN_PROGRESS: ("in-progress", "active"),
    ReferralStatus.CLOSED: ("completed", "completed"),
    ReferralStatus.DECLINED: ("rejected", "revoked"),
    ReferralStatus.PATIENT_DECLINED: ("cancelled", "revoked"),
}
CLOSED_TASK_STATUS_BY_OUTCOME: dict[str, str] = {
    ClosureOutcome.UNABLE_TO_CONTACT: "failed",
}
# Task statuses that carry statusReason.text (FHIR: why it stopped or paused).
STATUSES_WITH_REASON = frozenset({"rejected", "cancelled", "on-hold", "failed"})


def task_status(status: str, outcome: str = "") -> str:
    if status == ReferralStatus.CLOSED and outcome in CLOSED_TASK_STATUS_BY_OUTCOME:
        return CLOSED_TASK_STATUS_BY_OUTCOME[outcome]
    return TASK_STATUS[status][0]


def service_request_status(status: str) -> str:
    return TASK_STATUS[status][1]


def referrals_with_task_status(task_status_code: str) -> Q:
    """The referrals whose Task reads `task_status_code` (for `Task?status=`)."""
    failing = [
        o for o, theirs in CLOSED_TASK_STATUS_BY_OUTCOME.items() if theirs == task_status_code
    ]
    other_outcomes = list(CLOSED_TASK_STATUS_BY_OUTCOME)
    matched = Q(pk__in=[])
    for ours, (theirs, _) in TASK_STATUS.items():
        if theirs != task_status_code:
            continue
        if ours == ReferralStatus.CLOSED:
            matched |= Q(status=ours) & ~Q(outcome__in=other_outcomes)
        else:
            matched |= Q(status=ours)
    if failing:
        matched |= Q(status=ReferralStatus.CLOSED, outcome__in=failing)
    return matched
