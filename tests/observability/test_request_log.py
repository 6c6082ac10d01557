"""One JSON log line per request: the route, status, timings, our request id and the user's id,
and never a patient detail (not even in the URL, which can carry a reference or a search)."""

import json
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.request_log import RequestContextLogFilter
from tests.referrals.factories import ReferralFactory


def _as_json(record: logging.LogRecord) -> dict:
    """As the production console handler writes it (config.settings LOGGING, LOG_FORMAT=json)."""
    RequestContextLogFilter().filter(record)
    config = dict(settings.LOGGING["formatters"]["json"])  # type: ignore[index]
    formatter = import_string(config.pop("()"))(**config)
    return json.loads(formatter.format(record))


def test_a_request_is_logged_once_as_json_with_route_timings_and_ids_but_no_patient_data(
    client, coordinator_x, team_x, caplog
):
    referral = ReferralFactory(team=team_x, patient__given_name="Zebedee")
    client.force_login(coordinator_x)
    with caplog.at_level(logging.INFO, logger="accounts.request"):
        response = client.get(f"/referrals/{referral.reference}/?q=Zebedee")
    (record,) = [r for r in caplog.records if r.name == "accounts.request"]
    line = _as_json(record)
    assert response.status_code == 200
    assert line["message"] == "request"
    assert line["route"] == "referrals/<str:reference>/"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["user_id"] == coordinator_x.pk
    assert line["request_id"] == response["X-Request-ID"]
    assert line["duration_ms"] > 0 and line["db_queries"] > 0
    text = json.dumps(line)
    assert "Zebedee" not in text
    assert referral.reference not in text
    assert referral.patient.nhs_number not in text
    assert coordinator_x.email not in text


def test_anything_logged_during_a_request_carries_its_request_id(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.request"):
        response = client.get("/healthz/live")
    (record,) = [r for r in caplog.records if r.name == "accounts.request"]
    line = _as_json(record)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] is None
