"""Text messages through a small backend interface, chosen by settings.SMS_BACKEND.

A backend has one method, `send(to=, body=, reference=)`, returning the provider's message id;
it raises `DeliveryError` when the message was not accepted. `reference` is the reminder's
reference, so a provider (and we) can recognise a resend of the same reminder.
"""

import logging
from typing import Protocol

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Messages "sent" by LocmemSMSBackend, like django.core.mail.outbox.
outbox: list[dict] = []


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str: ...


class DeliveryError(Exception):
    """The provider did not accept the message. `permanent` ones (a bad number, a rejected
    request) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class ConsoleSMSBackend:
    """Development: writes the message to the log instead of sending it. Only with DEBUG on
    does the line hold the number and the body (they are patient data)."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        if settings.DEBUG:
            logger.info("SMS to %s (reference %s): %s", to, reference, body)
        else:
            logger.info("SMS (reference %s) written nowhere: the console backend.", reference)
        return f"console-{reference}"


class UnconfiguredSMSBackend:
    """Production with no SMS provider configured (DEBUG off, no SMS_BACKEND or Notify key):
    nothing is sent, the reminder fails with the reason (so the operations page shows it),
    and the log says so without the number or the body. See the accounts.W002 check."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        logger.warning("SMS (reference %s) not sent: no SMS provider is configured.", reference)
        raise DeliveryError(
            "Not sent: no SMS provider is configured (set NOTIFY_API_KEY).", permanent=True
        )


class LocmemSMSBackend:
    """Tests: keeps messages in `accounts.sms.outbox`."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        outbox.append({"to": to, "body": body, "reference": reference})
        return f"locmem-{reference}"


class NotifySMSBackend:
    """GOV.UK Notify through its official client. The template holds one `((body))` field."""

    def __init__(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=20
        )

    def send(self, *, to: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import APIError

        try:
            response = self.client.send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
                reference=reference,
            )
        except APIError as exc:
            status = getattr(exc, "status_code", 0) or 0
            # 400 (bad number, bad template) and 403 (bad key) will not get better by retrying.
            raise DeliveryError(
                f"Notify refused the message: {exc}", permanent=status in (400, 403)
            ) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"Notify could not be reached: {exc}") from exc
        return str(response.get("id", ""))


def get_sms_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend
