from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and audit"

    def ready(self) -> None:
        from . import checks, metrics, receivers  # noqa: F401

        metrics.register()
