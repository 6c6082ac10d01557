import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """The benchmark's seeder lives in bench/, outside the apps, and imports them; it is
    imported only when the command runs, so no app module depends on bench and production,
    which ships without bench/, never loads it. (A `bench` app in INSTALLED_APPS would put
    the benchmark into every deployment's settings and package.)"""

    help = (
        "Create an invented population at scale for the benchmark (PostgreSQL only): "
        "--patients 100000 is the benchmark's reference size; smaller counts scale down."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=9)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the scale data exists."
        )
        parser.add_argument("--report-json", help="Also write the timings to this JSON file.")

    def handle(self, *args, patients: int, seed: int, if_empty: bool, report_json, **options):
        from bench.scale_rows import SCALE_PASSWORD
        from bench.scale_seed import is_seeded, seed_scale

        if patients < 100:
            raise CommandError("Use at least 100 patients.")
        if is_seeded():
            if if_empty:
                self.stdout.write("Scale data already present: nothing to do.")
                return
            raise CommandError("Scale data already present: use a fresh database.")
        try:
            report = seed_scale(patients=patients, seed=seed, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{'table':<40} {'rows':>9} {'seconds':>8}")
        for table, entry in report.tables.items():
            self.stdout.write(f"{table:<40} {entry['rows']:>9} {entry['seconds']:>8.2f}")
        self.stdout.write(self.style.SUCCESS(f"Seeded in {report.total_seconds:.1f} s in total."))
        self.stdout.write(
            f"Logins: coordinatorNN@scale.example, referrerNNN@scale.example, password "
            f"{SCALE_PASSWORD}; staff share the demo authenticator secret."
        )
        if report_json:
            with open(report_json, "w") as handle:
                json.dump({"tables": report.tables, "total_seconds": report.total_seconds}, handle)
