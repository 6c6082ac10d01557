"""Small-number suppression: counts 1 to threshold − 1 become "<threshold", and so does a
figure worked out from them; zero and larger counts stand."""

from reports.suppression import suppressed
from reports.tables import COUNT, DERIVED, LABEL, Column, Table, suppress_table


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
