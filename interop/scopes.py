"""SMART Backend Services-style system scopes (`system/Task.rs`), and what each kind of
organisation's client may be granted. A scope names a resource type and the permissions
c(reate) r(ead) u(pdate) d(elete) s(earch), in that order, any subset."""

import itertools
import re

PERMISSIONS = "cruds"
RESOURCE_TYPES = (
    "Patient",
    "ServiceRequest",
    "Task",
    "Consent",
    "DocumentReference",
    "Subscription",
    "HealthcareService",
    "Location",
    "Organization",
    "Goal",
    "Observation",
)
# The directory: every kind of organisation reads what a referrer could refer to.
DIRECTORY = {"HealthcareService": "rs", "Location": "rs", "Organization": "rs"}
_SCOPE = re.compile(r"^system/(\*|[A-Za-z]+)\.([cruds]+)$")

# What a client of each kind of organisation may hold: the same as a person of it may do.
GRANTS_BY_KIND = {
    "gp_practice": {
        "Patient": "crs",
        "ServiceRequest": "crs",
        "Task": "crus",
        "Consent": "cr",
        "DocumentReference": "r",
        "Subscription": "crs",
        **DIRECTORY,
        "Goal": "rs",
        "Observation": "rs",
    },
    "coordinator_team": {
        "Patient": "rs",
        "ServiceRequest": "rs",
        "Task": "rs",
        "Consent": "r",
        "DocumentReference": "r",
        "Subscription": "crs",
        **DIRECTORY,
        "Goal": "rs",
        "Observation": "rs",
    },
    "service_provider": {
        "ServiceRequest": "rs",
        "Task": "rus",
        "Subscription": "crs",
        **DIRECTORY,
    },
}


def _subsets(letters: str) -> list[str]:
    ordered = [p for p in PERMISSIONS if p in letters]
    return [
        "".join(combo)
        for size in range(1, len(ordered) + 1)
        for combo in itertools.combinations(ordered, size)
    ]


def scopes_within(grants: dict[str, str]) -> list[str]:
    """Every scope a client with these grants may ask for (any subset of each)."""
    return [
        f"system/{resource}.{letters}"
        for resource, granted in grants.items()
        for letters in _subsets(granted)
    ]


def granted_scopes_text(kind: str) -> str:
    """The full grant of an organisation kind, as a space-separated scope string."""
    return " ".join(
        f"system/{resource}.{letters}" for resource, letters in GRANTS_BY_KIND[kind].items()
    )


def all_scopes() -> dict[str, str]:
    return {
        scope: f"{scope.split('/')[1].split('.')[0]}: {scope.split('.')[1]}"
        for scope in scopes_within({resource: PERMISSIONS for resource in RESOURCE_TYPES})
    }


def allows(granted: str, resource: str, permission: str) -> bool:
    """Does the space-separated scope string allow `permission` on `resource`?"""
    for scope in granted.split():
        match = _SCOPE.match(scope)
        if match and match.group(1) in (resource, "*") and permission in match.group(2):
            return True
    return False
