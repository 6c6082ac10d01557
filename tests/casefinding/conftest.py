import pytest

from tests.referrals.factories import TeamCoverageFactory


@pytest.fixture(autouse=True)
def coverage(practice_a, practice_b, team_x):
    """Practices A and B's patients go to team X."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    TeamCoverageFactory(practice=practice_b, team=team_x)


HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,sex,postcode,phone,email,address,"
    "efi_score,efi_category,long_term_conditions,admissions_last_12_months,reason"
)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def row(
    number: str,
    *,
    given="Edna",
    family="Fairweather",
    dob="1938-02-11",
    efi="0.41",
    category="",
    conditions="5",
    admissions="2",
) -> str:
    return (
        f"{number},{given},{family},{dob},Female,LS6 2AB,07700 900101,,,{efi},{category},"
        f"{conditions},{admissions},Lives alone"
    )
