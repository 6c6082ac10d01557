"""Loading the deprivation lookup: the whole of each file replaces what was there, in one
transaction, so a reader never sees half an import."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from ..models import DeprivationDecile, PostcodeLsoa

BATCH = 5000


@dataclass(frozen=True)
class DeprivationImport:
    lsoas: int
    postcodes: int


@transaction.atomic
def import_deprivation_lookup(
    *, deciles: Iterable[tuple[str, int]], postcodes: Iterable[tuple[str, str]], edition: str
) -> DeprivationImport:
    DeprivationDecile.objects.all().delete()
    PostcodeLsoa.objects.all().delete()
    lsoas = _bulk(
        DeprivationDecile,
        (DeprivationDecile(lsoa_code=c, decile=d, imd_edition=edition) for c, d in deciles),
    )
    codes = _bulk(
        PostcodeLsoa,
        (PostcodeLsoa(postcode=p, lsoa_code=lsoa) for p, lsoa in _first_of_each(postcodes)),
    )
    return DeprivationImport(lsoas=lsoas, postcodes=codes)


def _first_of_each(postcodes: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """A postcode listed twice (old and new rows of the directory) keeps its first LSOA."""
    seen: set[str] = set()
    for postcode, lsoa in postcodes:
        if postcode not in seen:
            seen.add(postcode)
            yield postcode, lsoa


def _bulk(model, objects) -> int:
    batch, total = [], 0
    for obj in objects:
        batch.append(obj)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch, ignore_conflicts=True)
            total += len(batch)
            batch = []
    model.objects.bulk_create(batch, ignore_conflicts=True)
    return total + len(batch)
