"""The shape every figure comes back in: a titled table whose columns say what they hold, so
the page, the CSV, the chart and the snapshot are all made from the same rows."""

from dataclasses import dataclass, field, replace
from typing import Any

from .suppression import is_small, suppressed

LABEL, COUNT, DERIVED, TEXT = "label", "count", "derived", "text"
# A count shown as it is would let a suppressed one be worked out from a total: it is hidden
# too ("secondary suppression"), shown as this.
SECONDARY = "[c]"

Cell = tuple[int, int]  # (row, column)


@dataclass(frozen=True)
class CellSum:
    """The count in `total` is the sum of the counts in `parts`: a total shown beside its
    parts, so hiding one part alone would not hide it."""

    total: Cell
    parts: tuple[Cell, ...]


def row_sums(rows: int, total: int, parts: tuple[int, ...]) -> tuple[CellSum, ...]:
    """In each of the first `rows` rows, column `total` is the sum of columns `parts`."""
    return tuple(CellSum((r, total), tuple((r, c) for c in parts)) for r in range(rows))


def column_sum(column: int, total: int, parts: range | tuple[int, ...]) -> CellSum:
    """In column `column`, row `total` is the sum of rows `parts`."""
    return CellSum((total, column), tuple((r, column) for r in parts))


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = COUNT
    # For a derived value (median, mean, share): the index of the count(s) in its row it was
    # worked out from.
    base: int | tuple[int, ...] | None = None

    @property
    def bases(self) -> tuple[int, ...]:
        if self.base is None:
            return ()
        return (self.base,) if isinstance(self.base, int) else self.base


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
    sums: tuple[CellSum, ...] = ()
    # A ranking too long to read (and to draw) on a page, such as thousands of services: the
    # page shows its first this many rows, its CSV every row.
    page_rows: int | None = None
    left_out: int = 0  # rows a page left to the CSV (see on_page)

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    @property
    def plotted(self) -> tuple[int, ...]:
        if self.chart_columns:
            return self.chart_columns
        first = next((i for i, c in enumerate(self.columns) if c.kind == COUNT), None)
        return () if first is None else (first,)

    def on_page(self) -> "Table":
        """The table as a page shows it (suppress before: the sums need every row)."""
        if self.page_rows is None or len(self.rows) <= self.page_rows:
            return self
        return replace(
            self,
            rows=self.rows[: self.page_rows],
            sums=(),
            left_out=self.left_out + len(self.rows) - self.page_rows,
        )

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
            "sums": [[list(s.total), [list(p) for p in s.parts]] for s in self.sums],
            "page_rows": self.page_rows,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(
            key=data["key"],
            title=data["title"],
            columns=tuple(
                Column(h, k, tuple(b) if isinstance(b, list) else b) for h, k, b in data["columns"]
            ),
            rows=data["rows"],
            definition=data["definition"],
            chart=data["chart"],
            chart_columns=tuple(data["chart_columns"]),
            note=data["note"],
            sums=tuple(
                CellSum((t[0], t[1]), tuple((p[0], p[1]) for p in parts))
                for t, parts in data.get("sums", [])  # snapshots from before sums were kept
            ),
            page_rows=data.get("page_rows"),
        )


def _hidden_cells(table: Table, limit: int) -> tuple[set[Cell], set[Cell]]:
    """The small counts, and the counts hidden besides them so that no small count can be
    worked out from a total and the other parts: in every sum with one hidden cell, the
    smallest non-zero count shown is hidden too (a part before the total), until no sum has
    just one."""
    small = {
        (r, c)
        for r, row in enumerate(table.rows)
        for c, column in enumerate(table.columns)
        if column.kind == COUNT and isinstance(row[c], int) and is_small(row[c], limit)
    }
    hidden = set(small)

    def value(cell: Cell) -> object:
        return table.rows[cell[0]][cell[1]]

    changed = True
    while changed:
        changed = False
        for total in table.sums:
            cells = [*total.parts, total.total]
            if sum(cell in hidden for cell in cells) != 1:
                continue
            shown = [
                (cell == total.total, value(cell), cell)
                for cell in cells
                if cell not in hidden and isinstance(value(cell), int) and value(cell) != 0
            ]
            if shown:
                hidden.add(min(shown)[2])
                changed = True
    return small, hidden - small


def suppress_table(table: Table, limit: int) -> Table:
    """Counts under `limit` become "<limit", and so does anything worked out from them; a
    count that would give one of them away through a total becomes SECONDARY, and so does
    anything worked out from it."""
    small, secondary = _hidden_cells(table, limit)
    rows = []
    for r, row in enumerate(table.rows):
        new = list(row)
        for index, column in enumerate(table.columns):
            if (r, index) in small:
                new[index] = suppressed(row[index], limit)
            elif (r, index) in secondary:
                new[index] = SECONDARY
            elif column.kind == DERIVED and row[index] is not None:
                if any((r, base) in small for base in column.bases):
                    new[index] = f"<{limit}"
                elif any((r, base) in secondary for base in column.bases):
                    new[index] = SECONDARY
        rows.append(new)
    return replace(table, rows=rows, suppressed=True)
