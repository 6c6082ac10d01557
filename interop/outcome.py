"""Errors as OperationOutcome resources: the HTTP status, and an issue per element at fault.

FHIR clients read `issue.expression` (a FHIRPath) to know which element was wrong, so each
refusal names it; a refusal raised deep in a mapping travels up as a FhirError."""

from dataclasses import dataclass, field

# OperationOutcome.issue.code (required binding, http://hl7.org/fhir/ValueSet/issue-type)
# chosen by the HTTP status when a mapping does not say.
ISSUE_CODE_BY_STATUS = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "processing",
    429: "throttled",
    500: "exception",
    503: "transient",
}


@dataclass(frozen=True)
class Issue:
    diagnostics: str
    expression: tuple[str, ...] = ()
    code: str = ""
    severity: str = "error"


@dataclass
class FhirError(Exception):
    """Raised by views and mappings; rendered as an OperationOutcome with `status`."""

    status: int
    issues: list[Issue] = field(default_factory=list)

    @classmethod
    def one(cls, status: int, diagnostics: str, *expression: str, code: str = "") -> "FhirError":
        return cls(status, [Issue(diagnostics, tuple(expression), code)])

    def __str__(self) -> str:
        return "; ".join(issue.diagnostics for issue in self.issues)


def operation_outcome(status: int, issues: list[Issue]) -> dict:
    default_code = ISSUE_CODE_BY_STATUS.get(status, "exception")
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": issue.severity,
                "code": issue.code or default_code,
                "diagnostics": issue.diagnostics,
                **({"expression": list(issue.expression)} if issue.expression else {}),
            }
            for issue in issues
        ]
        or [{"severity": "error", "code": default_code}],
    }
