"""The postcode lookup: the ONS Postcode Directory's CSV loaded by `load_postcodes`, postcodes
read in any case and spacing, and the haversine distance in Python and in SQL agreeing."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from community_services.geography import (
    BadPostcode,
    haversine_expression,
    haversine_metres,
    normalise_postcode,
)
from community_services.models import Location, Postcode

from .factories import LocationFactory

pytestmark = pytest.mark.django_db

INVENTED = (
    Path(__file__).resolve().parents[2] / "community_services" / "data" / "onspd_invented.csv"
)


def _load(path) -> str:
    out = io.StringIO()
    call_command("load_postcodes", str(path), stdout=out)
    return out.getvalue()


def test_loading_the_directory_keeps_live_located_postcodes_and_skips_the_rest():
    assert _load(INVENTED) == "Loaded 13 postcodes; skipped 2.\n"
    assert Postcode.objects.get(postcode="NF1 1AA").latitude == Decimal("52.400000")
    assert not Postcode.objects.filter(postcode="NF2 3CD").exists()  # terminated
    assert not Postcode.objects.filter(postcode="NF9 9ZZ").exists()  # no grid reference


def test_loading_a_newer_edition_moves_postcodes_rather_than_duplicating_them(tmp_path):
    _load(INVENTED)
    newer = tmp_path / "newer.csv"
    newer.write_text('pcds,doterm,lat,long\n"NF1 1AA","","52.410000","-1.910000"\n')
    assert _load(newer) == "Loaded 1 postcodes; skipped 0.\n"
    assert Postcode.objects.count() == 13
    assert Postcode.objects.get(postcode="NF1 1AA").latitude == Decimal("52.410000")


def test_a_file_without_the_directorys_columns_is_refused_with_the_reason(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,latitude\nNF1 1AA,52.4\n")
    with pytest.raises(CommandError, match="not an ONS Postcode Directory CSV: no lat, long, pcd"):
        _load(wrong)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("nf1 1aa", "NF1 1AA"),
        ("NF11AA", "NF1 1AA"),
        ("  nf4 7qx ", "NF4 7QX"),
        ("A9 9AA", "A9 9AA"),
    ],
)
def test_a_postcode_is_read_in_any_case_and_spacing(written, read):
    assert normalise_postcode(written) == read


@pytest.mark.parametrize("written", ["", "NF1", "1AA NF1", "NF1 1A", "NF1-1AA"])
def test_something_not_shaped_like_a_postcode_is_refused(written):
    with pytest.raises(BadPostcode):
        normalise_postcode(written)


def test_the_haversine_gives_the_known_distance_between_two_points():
    # One degree of latitude on the mean-radius sphere: 111.195 km.
    assert haversine_metres(52.0, -1.9, 53.0, -1.9) == pytest.approx(111_195, abs=1)
    assert haversine_metres(52.4, -1.9, 52.4, -1.9) == 0


def test_the_database_computes_the_same_distance_as_python():
    LocationFactory(latitude="52.450000", longitude="-1.950000")
    (distance,) = Location.objects.annotate(
        d=haversine_expression("latitude", "longitude", 52.4, -1.9)
    ).values_list("d", flat=True)
    assert distance == pytest.approx(haversine_metres(52.45, -1.95, 52.4, -1.9), rel=1e-9)
