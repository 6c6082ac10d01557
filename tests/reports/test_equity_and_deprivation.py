"""Equity figures on a hand-built set, and the deprivation lookup loaded from small invented
files in the published formats (IMD 2019 File 7; the ONS postcode to LSOA lookup)."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports import periods
from reports.filters import ReportFilters
from reports.models import DeprivationDecile, PostcodeLsoa
from reports.selectors import equity

from .factories import at, case

pytestmark = pytest.mark.postgres

DATA = Path(__file__).parent / "data"
APRIL = periods.month(datetime.date(2025, 4, 1))


def load_lookup():
    call_command(
        "import_deprivation",
        imd=DATA / "imd_file7_invented.csv",
        postcodes=DATA / "postcode_lsoa_invented.csv",
    )


def test_the_import_reads_the_published_columns_and_keys_postcodes_without_spaces(db):
    load_lookup()
    assert dict(DeprivationDecile.objects.values_list("lsoa_code", "decile")) == {
        "E01999901": 1,
        "E01999902": 5,
        "E01999903": 10,
    }
    assert PostcodeLsoa.objects.get(postcode="ZZ11AA").lsoa_code == "E01999901"
    load_lookup()  # a second import replaces the first
    assert PostcodeLsoa.objects.count() == 3


def test_an_imd_file_without_a_decile_column_is_refused(db, tmp_path):
    wrong = tmp_path / "imd.csv"
    wrong.write_text("LSOA code (2011),Score\nE01999901,3\n")
    with pytest.raises(CommandError, match="imd"):
        call_command("import_deprivation", imd=wrong, postcodes=DATA / "postcode_lsoa_invented.csv")
    assert not DeprivationDecile.objects.exists()


@pytest.fixture
def people(team_x, practice_a, referrer_a):
    """Four April referrals: a 17-year-old the day before their 18th birthday and an 18-year-old
    on it; one in decile 1 (postcode written in lower case with a space), one in decile 5, one
    whose postcode is not in the lookup; ethnic categories A, A, Z (not stated), blank."""

    def referral(born, postcode, ethnic, sex, received, **fields):
        return case(
            team=team_x,
            practice=practice_a,
            referred_by=referrer_a,
            received=received,
            patient__date_of_birth=born,
            patient__postcode=postcode,
            patient__ethnic_category=ethnic,
            patient__sex_or_gender=sex,
            **fields,
        )

    referral(
        datetime.date(2007, 4, 12),
        "zz1 1aa",
        "A",
        "Female",
        at(2025, 4, 11),
        status="in_progress",
        accepted_at=at(2025, 4, 11),
        first_contact_at=at(2025, 4, 14),
    )
    referral(datetime.date(2007, 4, 12), "ZZ11AB", "A", "Male", at(2025, 4, 12))
    referral(
        datetime.date(1950, 1, 1),
        "ZZ1 1AB",
        "Z",
        "Female",
        at(2025, 4, 13),
        status="closed",
        accepted_at=at(2025, 4, 13),
        first_contact_at=at(2025, 4, 14),
        closed_at=at(2025, 4, 30),
        outcome="goals_partly_met",
    )
    referral(datetime.date(1940, 6, 1), "XX9 9XX", "", "", at(2025, 4, 14))


def april(team) -> ReportFilters:
    return ReportFilters(period=APRIL, team_ids=(team.pk,))


def rows(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_age_is_whole_years_at_the_referral_so_a_birthday_moves_the_band(people, team_x):
    counts = rows(equity.equity_by_age(filters=april(team_x)))
    assert counts["Under 18"] == [1, 1, 100.0, 0, 0, None]
    assert counts["18 to 24"] == [1, 0, 0.0, 0, 0, None]
    # Born 1950 (75, contacted, closed with goals partly met) and 1 June 1940 (84 in April).
    assert counts["75 to 84"] == [2, 1, 50.0, 1, 1, 100.0]
    assert "85 and over" not in counts


def test_ethnic_category_shows_not_stated_apart_from_not_recorded(people, team_x):
    counts = rows(equity.equity_by_ethnic_category(filters=april(team_x)))
    assert counts["White: British"][0] == 2
    assert counts["Not stated"][0] == 1
    assert counts["Not recorded"][0] == 1


def test_sex_is_grouped_as_recorded(people, team_x):
    counts = rows(equity.equity_by_sex(filters=april(team_x)))
    assert {label: values[0] for label, values in counts.items()} == {
        "Female": 2,
        "Male": 1,
        "Not recorded": 1,
    }


def test_deprivation_appears_only_once_a_lookup_is_loaded(people, team_x):
    assert equity.equity_by_deprivation(filters=april(team_x)) is None
    load_lookup()
    counts = rows(equity.equity_by_deprivation(filters=april(team_x)))
    assert {label: values[0] for label, values in counts.items()} == {
        "Decile 1": 1,
        "Decile 5": 2,
        "Postcode not matched": 1,
    }
