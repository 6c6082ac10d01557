class DomainError(Exception):
    """A business rule refused the request (an illegal state change, a conflict).

    Pages show the message; the API answers with `http_status` (409 unless a subclass says).
    """

    code = "conflict"
    http_status = 409

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code
