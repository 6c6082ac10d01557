"""Keeps the tokens of provider and attendance links out of the logs.

Whoever holds such a link reads the patient's referral (or answers for the patient) without
signing in, so the path segment after /respond/ or /did-you-go/ is as good as a password. This
filter is attached to the django.server and django.request loggers and the console handler
(config/settings.py LOGGING) and to gunicorn's access log (referrals.apps), so an access line
shows "/respond/[redacted]/" instead. It imports no models: logging is set up before the apps.
"""

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/(?:respond|did-you-go)/)[^/\s?#\"']+")
REDACTED = r"\1[redacted]"


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = TOKEN_IN_PATH.sub(REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
