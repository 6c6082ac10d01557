"""Postcode to deprivation decile: the published files' shapes, and the one way a postcode is
keyed (capitals, no spaces), used both when importing and when looking a patient up."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Replace, Upper

from .models import DeprivationDecile, PostcodeLsoa


def postcode_key(postcode: str) -> str:
    return "".join(postcode.split()).upper()


class DeprivationFileInvalid(ValueError):
    pass


def _column(header: list[str], *starts: str, contains: str = "") -> int:
    for index, name in enumerate(header):
        clean = name.strip().lower()
        if any(clean == s or clean.startswith(s) for s in starts) and contains in clean:
            return index
    wanted = " or ".join(repr(s) for s in starts)
    raise DeprivationFileInvalid(f"No column starting {wanted} in the header.")


def read_imd_deciles(lines: Iterable[str]) -> Iterator[tuple[str, int]]:
    """The English IMD "File 7" CSV (all ranks, deciles and scores): the LSOA code column
    ("LSOA code (2011)" or "(2021)") and "Index of Multiple Deprivation (IMD) Decile …"."""
    reader = csv.reader(lines)
    header = next(reader)
    lsoa = _column(header, "lsoa code")
    decile = _column(header, "index of multiple deprivation (imd) decile")
    for number, row in enumerate(reader, start=2):
        if not row or not row[lsoa].strip():
            continue
        try:
            value = int(row[decile])
        except ValueError as error:
            raise DeprivationFileInvalid(f"Line {number}: the decile is not a number.") from error
        if not 1 <= value <= 10:
            raise DeprivationFileInvalid(f"Line {number}: a decile runs from 1 to 10.")
        yield row[lsoa].strip(), value


def read_postcode_lsoas(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """The ONS postcode to OA/LSOA/MSOA/LAD lookup CSV: "pcds" (or pcd7/pcd8) and
    "lsoa11cd" or "lsoa21cd". Terminated postcodes are kept: patients keep old addresses."""
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader)]
    postcode = next((header.index(c) for c in ("pcds", "pcd7", "pcd8") if c in header), None)
    lsoa = next((header.index(c) for c in ("lsoa21cd", "lsoa11cd") if c in header), None)
    if postcode is None or lsoa is None:
        raise DeprivationFileInvalid("The postcode file needs a pcds and an lsoa21cd column.")
    for row in reader:
        if row and row[postcode].strip() and row[lsoa].strip():
            yield postcode_key(row[postcode]), row[lsoa].strip()


def with_deprivation_decile(queryset: QuerySet, postcode_field: str) -> QuerySet:
    """Annotate `decile` (None where the postcode is unknown or no lookup is loaded)."""
    key = Upper(Replace(F(postcode_field), Value(" "), Value("")))
    lsoa = PostcodeLsoa.objects.filter(postcode=OuterRef("_postcode_key")).values("lsoa_code")
    decile = DeprivationDecile.objects.filter(lsoa_code=OuterRef("_lsoa")).values("decile")
    return (
        queryset.annotate(_postcode_key=key)
        .annotate(_lsoa=Subquery(lsoa[:1]))
        .annotate(decile=Subquery(decile[:1]))
    )


def lookup_loaded() -> bool:
    return PostcodeLsoa.objects.exists() and DeprivationDecile.objects.exists()
