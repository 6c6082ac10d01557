"""Every row of a case-finding list checked before anything is saved."""

from pathlib import Path

import pytest

from casefinding.csv_format import WrongColumns, check_list
from tests.casefinding.conftest import HEADER, csv_text, row

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "case-finding-example.csv"


def test_the_example_file_in_docs_passes_every_check():
    checked = check_list(EXAMPLE.read_text(), open_nhs_numbers=set())
    assert (checked.total, checked.ready, checked.bad) == (4, 4, [])
    categories = [r["efi_category"] for r in checked.rows]
    assert categories == ["severe", "moderate", "mild", "moderate"]  # 0.29 → moderate


def test_wrong_columns_are_refused_naming_them():
    with pytest.raises(WrongColumns) as refused:
        check_list("nhs,given_name,family_name,dob,shoe_size\n", open_nhs_numbers=set())
    message = str(refused.value)
    assert "missing columns: nhs_number, date_of_birth" in message
    assert "unknown columns: nhs, dob, shoe_size" in message


def test_each_bad_row_is_reported_by_line_with_its_reasons():
    text = csv_text(
        row("9991000003"),
        row("9991000004"),  # bad check digit
        row("9991000011", dob="31/02/1940"),
        row("9991000038", given=""),
        row("9991000046", efi="1.7", conditions="many"),
        row("9991000054", dob="2999-01-01"),
    )
    checked = check_list(text, open_nhs_numbers=set())
    assert checked.ready == 1
    reasons = {bad.line: bad.problems for bad in checked.bad}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert reasons[3][0].startswith("nhs_number:")
    assert reasons[4][0].startswith("date_of_birth: not a date")
    assert reasons[5] == ("given_name: is empty",)
    assert {p.split(":")[0] for p in reasons[6]} == {"efi_score", "long_term_conditions"}
    assert reasons[7][0].startswith("date_of_birth:")


def test_a_number_repeated_in_the_file_is_a_bad_row_naming_the_first_line():
    checked = check_list(csv_text(row("9991000003"), row("999 100 0003")), open_nhs_numbers=set())
    assert checked.ready == 1
    assert checked.bad[0].line == 3
    assert checked.bad[0].problems == ("the same NHS number as line 2",)


def test_people_already_open_with_the_team_are_counted_apart_not_imported():
    checked = check_list(
        csv_text(row("9991000003"), row("9991000011")), open_nhs_numbers={"9991000011"}
    )
    assert (checked.ready, checked.already_open, checked.bad) == (1, [3], [])


def test_more_cells_than_columns_is_a_bad_row():
    checked = check_list(HEADER + "\n" + row("9991000003") + ",extra\n", open_nhs_numbers=set())
    assert checked.bad[0].problems == ("more cells than columns",)
