"""Email backends for reminder tests, selected through EMAIL_BACKEND (also in worker
subprocesses, which import them from the repository root)."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend


class FailingEmailBackend(LocmemEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused by the test mail server")


class SlowFileEmailBackend(FileEmailBackend):
    """A slow provider that accepts each message only at the end of the call, writing it to a
    directory every worker process shares (REMINDER_TEST_OUTBOX)."""

    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["REMINDER_TEST_OUTBOX"]
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("REMINDER_TEST_SEND_DELAY", "0.5")))
        return super().send_messages(email_messages)
