from common.errors import DomainError


class CaseworkError(DomainError):
    pass


class CaseNotOpen(CaseworkError):
    code = "case_not_open"


class IllegalReviewChange(CaseworkError):
    code = "illegal_review_change"


class IllegalGoalChange(CaseworkError):
    code = "illegal_goal_change"


class NotManagerOfTeam(CaseworkError):
    code = "not_manager"
    http_status = 403
