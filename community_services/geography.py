"""Postcodes and distances: the pieces the HSDS feed's `postcode`/`proximity` and the directory's
search by distance share.

Distance is a plain haversine on a sphere of the Earth's mean radius, computed in SQL with
Django's math functions (so a filtered, ordered and paged list stays one query, on PostgreSQL and
SQLite alike) after a latitude/longitude bounding box that an index can serve. No PostGIS or
`earthdistance`: they need extensions a managed database may not allow, and within a county the
haversine's error (under 0.5%) is far below what a postcode's centre already blurs.
"""

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import F, FloatField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt

EARTH_RADIUS_METRES = 6_371_008.8
# The shape of a UK postcode (outward code, optional space, inward code), any case.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
# The ONS Postcode Directory marks a postcode without a grid reference with this latitude.
ONSPD_NO_LOCATION = Decimal("99.999999")


class BadPostcode(ValueError):
    """Not shaped like a UK postcode."""


def normalise_postcode(text: str) -> str:
    """Upper case, one space before the inward code (the directory's `pcds` form)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = POSTCODE_RE.match(compact)
    if not match:
        raise BadPostcode(f"{text!r} is not a UK postcode such as NF1 1AB")
    return f"{match[1]} {match[2]}"


def haversine_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(min(1.0, a)))


def haversine_expression(lat_field: str, lon_field: str, lat: float, lon: float) -> Combinable:
    """The same distance as a database expression, from the row's coordinates to a point."""
    row_lat = Radians(Cast(F(lat_field), FloatField()))
    row_lon = Radians(Cast(F(lon_field), FloatField()))
    phi, lam = Value(math.radians(lat)), Value(math.radians(lon))
    a = Power(Sin((row_lat - phi) / 2), 2) + Cos(phi) * Cos(row_lat) * Power(
        Sin((row_lon - lam) / 2), 2
    )
    return Value(2 * EARTH_RADIUS_METRES) * ASin(Sqrt(a))


def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) enclosing every point within `metres`; a cheap first cut."""
    dlat = math.degrees(metres / EARTH_RADIUS_METRES)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(metres / (EARTH_RADIUS_METRES * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class PostcodePoint:
    postcode: str
    latitude: Decimal
    longitude: Decimal


class ONSPDFormatError(ValueError):
    """The file does not have the ONS Postcode Directory's columns."""


def read_onspd(lines: Iterable[str]) -> Iterator[PostcodePoint | None]:
    """Rows of an ONS Postcode Directory CSV (read by header name, so any edition's column order
    works): a point per live postcode with a grid reference, None for a row skipped (terminated,
    no location, or unreadable)."""
    reader = csv.DictReader(lines)
    columns = {name.strip().lower() for name in reader.fieldnames or []}
    code_column = "pcds" if "pcds" in columns else "pcd"
    missing = {code_column, "lat", "long"} - columns
    if missing:
        raise ONSPDFormatError(
            "not an ONS Postcode Directory CSV: no " + ", ".join(sorted(missing)) + " column"
        )
    for raw in reader:
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        if row.get("doterm"):
            yield None  # terminated: no longer delivered to
            continue
        try:
            postcode = normalise_postcode(row[code_column])
            latitude = Decimal(row["lat"]).quantize(Decimal("0.000001"))
            longitude = Decimal(row["long"]).quantize(Decimal("0.000001"))
        except (BadPostcode, InvalidOperation):
            yield None
            continue
        if latitude == ONSPD_NO_LOCATION or not (
            -90 <= latitude <= 90 and -180 <= longitude <= 180
        ):
            yield None
            continue
        yield PostcodePoint(postcode, latitude, longitude)
