"""System checks: production must not write message bodies or contact details to the log."""

from django.conf import settings
from django.core.checks import Error, Warning, register

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


@register()
def check_message_backends(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    problems = []
    if settings.EMAIL_BACKEND == "accounts.mail.UnconfiguredEmailBackend":
        problems.append(
            Warning(
                "No mail server is configured: emails are not sent anywhere.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) or EMAIL_BACKEND.",
                id="accounts.W001",
            )
        )
    if settings.SMS_BACKEND == "accounts.sms.UnconfiguredSMSBackend":
        problems.append(
            Warning(
                "No SMS provider is configured: text messages fail without being sent.",
                hint="Set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID (or SMS_BACKEND).",
                id="accounts.W002",
            )
        )
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
        problems.append(
            Error(
                "The console email backend writes every message, body and address included, "
                "to the output; with DEBUG off that is the production log.",
                hint="Configure a mail server (EMAIL_HOST), or unset EMAIL_BACKEND.",
                id="accounts.E001",
            )
        )
    return problems
