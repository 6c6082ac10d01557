from django.core.management.base import BaseCommand

from reports.services import refresh_report_summaries


class Command(BaseCommand):
    help = (
        "Rebuild the day summaries the report pages read, as beat does hourly "
        "(reports.refresh_report_summaries): after loading data, or to see a change at once."
    )

    def handle(self, *args, **options):
        run = refresh_report_summaries()
        self.stdout.write(
            f"Summarised the days before {run.summarised_before} in {run.seconds:.1f} s."
        )
