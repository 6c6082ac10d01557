"""The permission matrix, generated from the URL configuration.

Every route Django resolves (format-suffix variants too, should any come back) is called as
each actor of the cast against the practice A / team X world of `tests.matrix_world`, with the
methods its entry in `tests.permission_matrix.MATRIX` names, each call in its own savepoint
that is rolled back. A route without an entry fails the test. Run with `MATRIX_REPORT=1 -s` to
print the table of outcomes actually seen.
"""

import os
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import api_token_for
from tests.matrix_world import (  # noqa: F401 - world_fixture is the `world` fixture
    object_key,
    url_parameters,
    world_fixture,
)
from tests.permission_matrix import (
    ACTORS,
    ANONYMOUS,
    DENIED,
    HIDDEN,
    LOGIN,
    MATRIX,
    METHOD,
    OK,
    SHARED_PATIENT_ROUTES,
    SKIPPED,
    TOKEN_AUTH_DIFFERS,
)

ACTOR_FIXTURES = {
    ANONYMOUS: None,
    "referrer_a": "referrer_a",
    "referrer_b": "referrer_b",
    "coordinator_x": "coordinator_x",
    "coordinator_y": "coordinator_y",
    "manager_x": "manager",
    "vetter": "vetter",
    "provider": "provider",
    "commissioner": "commissioner",
    "superuser": "superuser",
}
_GROUP = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(route name, route pattern text, parameter names, is a format-suffix variant)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else None
            yield from walk(entry.url_patterns, pattern, inner or entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            params = tuple(a or b for a, b in _GROUP.findall(pattern))
            yield name or f"<unnamed {pattern}>", pattern, params, "format" in params


def checked_routes():
    """Every route minus the skipped families (each with its reason in SKIPPED)."""
    for name, pattern, params, suffixed in walk():
        if any(pattern.startswith(prefix) for prefix in SKIPPED):
            continue
        yield name, pattern, params, suffixed


def _request_client(actor_user) -> Client:
    client = Client(raise_request_exception=False)
    if actor_user is not None:
        client.force_login(actor_user)
    return client


def classify(response, *, anonymous: bool) -> str:
    status = response.status_code
    if anonymous and status in (401, 403) and response.request["PATH_INFO"].startswith("/api/"):
        return LOGIN
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith("/accounts/2fa/"):
            return "mfa"
        return OK
    if 200 <= status < 300 or status in (400, 409, 422):
        return OK
    if status == 401:
        return LOGIN
    return {403: DENIED, 404: HIDDEN, 405: METHOD}.get(status, str(status))


class _RolledBack(Exception):
    pass


def call(client, method: str, url: str):
    """One request in a savepoint that is always rolled back: the next check sees the same
    world."""
    response = None
    try:
        with transaction.atomic():
            response = client.generic(method, url, data=b"", content_type="application/json")
            raise _RolledBack
    except _RolledBack:
        pass
    return response


class _Unresolvable(Exception):
    pass


def url_for(name, pattern, params, world, entry) -> str:
    values = url_parameters(world)
    provided = entry.path_parameter(world) if entry.path_parameter is not None else {}
    kwargs = {}
    for param in params:
        if param in provided:
            continue
        if param in ("pk", "id"):
            if entry.obj is None:
                raise _Unresolvable(f"{name}: give the entry obj= for its {param!r} parameter")
            kwargs[param] = object_key(world, entry.obj)
        elif param in values:
            kwargs[param] = values[param]
        else:
            raise _Unresolvable(f"{name}: no value for the URL parameter {param!r}")
    if entry.path_parameter is not None:
        kwargs = {**kwargs, **entry.path_parameter(world)}
    return reverse(name, kwargs=kwargs)


def test_every_route_has_an_entry_in_the_matrix(db):
    names = {name for name, *_ in checked_routes()}
    missing = sorted(names - set(MATRIX))
    assert not missing, "routes with no entry in tests/permission_matrix.py: " + ", ".join(missing)
    stale = sorted(set(MATRIX) - names)
    assert not stale, "matrix entries for routes that no longer exist: " + ", ".join(stale)


def checks_for(world):
    """(route name, method, url, entry) for every check."""
    for name, pattern, params, _suffixed in checked_routes():
        entry = MATRIX.get(name)
        if entry is None:
            continue
        url = url_for(name, pattern, params, world, entry)
        for method in entry.checks:
            yield name, method, url, entry


@pytest.mark.postgres
@pytest.mark.parametrize("actor", ACTORS)
def test_each_route_answers_each_actor_as_the_matrix_says(actor, world, request):
    fixture = ACTOR_FIXTURES[actor]
    client = _request_client(request.getfixturevalue(fixture) if fixture else None)
    wrong, seen = [], []
    for name, method, url, entry in checks_for(world):
        response = call(client, method, url)
        expected = entry.checks[method].outcome(actor)
        got = classify(response, anonymous=actor == ANONYMOUS)
        seen.append((name, method, url, got))
        if got != expected:
            wrong.append(f"{method} {url} ({name}): expected {expected}, got {got}")
    if os.environ.get("MATRIX_REPORT"):
        for name, method, url, got in seen:
            print(f"MATRIX {actor:14} {method:6} {got:6} {name} {url}")
    assert seen, "no checks ran"
    assert not wrong, f"{len(wrong)} of {len(seen)} checks for {actor} differ:\n" + "\n".join(wrong)


# --- Two practices sharing one patient: each sees only what it said


@pytest.fixture
def shared_referral(world, referrer_b, practice_b, team_x):
    """Practice B refers the world's patient (practice A's) with details of its own."""
    from referrals import services
    from tests.referrals.factories import TeamCoverageFactory

    TeamCoverageFactory(practice=practice_b, team=team_x)
    patient = world.case.patient
    return services.receive_referral(
        referred_by=referrer_b,
        practice=practice_b,
        patient={
            "nhs_number": patient.nhs_number,
            "given_name": "Bryn",
            "family_name": "Btakeover",
            "date_of_birth": patient.date_of_birth,
            "phone": "07700 900222",
            "email": "bryn@b.example",
            "consent_to_referral": True,
        },
        referral={"reasons": ["loneliness"], "help_wanted": "Company", "urgency": "routine"},
    ).referral


@pytest.mark.postgres
@pytest.mark.parametrize("actor", ACTORS)
def test_two_practices_sharing_a_patient_each_reach_only_their_own_referral_and_details(
    actor, world, shared_referral, request
):
    fixture = ACTOR_FIXTURES[actor]
    client = _request_client(request.getfixturevalue(fixture) if fixture else None)
    patient = world.case.patient
    a_only = (patient.family_name, patient.email, patient.phone)
    referrals = {"a": world.case, "b": shared_referral}
    wrong = []
    for name, (by, outcomes) in SHARED_PATIENT_ROUTES.items():
        for which, referral in referrals.items():
            key = referral.reference if by == "reference" else referral.pk
            url = reverse(name, args=[key])
            response = call(client, "GET", url)
            expected = outcomes[which].outcome(actor)
            got = classify(response, anonymous=actor == ANONYMOUS)
            if got != expected:
                wrong.append(
                    f"GET {url} ({name}, referral {which}): expected {expected}, got {got}"
                )
            if actor == "referrer_b" and got == OK:
                leaked = [detail for detail in a_only if detail in response.content.decode()]
                if leaked:
                    wrong.append(f"GET {url} ({name}) shows practice A's {leaked}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.postgres
@pytest.mark.parametrize("actor", sorted(set(ACTORS) - {ANONYMOUS}))
def test_each_api_route_answers_each_actors_token_as_the_matrix_says(actor, world, request):
    client = Client(
        raise_request_exception=False,
        HTTP_AUTHORIZATION=f"Token {api_token_for(request.getfixturevalue(ACTOR_FIXTURES[actor]))}",
    )
    wrong, seen = [], []
    for name, method, url, entry in checks_for(world):
        if not url.startswith("/api/v1/"):
            continue
        expect = TOKEN_AUTH_DIFFERS.get(name, {}).get(method) or entry.checks[method]
        got = classify(call(client, method, url), anonymous=False)
        seen.append(name)
        if got != expect.outcome(actor):
            wrong.append(f"{method} {url} ({name}): expected {expect.outcome(actor)}, got {got}")
    assert len(seen) > 50, "the API routes were not walked"
    assert not wrong, f"{len(wrong)} of {len(seen)} token checks for {actor} differ:\n" + (
        "\n".join(wrong)
    )
