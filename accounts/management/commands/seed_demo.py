from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

# Each app may ship a `demo.py` with `seed(log)`; they run in dependency order.
DEMO_MODULES = [
    "accounts",
    "community_services",
    "referrals",
    "casefinding",
    "coordinators",
    "interop",
]


class Command(BaseCommand):
    help = "Create invented demo organisations, users and records. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off; pass --force if you mean it."
            )
        logins, fhir_clients = [], []
        for app in DEMO_MODULES:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            result = module.seed(lambda message, app=app: self.stdout.write(f"{app}: {message}"))
            if app == "accounts":
                logins = result
            if app == "interop":
                fhir_clients = result
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for email, role in logins:
            self.stdout.write(f"  {role:<12} {email}")
        for line in fhir_clients:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "Coordinators, managers, vetters and the superuser also need a two-factor code: "
            f"authenticator secret {DEMO_TOTP_SECRET}, or run `python manage.py demo_totp_code`."
        )
