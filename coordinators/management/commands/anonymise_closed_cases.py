from django.conf import settings
from django.core.management.base import BaseCommand

from coordinators.services import anonymise_closed_cases


class Command(BaseCommand):
    help = (
        "Anonymise cases that ended (closed or declined) more than RETENTION_CLOSED_CASE_DAYS "
        "ago: identifiers and free text removed, counts, statuses, dates and outcomes kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        run = anonymise_closed_cases(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} {len(run.references)} cases and {run.patients} patients that ended before "
            f"{run.cutoff:%Y-%m-%d} (retention {settings.RETENTION_CLOSED_CASE_DAYS} days)."
        )
        for reference in run.references:
            self.stdout.write(f"  {reference}")
