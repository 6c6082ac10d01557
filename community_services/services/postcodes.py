"""Loading the postcode lookup (community_services.geography reads the file)."""

from collections.abc import Iterable

from django.db import transaction

from ..geography import PostcodePoint
from ..models import Postcode


@transaction.atomic
def store_postcodes(*, points: Iterable[PostcodePoint]) -> int:
    """Insert or update one batch of postcodes; a re-load of a newer edition moves them."""
    rows = {point.postcode: point for point in points}
    Postcode.objects.bulk_create(
        [
            Postcode(postcode=p.postcode, latitude=p.latitude, longitude=p.longitude)
            for p in rows.values()
        ],
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["latitude", "longitude"],
    )
    return len(rows)
