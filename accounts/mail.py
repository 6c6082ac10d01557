"""The email backend of a production set-up with no mail server configured."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class UnconfiguredEmailBackend(BaseEmailBackend):
    """Sends nowhere and says so, without the address or the body: the default when DEBUG is
    off and neither EMAIL_HOST nor EMAIL_BACKEND is set (the console backend would write every
    message, patient details and all, to the log). See the accounts.W001 system check."""

    def send_messages(self, email_messages) -> int:
        if email_messages:
            logger.warning(
                "%d email(s) not sent: no mail server is configured (set EMAIL_HOST).",
                len(email_messages),
            )
        return 0
