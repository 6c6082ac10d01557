"""The shape every figure comes back in: a titled table whose columns say what they hold, so
the page, the CSV, the chart and the snapshot are all made from the same rows."""

from dataclasses import dataclass, field, replace
from typing import Any

from .suppression import is_small, suppressed

LABEL, COUNT, DERIVED, TEXT = "label", "count", "derived", "text"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = COUNT
    # For a derived value (median, mean, share): the index of the count it was worked out from.
    base: int | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    definition: str
    chart: str | None = "bar"  # "bar", "hbar", "line" or None
    chart_columns: tuple[int, ...] = ()  # which columns are plotted; default the first count
    note: str = ""
    suppressed: bool = field(default=False)

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    @property
    def plotted(self) -> tuple[int, ...]:
        if self.chart_columns:
            return self.chart_columns
        first = next((i for i, c in enumerate(self.columns) if c.kind == COUNT), None)
        return () if first is None else (first,)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "columns": [[c.heading, c.kind, c.base] for c in self.columns],
            "rows": self.rows,
            "definition": self.definition,
            "chart": self.chart,
            "chart_columns": list(self.chart_columns),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(
            key=data["key"],
            title=data["title"],
            columns=tuple(Column(h, k, b) for h, k, b in data["columns"]),
            rows=data["rows"],
            definition=data["definition"],
            chart=data["chart"],
            chart_columns=tuple(data["chart_columns"]),
            note=data["note"],
        )


def suppress_table(table: Table, limit: int) -> Table:
    """Counts under `limit` become "<limit", and so does anything worked out from them."""
    rows = []
    for row in table.rows:
        new = list(row)
        for index, column in enumerate(table.columns):
            if column.kind == COUNT and isinstance(row[index], int):
                new[index] = suppressed(row[index], limit)
            elif column.kind == DERIVED and column.base is not None:
                base = row[column.base]
                if isinstance(base, int) and (is_small(base, limit)) and row[index] is not None:
                    new[index] = f"<{limit}"
        rows.append(new)
    return replace(table, rows=rows, suppressed=True)
