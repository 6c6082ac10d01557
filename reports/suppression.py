"""Small-number suppression for commissioners: a count from 1 to threshold − 1 is shown as
"<threshold" (default "<5"), and so is any average, percentile or share worked out from fewer
people than that. Zero is shown: it says nothing about any one person (the NHS England HES
convention suppresses 1 to 7 and shows 0). The same rule applies on the page, in the CSV and
in the charts, because all three are made from the suppressed table. A table that shows a
total with its parts declares it (`reports.tables.CellSum`), and one more count in that sum is
hidden beside a small one (`reports.tables.suppress_table`)."""

from django.conf import settings


def threshold() -> int:
    return settings.REPORTS_SMALL_NUMBER_THRESHOLD


def is_small(count: int | None, limit: int) -> bool:
    return count is not None and 0 < count < limit


def suppressed(count: int | None, limit: int) -> int | str | None:
    return f"<{limit}" if is_small(count, limit) else count
