"""Log formatters that write nothing identifying a patient (config.settings LOGGING).

Whatever is logged (Django's 500s, a Celery task's failure, our own `logger.exception`) goes
through common.patient_data_scrubbing on its way out: the rendered message, the traceback and
stack text, and every extra field (Celery adds its own, with the traceback again). The
formatter scrubs what it writes rather than the record, so no other handler's output, and no
traceback text cached on the record by one, can bypass it.
"""

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from .patient_data_scrubbing import scrub_patient_details

_JSON_NATIVE = (int, float, bool, type(None))


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_patient_details(value)
    if isinstance(value, _JSON_NATIVE):
        return value
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrubbed(item) for item in value]
    # Anything else would be written as its str(); a repr can quote a patient's details.
    return scrub_patient_details(str(value))


class ScrubbedJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, with every field scrubbed but the time it writes."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        time_fields = {self._get_rename("asctime"), self._get_rename("created")}
        for key, value in log_data.items():
            if key not in time_fields:
                log_data[key] = _scrubbed(value)


class ScrubbedTextFormatter(logging.Formatter):
    """The plain-text console (LOG_FORMAT=text): the message, traceback and stack scrubbed (the
    time is not: it would read as a date), and the traceback formatted afresh, not the copy
    another handler may have cached on the record."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = scrub_patient_details(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        lines = [self.formatMessage(record)]
        if record.exc_info:
            lines.append(scrub_patient_details(self.formatException(record.exc_info)))
        elif record.exc_text:
            lines.append(scrub_patient_details(record.exc_text))
        if record.stack_info:
            lines.append(scrub_patient_details(self.formatStack(record.stack_info)))
        return "\n".join(lines)
