"""Schemathesis fuzzes every operation of /api/schema/ in-process (WSGI), as a coordinator and as
a referrer with token auth, over a small world that gives them something to see."""

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from referrals import services as referral_services
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.coordinators.conftest import open_case
from tests.factories import api_token_for
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Small and derandomized: about 500 cases per user, well under the three-minute budget.
EXAMPLES_PER_OPERATION = 8
# The default checks (no 5xx; status code, content type, headers and body conform to the schema)
# plus ignored_auth. Not positive_data_acceptance: business rules no JSON schema can state (the
# NHS number's check digit, consent, a date of birth within 120 years) rightly answer 400.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture
def world(practice_a, team_x, referrer_a, coordinator_x, provider_org):
    """An open case with an onward referral, and a second referral waiting for triage."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    case.patient.consent_to_share = True
    case.patient.save(update_fields=["consent_to_share"])
    service = ApprovedServiceFactory(
        provider=ProviderFactory(name="Provider Org", organisation=provider_org)
    )
    referral_services.create_service_referral(
        referral=case, service=service, by=coordinator_x, provider_needs_to_know="Likes lunch."
    )
    return case


@pytest.fixture
def in_process_api(monkeypatch):
    """Call the WSGI app as Django's test client does: keep the test's database connection open
    across requests, and switch off throttling (abuse control, not under test here)."""
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    raised = []

    def on_exception(sender, request, **kwargs):
        raised.append(f"{request.method} {request.path}")

    got_request_exception.connect(on_exception)
    yield raised
    got_request_exception.disconnect(on_exception)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(user) -> tuple[int, list[str]]:
    """Run every operation; returns the number of cases sent and the failures found."""
    token = api_token_for(user)
    # The schema is for signed-in users only (API_SCHEMA_PUBLIC is off): fetched with the token.
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, headers={"Authorization": f"Token {token}"}
    ).exclude(path_regex=r"/auth/token/revoke")  # would end the fuzzer's own token mid-run

    @schema.auth()
    class _TokenAuth:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal sent
            sent += 1
            try:
                case.validate_response(case.call(), checks=CHECKS)
            except FailureGroup as exc:
                failures.append(f"{case.operation.label}: {str(exc)[:2000]}")

        run()
    return sent, failures


def test_fuzzing_the_api_as_a_coordinator_finds_no_server_error_or_schema_drift(
    world, coordinator_x, in_process_api
):
    sent, failures = fuzz(coordinator_x)
    assert sent > 300
    assert not failures, "\n\n".join(failures)
    assert not in_process_api


def test_fuzzing_the_api_as_a_referrer_finds_no_server_error_or_schema_drift(
    world, referrer_a, in_process_api
):
    sent, failures = fuzz(referrer_a)
    assert sent > 300
    assert not failures, "\n\n".join(failures)
    assert not in_process_api
