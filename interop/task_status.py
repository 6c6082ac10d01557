"""Our referral's status → the FHIR Task's (and its ServiceRequest's), in one table, and the
Task changes a requester may make → the action of the referral's machine each takes.

Both are read against the referral's own transitions table (`referrals.models.REFERRAL_MACHINE`):
tests/interop/test_mapping.py fails when the machine gains a state without a row here, or a
requester's change stops being one the referring practice may take."""

from django.db.models import Q

from common.state_machine import Party
from referrals.models import REFERRAL_MACHINE, ClosureOutcome, ReferralAction, ReferralStatus

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
# Task.status a requester may set → the referral machine's action (its transition says who may
# and from where: the service refuses anything else with a 409).
REQUESTER_TASK_CHANGES: dict[str, ReferralAction] = {"cancelled": ReferralAction.PATIENT_DECLINED}


def referral_states() -> set[str]:
    """Every state of the referral's machine: what TASK_STATUS must cover."""
    states = {str(REFERRAL_MACHINE.initial)}
    for transition in REFERRAL_MACHINE.transitions.values():
        states |= {str(s) for s in transition.from_states} | {str(transition.to_state)}
    return states


def requester_may(task_status_code: str) -> bool:
    action = REQUESTER_TASK_CHANGES.get(task_status_code)
    return action is not None and Party.REFERRER in REFERRAL_MACHINE.transitions[action].by


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
