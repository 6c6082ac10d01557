"""With SENTRY_DSN set, an error goes to Sentry without the patient details it was holding: the
event is sent to a local fake Sentry endpoint and read back as the service would receive it."""

import gzip
import importlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
import sentry_sdk
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from common.error_reporting import SCRUBBED, start_error_reporting

PATIENT_NAME = "Ianto Testperson"
NHS_NUMBER = "9434765919"


class _FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = importlib.import_module("brotli").decompress(body)
        self.received.append(body)
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


def _post_through_wsgi(path: str, query: str, body: bytes, **headers: str) -> str:
    """As gunicorn calls the app (Sentry reads the request from the WSGI environ)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "https",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "REMOTE_ADDR": "127.0.0.1",
        **headers,
    }
    status: list[str] = []

    def start_response(line, headers, exc_info=None):
        status.append(line)
        return lambda data: None

    # As Django's test client does: the test's database connection must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        b"".join(get_wsgi_application()(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return status[0]


def test_an_error_reaches_sentry_with_its_type_and_stack_but_no_patient_details(
    db, settings, fake_sentry
):
    settings.ROOT_URLCONF = "tests.observability.error_urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    status = _post_through_wsgi(
        "/failing/",
        urlencode({"name": PATIENT_NAME}),
        urlencode({"nhs_number": NHS_NUMBER}).encode(),
        HTTP_COOKIE="sessionid=a-session-key",
        HTTP_X_PATIENT="also-secret",
        HTTP_HOST="testserver",
    )
    assert status.startswith("500")
    sentry_sdk.flush(timeout=10)

    raw = b"".join(fake_sentry)
    events = _events(fake_sentry)
    assert events
    for event in events:
        *_, exception = event["exception"]["values"]  # the one raised, after any it chains
        assert exception["type"] == "ValueError"
        assert all(value["value"] == SCRUBBED for value in event["exception"]["values"])
        assert exception["stacktrace"]["frames"][-1]["function"] == "failing_page"
        assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
        request = event["request"]
        assert request["url"] == "https://testserver/failing/"
        assert request["query_string"] == SCRUBBED
        assert request.get("data") in (None, SCRUBBED)
        assert request["headers"]["X-Patient"] == SCRUBBED
        assert request.get("cookies") in (None, SCRUBBED)
    assert NHS_NUMBER.encode() not in raw
    assert b"Testperson" not in raw
    assert b"a-session-key" not in raw
