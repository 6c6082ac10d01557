"""Case-finding uptake (issue 18): of the people the practices' lists identified in the
period, how many the team contacted, and how many accepted or declined a referral, per list
and practice, and per practice by age band, sex and ethnic category (as the list gave them).
The counts come from `casefinding.selectors`; this module only lays them out."""

from collections.abc import Callable

from django.utils import timezone

from casefinding.selectors import UptakeRow, outreach_uptake, uptake_by_list
from referrals.models import EthnicCategory

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, TEXT, Column, Table

UPTAKE_COLUMNS = (
    Column("Identified"),
    Column("Contacted"),
    Column("Accepted a referral"),
    Column("Declined"),
)


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def uptake_by_list_and_practice(*, filters: ReportFilters) -> Table:
    lists = uptake_by_list(
        filters.team_ids,
        since=filters.period.start,
        before=filters.period.end,
        practice_id=filters.practice_id,
    )
    rows = [
        [
            row.practice,
            row.file_name,
            f"{timezone.localtime(row.uploaded_at):%d %b %Y}" if row.uploaded_at else "",
            row.identified,
            row.contacted,
            row.accepted,
            row.declined,
            row.no_response,
            row.still_open,
            _share(row.accepted, row.identified),
        ]
        for row in lists
    ]
    return Table(
        key="uptake_by_list",
        title="Case-finding uptake by practice and list",
        columns=(
            Column("Practice", LABEL),
            Column("List", TEXT),
            Column("Uploaded", TEXT),
            *UPTAKE_COLUMNS,
            Column("No response"),
            Column("Still being contacted"),
            Column("% accepted", DERIVED, base=(3, 5)),
        ),
        rows=rows,
        definition="uptake",
        chart=None,
    )


def _by(
    key: str, title: str, heading: str, part: Callable[[UptakeRow], str]
) -> Callable[..., Table]:
    def figure(*, filters: ReportFilters) -> Table:
        counts: dict[tuple[str, str], list[int]] = {}
        for row in outreach_uptake(
            filters.team_ids,
            since=filters.period.start,
            before=filters.period.end,
            practice_id=filters.practice_id,
        ):
            tally = counts.setdefault((row.practice, part(row)), [0, 0, 0, 0])
            for index, n in enumerate((row.identified, row.contacted, row.accepted, row.declined)):
                tally[index] += n
        return Table(
            key=key,
            title=title,
            columns=(Column("Practice", LABEL), Column(heading, TEXT), *UPTAKE_COLUMNS),
            rows=[[practice, value, *tally] for (practice, value), tally in sorted(counts.items())],
            definition="uptake",
            chart=None,
        )

    figure.__name__ = key
    figure.__doc__ = f"{title}: the people identified in the period."
    return figure


def _ethnic(row: UptakeRow) -> str:
    code = row.ethnic_category
    return EthnicCategory(code).label if code in EthnicCategory.values else code


uptake_by_age = _by(
    "uptake_age", "Uptake by practice and age band", "Age band", lambda r: r.age_band
)
uptake_by_sex = _by("uptake_sex", "Uptake by practice and sex", "Sex", lambda r: r.sex)
uptake_by_ethnic_category = _by(
    "uptake_ethnicity", "Uptake by practice and ethnic category", "Ethnic category", _ethnic
)
