from common.errors import DomainError


class ReferralError(DomainError):
    pass


class IllegalTransition(ReferralError):
    code = "illegal_transition"


class ReferralAlreadyTaken(IllegalTransition):
    code = "already_taken"


class NotInReceivingTeam(ReferralError):
    code = "not_in_team"
    http_status = 403


class NoTeamServesPractice(ReferralError):
    code = "no_team"


class IdempotencyKeyReused(DomainError):
    """Same key, different body: the draft answers 422."""

    code = "idempotency_key_reused"
    http_status = 422


class IdempotencyKeyInFlight(DomainError):
    """The first request with this key is still being processed: the draft answers 409."""

    code = "idempotency_key_in_flight"
    http_status = 409


class NoConsentToShare(ReferralError):
    code = "no_consent_to_share"


class ServiceNotReferable(ReferralError):
    code = "service_not_referable"


class AlreadyReferredToService(ReferralError):
    code = "already_referred"


class NotForThisProvider(ReferralError):
    code = "not_for_this_provider"
    http_status = 403


class LinkStillValid(ReferralError):
    code = "link_still_valid"


class DetailsAlreadyResolved(ReferralError):
    """Someone in the team already decided about this referral's details."""

    code = "details_already_resolved"


class IdentityNotChecked(ReferralError):
    """A self-referral whose person nobody has checked yet: confirm who they are first."""

    code = "identity_not_checked"


class IdentityAlreadyChecked(ReferralError):
    code = "identity_already_checked"


class NotInReferringPractice(ReferralError):
    code = "not_referring_practice"
    http_status = 403
