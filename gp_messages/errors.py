from common.errors import DomainError


class MessageBackError(DomainError):
    pass


class MessageAlreadyCorrected(MessageBackError):
    """Only the newest version can be corrected: correcting an older one would fork the record."""

    code = "message_already_corrected"


class AlreadyFlagged(MessageBackError):
    """A case is on the practice's list of cases to discuss once until it is discussed."""

    code = "already_flagged"
