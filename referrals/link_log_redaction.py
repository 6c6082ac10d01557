"""Keeps the tokens of provider and attendance links out of the logs.

Whoever holds such a link reads the patient's referral (or answers for the patient) without
signing in, so the path segment after /respond/ or /did-you-go/ is as good as a password. This
filter is attached to the django.server and django.request loggers and the console handler
(config/settings.py LOGGING) and to gunicorn's access log (referrals.apps), so an access line
shows "/respond/[redacted]/" instead (the pattern is common.patient_data_scrubbing's, which
log formatters and error reports apply too). It imports no models: logging is set up before the
apps.
"""

import logging

from common.patient_data_scrubbing import LINK_TOKEN_IN_PATH, LINK_TOKEN_REDACTED


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = LINK_TOKEN_IN_PATH.sub(LINK_TOKEN_REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
