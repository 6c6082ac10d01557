"""Small-number suppression: counts 1 to threshold − 1 become "<threshold", and so does a
figure worked out from them; zero and larger counts stand."""

from reports.suppression import suppressed
from reports.tables import (
    COUNT,
    DERIVED,
    LABEL,
    SECONDARY,
    CellSum,
    Column,
    Table,
    column_sum,
    row_sums,
    suppress_table,
)


def table(rows) -> Table:
    return Table(
        key="t",
        title="T",
        columns=(Column("Label", LABEL), Column("People", COUNT), Column("Median", DERIVED, 1)),
        rows=rows,
        definition="funnel",
    )


def test_counts_from_one_to_four_are_shown_as_under_five():
    assert [suppressed(n, 5) for n in (0, 1, 4, 5, 12)] == [0, "<5", "<5", 5, 12]


def test_the_threshold_is_a_setting(settings):
    from reports.suppression import threshold

    settings.REPORTS_SMALL_NUMBER_THRESHOLD = 10
    assert threshold() == 10
    assert suppressed(7, threshold()) == "<10"


def test_a_median_of_fewer_than_five_people_is_suppressed_with_its_count():
    result = suppress_table(table([["a", 3, 2.5], ["b", 6, 4.0], ["c", 0, None]]), 5)
    assert result.rows == [["a", "<5", "<5"], ["b", 6, 4.0], ["c", 0, None]]
    assert result.suppressed


def test_suppression_leaves_the_original_table_untouched():
    original = table([["a", 3, 2.5]])
    suppress_table(original, 5)
    assert original.rows == [["a", 3, 2.5]]


def summed(rows, sums, columns=None) -> Table:
    return Table(
        key="t",
        title="T",
        columns=columns or (Column("Label", LABEL), Column("A"), Column("B"), Column("All")),
        rows=rows,
        definition="funnel",
        sums=sums,
    )


def test_a_small_count_beside_a_row_total_hides_the_smallest_other_part_too():
    result = suppress_table(summed([["GP", 7, 2, 9]], row_sums(1, 3, (1, 2))), 5)
    assert result.rows == [["GP", SECONDARY, "<5", 9]]  # 9 − 7 would give the 2 away


def test_a_row_whose_only_other_part_is_zero_hides_its_total():
    result = suppress_table(summed([["GP", 0, 2, 2]], row_sums(1, 3, (1, 2))), 5)
    assert result.rows == [["GP", 0, "<5", "<5"]]
    result = suppress_table(
        summed(
            [["GP", 0, 3, 8, 11]],
            row_sums(1, 4, (1, 2, 3)),
            (Column("L", LABEL), Column("A"), Column("B"), Column("C"), Column("All")),
        ),
        5,
    )
    assert result.rows == [["GP", 0, "<5", SECONDARY, 11]]


def test_a_column_total_with_one_small_part_hides_another_part():
    rows = [["met", 12], ["partly", 3], ["not", 6], ["all", 21]]
    result = suppress_table(
        summed(rows, (column_sum(1, 3, range(3)),), (Column("L", LABEL), Column("N"))), 5
    )
    assert [row[1] for row in result.rows] == [12, "<5", SECONDARY, 21]


def test_sums_sharing_a_cell_are_suppressed_until_none_gives_a_count_away():
    # The funnel: each step's reached + dropped off = the step before's reached.
    rows = [["Received", 30, 0], ["Accepted", 27, 3], ["Contacted", 20, 7]]
    sums = (CellSum((0, 1), ((1, 1), (1, 2))), CellSum((1, 1), ((2, 1), (2, 2))))
    result = suppress_table(
        summed(rows, sums, (Column("Step", LABEL), Column("Reached"), Column("Dropped"))), 5
    )
    # 3 dropped is small: 27 is hidden (30 − 3); then 27 = 20 + 7 has one hidden: 7 too.
    assert result.rows == [
        ["Received", 30, 0],
        ["Accepted", SECONDARY, "<5"],
        ["Contacted", 20, SECONDARY],
    ]
    for total in sums:
        cells = [*total.parts, total.total]
        hidden = [c for c in cells if not isinstance(result.rows[c[0]][c[1]], int)]
        assert len(hidden) != 1


def test_a_share_worked_out_from_a_secondarily_hidden_count_is_hidden_with_it():
    columns = (
        Column("L", LABEL),
        Column("A"),
        Column("B"),
        Column("All"),
        Column("% A", DERIVED, base=(1, 3)),
    )
    result = suppress_table(summed([["GP", 7, 2, 9, 77.8]], row_sums(1, 3, (1, 2)), columns), 5)
    assert result.rows == [["GP", SECONDARY, "<5", 9, SECONDARY]]


def test_the_sums_survive_a_snapshot():
    table = summed([["GP", 7, 2, 9]], row_sums(1, 3, (1, 2)))
    assert Table.from_json(table.to_json()).sums == table.sums


def test_a_long_ranking_shows_its_first_rows_on_the_page_and_says_where_the_rest_are():
    from django.template.loader import render_to_string

    from reports.charts import figure
    from reports.tables import LABEL, Column, Table

    ranking = Table(
        key="by_service",
        title="Onward referrals by service",
        columns=(Column("Service", LABEL), Column("Sent")),
        rows=[["Walking group", 30], ["Debt advice", 20], ["Choir", 10]],
        definition="onward_by_service",
        chart="hbar",
        page_rows=2,
    )
    shown = figure(ranking, "How it is counted")
    assert shown["table"].rows == [["Walking group", 30], ["Debt advice", 20]]
    assert shown["left_out"] == 1
    html = render_to_string(
        "reports/includes/figure.html", {"figure": shown, "query": "", "snapshot": True}
    )
    assert "Choir" not in html
    assert "the other 1 are in this table" in html
