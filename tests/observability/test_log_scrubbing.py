"""An exception's message and traceback reach the JSON logs with the patient's details replaced
by placeholders (NHS number, email, phone, postcode, date of birth, a name in a model's repr or
in form data), while the exception's type and its frames stay readable: Django's 500s, a
Celery task's failure and our own `logger.exception` alike.

Each test formats with the formatter and filters config.settings LOGGING names, built here, so
no test depends on the logging configuration another test left behind."""

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import cast

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from common.error_reporting import scrub_event
from common.patient_data_scrubbing import scrub_patient_details
from tests.test_settings import ROOT, _production_env

NHS_NUMBER, EMAIL, POSTCODE = "943 476 5919", "ianto@example.org", "LS1 4AP"


def _logging(kind: str) -> dict[str, dict]:
    return cast(dict[str, dict], settings.LOGGING[kind])


def _configured(kind: str, name: str):
    config = dict(_logging(kind)[name])
    return import_string(config.pop("()"))(**config)


class _Lines(logging.Handler):
    """A handler as the console's: its filters and formatter, the lines kept."""

    def __init__(self, formatter: str) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(_configured("formatters", formatter))
        for name in _logging("handlers")["console"]["filters"]:
            self.addFilter(_configured("filters", name))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines() -> Iterator[_Lines]:
    handler = _Lines("json")
    root = logging.getLogger()
    root.addHandler(handler)
    # Another test may have loaded a config that disables or quietens django.request.
    django_request = logging.getLogger("django.request")
    was = django_request.disabled, django_request.level
    django_request.disabled, django_request.level = False, logging.NOTSET
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        django_request.disabled, django_request.level = was


def _assert_scrubbed(text: str) -> None:
    for detail in (NHS_NUMBER, "9434765919", EMAIL, POSTCODE, "Ianto", "03/05/1950"):
        assert detail not in text


def test_a_500_is_logged_with_its_traceback_scrubbed_but_its_type_and_frames_readable(
    db, settings, json_lines
):
    settings.ROOT_URLCONF = "tests.observability.error_urls"
    response = Client(raise_request_exception=False).get("/failing-details/")
    assert response.status_code == 500
    (line,) = [json.loads(text) for text in json_lines.lines if '"django.request"' in text]
    assert line["level"] == "ERROR"
    assert line["message"] == "Internal Server Error: /failing-details/"
    traceback = line["exc_info"]
    _assert_scrubbed(json.dumps(line))
    assert traceback.startswith("Traceback (most recent call last):")
    assert 'error_urls.py", line' in traceback and "in failing_with_details" in traceback
    assert traceback.rstrip().endswith(
        "ValueError: no match for [nhs-number] ([email], [postcode]) from "
        "{'given_name': '[scrubbed]', 'date_of_birth': '[scrubbed]'}"
    )


def test_our_own_logger_exception_is_scrubbed_in_its_message_and_traceback(json_lines):
    patient = "<Patient: Ianto Testperson>"
    try:
        raise LookupError(f"no referral for {patient}, born 1950-05-03, phone 07700 900123")
    except LookupError:
        # A logger of this test's own: no other test's configuration has disabled it.
        logging.getLogger(__name__).exception("import failed for %s", EMAIL)
    (line,) = [json.loads(text) for text in json_lines.lines]
    assert line["message"] == "import failed for [email]"
    assert line["exc_info"].endswith(
        "LookupError: no referral for <Patient: [scrubbed]>, born [date], phone [phone]"
    )
    assert "Testperson" not in json.dumps(line) and "900123" not in json.dumps(line)


def test_the_text_console_scrubs_the_same_way():
    handler = _Lines("text")
    try:
        raise ValueError(f"{NHS_NUMBER} {EMAIL}")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "for %s", (POSTCODE,), sys.exc_info()
        )
    record.exc_text = f"cached by another handler: {EMAIL}"
    handler.handle(record)
    (text,) = handler.lines
    assert text.startswith("for [postcode]\nTraceback")
    assert text.endswith("ValueError: [nhs-number] [email]")


_FAILING_TASK = """
import django
django.setup()
from config.celery import app

@app.task(name="tests.fail_for_patient")
def fail_for_patient(nhs_number):
    raise ValueError(f"no patient {nhs_number} at LS1 4AP ({nhs_number}, ianto@example.org)")

app.log.setup_logging_subsystem(loglevel="INFO")  # as `celery worker` starts
fail_for_patient.apply(args=["943 476 5919"])
"""


def test_a_celery_task_failure_is_logged_as_json_with_its_traceback_scrubbed():
    """In a process of its own, logging set up as a worker's is (config.celery)."""
    result = subprocess.run(
        [sys.executable, "-c", _FAILING_TASK],
        cwd=ROOT,
        env={
            **_production_env(),
            "LOG_FORMAT": "json",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    (line,) = [line for line in lines if line["logger"] == "celery.app.trace"]
    _assert_scrubbed(result.stderr)
    assert line["level"] == "ERROR"
    assert "tests.fail_for_patient" in line["message"]
    assert "line 8, in fail_for_patient" in line["exc_info"]
    assert line["exc_info"].endswith(
        "ValueError: no patient [nhs-number] at [postcode] ([nhs-number], [email])"
    )


_A_FRAME = 'File "/srv/app/referrals/views.py", line 1234, in accept\n    raise Refused(ref.pk)'


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (
            "Key (nhs_number)=(9434765919) already exists.",
            "Key (nhs_number)=([nhs-number]) already exists.",
        ),
        ("nhs 943-476-5919", "nhs [nhs-number]"),
        ("mail Ada.L+x@nhs.example.net now", "mail [email] now"),
        ("call +44 7700 900123 or 020 7946 0000", "call [phone] or [phone]"),
        ("at sw1a 1aa or LS14AP", "at [postcode] or [postcode]"),
        ("born 3 May 1950, 03/05/1950, 1950-05-03", "born [date], [date], [date]"),
        ("dob=datetime.date(1950, 5, 3)", "dob=datetime.date([date])"),
        ("Cannot assign <Patient: Ada Lovelace>", "Cannot assign <Patient: [scrubbed]>"),
        (
            "<QueryDict: {'family_name': ['Lovelace']}>",
            "<QueryDict: [scrubbed]>",
        ),
        (
            "{'family_name': ['Lovelace', 'King'], 'team': 3}",
            "{'family_name': '[scrubbed]', 'team': 3}",
        ),
        (
            "Patient(given_name='Ada', address_line_1=\"1 High St\")",
            "Patient(given_name='[scrubbed]', address_line_1='[scrubbed]')",
        ),
        ("GET /respond/eyJsaW5r:1tQx:AbC/ 200", "GET /respond/[redacted]/ 200"),
        (_A_FRAME, _A_FRAME),
    ],
)
def test_the_rule_replaces_each_patient_detail_with_a_placeholder(text, scrubbed):
    assert scrub_patient_details(text) == scrubbed


def test_an_error_report_applies_the_same_rule_to_its_url():
    event = {
        "request": {"url": "https://testserver/respond/eyJsaW5r:1tQx:AbC/?q=Ada"},
        "transaction": "/respond/eyJsaW5r:1tQx:AbC/",
    }
    scrub_event(event)
    assert event["request"]["url"] == "https://testserver/respond/[redacted]/"
    assert event["transaction"] == "/respond/[redacted]/"


def test_gunicorns_own_error_log_is_scrubbed_in_its_message_and_traceback():
    from gunicorn.config import Config

    from config.gunicorn_logging import ScrubbedErrorLogger

    config = Config()
    config.set("errorlog", "-")
    config.set("logger_class", "config.gunicorn_logging.ScrubbedErrorLogger")
    assert config.logger_class is ScrubbedErrorLogger
    logger = ScrubbedErrorLogger(config)
    stream = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(stream)
    try:
        raise ValueError(f"no patient {NHS_NUMBER} ({EMAIL})")
    except ValueError:
        logger.exception("Error handling request /patients/%s", POSTCODE)
    text = stream.getvalue()
    assert "Error handling request /patients/[postcode]" in text
    assert "Traceback" in text and "ValueError: no patient [nhs-number] ([email])" in text
    assert NHS_NUMBER not in text and EMAIL not in text and POSTCODE not in text
