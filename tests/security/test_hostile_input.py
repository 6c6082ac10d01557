"""Input no person types but an attacker sends: a NUL character in a path or a query value, and
JSON nested deeper than any real body. Every route answers 400 (JSON on the API, an
OperationOutcome on the FHIR server), never 500."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.coordinators.conftest import open_case
from tests.referrals.conftest import token_client
from tests.referrals.factories import TeamCoverageFactory

JSON_PREFIXES = ("/api/", "/fhir/", "/hsds/")
SAMPLE = "1"


def _route(pattern) -> str:
    """A pattern's route with every parameter filled in by SAMPLE."""
    text = getattr(pattern, "_route", None)
    if text is None:  # a regex (the API router, the admin)
        text = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        text = re.sub(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", SAMPLE, text)
        text = text.replace("\\.", ".").replace("\\-", "-")
    return re.sub(r"<[^>]+>", SAMPLE, text)


def every_route(patterns=None, prefix: str = "") -> list[str]:
    """Every URL the project routes, each once, as a concrete path."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes: list[str] = []
    for entry in patterns:
        route = prefix + _route(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += every_route(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not re.search(r"[()\[\]?*+|\\]", route):
            routes.append("/" + route)
    return sorted(set(routes))


def nul_in_path(route: str) -> str:
    """The NUL where a parameter goes (or at the end of a route without one)."""
    if f"/{SAMPLE}/" in route:
        return route.replace(f"/{SAMPLE}/", f"/{SAMPLE}%00/", 1)
    return route.rstrip("/") + "%00" + ("/" if route.endswith("/") else "")


@pytest.fixture
def signed_in(practice_a, referrer_a, team_x, coordinator_x):
    """A coordinator with an open case, so detail routes have something behind them."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x)
    client = Client(raise_request_exception=False)
    client.force_login(coordinator_x)
    return client


def test_the_route_walk_covers_every_app_and_the_api():
    routes = every_route()
    for expected in ("/referrals/", "/cases/", "/directory/", "/api/v1/referrals/", "/hsds/"):
        assert any(route.startswith(expected) for route in routes), expected
    assert len(routes) > 60


def _assert_refused(response, url: str) -> None:
    assert response.status_code == 400, f"{url} answered {response.status_code}"
    if url.startswith("/fhir/") and not url.startswith("/fhir/auth/"):
        assert response["Content-Type"].startswith("application/fhir+json"), url
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome", url
        assert "NUL" in outcome["issue"][0]["diagnostics"]
    elif url.startswith(JSON_PREFIXES):
        assert response["Content-Type"] == "application/json", url
        assert "NUL" in response.json()["detail"]
    else:
        assert "text/html" in response["Content-Type"], url
        assert "not allowed" in response.content.decode()


def test_a_nul_in_any_path_is_a_400_never_a_500(signed_in):
    for route in every_route():
        url = nul_in_path(route)
        _assert_refused(signed_in.get(url), url)


def test_a_nul_in_any_query_value_is_a_400_never_a_500(signed_in):
    for route in every_route():
        url = f"{route}?q=a%00b&status=%00&page=1%00&search=x"
        _assert_refused(signed_in.get(url), url)


def test_a_raw_nul_in_a_query_value_is_a_400(signed_in):
    response = signed_in.get("/api/v1/referrals/", {"status": "received\x00"})

    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_nul_in_the_path_of_an_anonymous_request_is_a_400():
    response = Client(raise_request_exception=False).get("/accounts/login/%00")

    assert response.status_code == 400


def nested_body(depth: int) -> str:
    """{"patient": [[[…]]]}, written out (json.dumps itself would recurse too deep)."""
    return '{"patient": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deeply_nested_json_to_an_api_post_is_a_400_with_a_clear_message(referrer_a, depth):
    api = token_client(referrer_a)
    api.raise_request_exception = False

    response = api.post(
        "/api/v1/referrals/", data=nested_body(depth), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON nested deeper than")


def test_json_nested_as_deep_as_real_bodies_go_still_parses(referrer_a):
    api = token_client(referrer_a)

    response = api.post("/api/v1/referrals/", data=nested_body(5), content_type="application/json")

    assert response.status_code == 400
    assert "patient" in response.json()  # a field error: the body was parsed
