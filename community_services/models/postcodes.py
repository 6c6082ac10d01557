"""The postcode lookup: a postcode's centre, so a postcode becomes a point (the HSDS feed's
`postcode`/`proximity`, the directory's search by distance)."""

from django.db import models


class Postcode(models.Model):
    """A postcode's centre, from the ONS Postcode Directory (`manage.py load_postcodes`): how a
    postcode becomes a point without asking a geocoding service at run time."""

    # Upper case with one space before the inward code, as the directory's `pcds` column.
    postcode = models.CharField(max_length=8, primary_key=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
