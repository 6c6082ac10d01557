from common.errors import DomainError
from referrals.errors import NotInReceivingTeam


class CaseworkError(DomainError):
    pass


class CaseNotOpen(CaseworkError):
    code = "case_not_open"


class NotInCaseTeam(CaseNotOpen, NotInReceivingTeam):
    """Casework by someone outside the case's team: the referrals' refusal (a 403), and a
    CaseNotOpen to casework's callers."""

    code = NotInReceivingTeam.code
    http_status = NotInReceivingTeam.http_status


class IllegalReviewChange(CaseworkError):
    code = "illegal_review_change"


class IllegalGoalChange(CaseworkError):
    code = "illegal_goal_change"


class NotManagerOfTeam(CaseworkError):
    code = "not_manager"
    http_status = 403
