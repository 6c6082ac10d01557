from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.deprivation import (
    DeprivationFileInvalid,
    read_imd_deciles,
    read_postcode_lsoas,
)
from reports.services import import_deprivation_lookup


class Command(BaseCommand):
    help = (
        "Load the deprivation lookup: the English IMD 'File 7' CSV (LSOA code, IMD decile) and "
        "the ONS postcode to LSOA lookup CSV (pcds, lsoa21cd or lsoa11cd). Replaces the last "
        "import. Use the IMD edition that matches the LSOA boundaries of the postcode file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--imd", required=True, type=Path, help="IMD File 7 CSV")
        parser.add_argument("--postcodes", required=True, type=Path, help="ONS postcode CSV")
        parser.add_argument("--edition", default="IMD 2019", help="Recorded with each decile")

    def handle(self, *args, imd: Path, postcodes: Path, edition: str, **options):
        try:
            with (
                open(imd, encoding="utf-8-sig") as deciles,
                open(postcodes, encoding="utf-8-sig") as codes,
            ):
                result = import_deprivation_lookup(
                    deciles=read_imd_deciles(deciles),
                    postcodes=read_postcode_lsoas(codes),
                    edition=edition,
                )
        except (OSError, DeprivationFileInvalid) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.lsoas} LSOA deciles ({edition}) and {result.postcodes} postcodes."
            )
        )
