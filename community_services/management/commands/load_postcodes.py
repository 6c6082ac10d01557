from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from community_services.geography import ONSPDFormatError, PostcodePoint, read_onspd
from community_services.services import store_postcodes

BATCH = 5000


class Command(BaseCommand):
    help = (
        "Load postcode centres from an ONS Postcode Directory CSV (the ONSPD's data file, e.g. "
        "ONSPD_<MONTH>_<YEAR>_UK.csv, from the ONS Open Geography Portal). Live postcodes with a "
        "grid reference are inserted or updated; terminated ones and those without a location "
        "are skipped. Safe to run again with a newer edition."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        loaded = skipped = 0
        batch: list[PostcodePoint] = []
        with file.open(encoding="utf-8-sig", newline="") as lines:
            try:
                for point in read_onspd(lines):
                    if point is None:
                        skipped += 1
                        continue
                    batch.append(point)
                    if len(batch) >= BATCH:
                        loaded += store_postcodes(points=batch)
                        batch = []
            except ONSPDFormatError as exc:
                raise CommandError(f"{file}: {exc}") from exc
        if batch:
            loaded += store_postcodes(points=batch)
        self.stdout.write(f"Loaded {loaded} postcodes; skipped {skipped}.")
