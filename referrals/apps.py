import logging

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from .link_log_redaction import RedactLinkTokens

        # gunicorn sets up its own log handlers; a filter on each logger keeps them
        # (configuring the loggers in LOGGING would replace them).
        for name in ("gunicorn.access", "gunicorn.error"):
            logging.getLogger(name).addFilter(RedactLinkTokens())
