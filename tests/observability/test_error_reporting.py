"""With SENTRY_DSN set, an error goes to Sentry without the patient details it was holding: the
event is sent to a local fake Sentry endpoint and read back as the service would receive it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from common.error_reporting import SCRUBBED, start_error_reporting

PATIENT_NAME = "Ianto Testperson"
NHS_NUMBER = "9434765919"


class _FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    _FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start_error_reporting(
        dsn=f"http://publickey@127.0.0.1:{server.server_port}/1",
        environment="test",
        http_proxy="",
        transport_queue_size=10,
    )
    yield _FakeSentry.received
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off for the tests that follow
    server.shutdown()


def _events(envelopes: list[bytes]) -> list[dict]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_reaches_sentry_with_its_type_and_stack_but_no_patient_details(
    client, db, settings, fake_sentry
):
    settings.ROOT_URLCONF = "tests.observability.error_urls"
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-key"
    response = client.post(
        f"/failing/?name={PATIENT_NAME}",
        {"nhs_number": NHS_NUMBER},
        HTTP_X_PATIENT="also-secret",
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    raw = b"".join(fake_sentry)
    (event,) = _events(fake_sentry)
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == SCRUBBED
    assert exception["stacktrace"]["frames"][-1]["function"] == "failing_page"
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    request = event["request"]
    assert request["url"].endswith("/failing/")
    assert request["query_string"] == SCRUBBED
    assert request.get("data") in (None, SCRUBBED)
    assert request["headers"]["X-Patient"] == SCRUBBED
    assert NHS_NUMBER.encode() not in raw
    assert b"Testperson" not in raw
    assert b"a-session-key" not in raw
