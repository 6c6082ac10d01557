import logging

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from .link_log_redaction import RedactLinkTokens

        # gunicorn sets up its own access log handlers; a filter on the logger keeps them
        # (configuring the logger in LOGGING would replace them).
        logging.getLogger("gunicorn.access").addFilter(RedactLinkTokens())
