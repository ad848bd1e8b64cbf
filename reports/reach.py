"""Small-number suppression for the figures about who was reached. Pure: no database.

A published count of children below THRESHOLD could identify a child, so such a cell reads
"fewer than 5" (primary suppression). A hidden cell must not come back by arithmetic either:

- within a table, the hidden cells together must hold at least THRESHOLD students (else the total
  minus the shown cells would give a small number), so the smallest shown cell is hidden too
  (secondary suppression);
- across tables, no hidden cell may be a sum or difference of published figures. Each cell knows
  its students, so this is checked exactly: a hidden cell is recoverable when its membership vector
  lies in the span of the published cells' vectors (and the total). Then one more published cell is
  hidden, the one that breaks the recovery, and the check runs again.

Later parts (trends, a national view) publish aggregates through the same `publish` function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

THRESHOLD = 5

SMALL = "small"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    label: str
    members: frozenset
    hidden: str = ""  # "", SMALL or SECONDARY

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def shown(self) -> bool:
        return not self.hidden


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    cells: tuple[Cell, ...]
    total: int
    # True when the cells split the whole group (each student in exactly one): then the total is a
    # published figure of the table, and the within-table rule applies.
    partition: bool = True
    note: str = ""

    def shown_rows(self, threshold: int = THRESHOLD) -> list[dict]:
        """Rows for a template or a document: label, the count in words, and a share where shown."""
        rows = []
        for cell in self.cells:
            if cell.shown:
                share = f"{round(cell.count * 100 / self.total)}%" if self.total else ""
                rows.append({"label": cell.label, "count": str(cell.count), "share": share, "hidden": ""})
            elif cell.hidden == SMALL:
                rows.append({"label": cell.label, "count": f"fewer than {threshold}", "share": "", "hidden": SMALL})
            else:
                rows.append({"label": cell.label, "count": "not shown", "share": "", "hidden": SECONDARY})
        return rows


def table(key: str, title: str, cells: list[tuple[str, set]], *, total: int, partition: bool = True, note: str = ""):
    if not partition:
        # A list of things some students did: a row nobody reached says nothing about anyone, so it is left out.
        cells = [(label, members) for label, members in cells if members]
    return Table(
        key=key,
        title=title,
        cells=tuple(Cell(label, frozenset(members)) for label, members in cells),
        total=total,
        partition=partition,
        note=note,
    )


def _hide(tables: list[Table], where: tuple[int, int], reason: str) -> list[Table]:
    t, c = where
    cells = list(tables[t].cells)
    cells[c] = replace(cells[c], hidden=reason)
    tables = list(tables)
    tables[t] = replace(tables[t], cells=tuple(cells))
    return tables


def _within_table(tables: list[Table], threshold: int) -> list[Table]:
    for t, tbl in enumerate(tables):
        while True:
            hidden = [cell for cell in tbl.cells if not cell.shown]
            shown = [(cell.count, c) for c, cell in enumerate(tbl.cells) if cell.shown]
            if not tbl.partition or not hidden or not shown:
                break
            if sum(cell.count for cell in hidden) >= threshold and len(hidden) > 1:
                break
            tables = _hide(tables, (t, min(shown)[1]), SECONDARY)
            tbl = tables[t]
    return tables


def _atoms(population, groups) -> dict:
    """Each student's column: students in exactly the same groups share one, which keeps every span the
    same (no published figure can tell them apart) and the matrices small however many students there are."""
    signatures: dict = {member: [] for member in population}
    for g, members in enumerate(groups):
        for member in members:
            if member in signatures:
                signatures[member].append(g)
    columns: dict = {}
    return {member: columns.setdefault(tuple(sig), len(columns)) for member, sig in signatures.items()}


def _vector(members, index):
    vector = np.zeros(max(index.values(), default=-1) + 1)
    for member in members:
        vector[index[member]] = 1
    return vector


def _published(tables: list[Table], index, population, known=()):
    vectors = [_vector(population, index)] + [_vector(members, index) for members in known]
    places = [None] * (1 + len(known))
    for t, tbl in enumerate(tables):
        for c, cell in enumerate(tbl.cells):
            if cell.shown:
                vectors.append(_vector(cell.members, index))
                places.append((t, c))
    return np.array(vectors), places


def _in_span(matrix, vector) -> bool:
    if not matrix.size:
        return not vector.any()
    return np.linalg.matrix_rank(np.vstack([matrix, vector])) == np.linalg.matrix_rank(matrix)


def recoverable(tables: list[Table], population, *, known=(), protect=()) -> list[tuple[str, str]]:
    """The small hidden cells whose count follows from the published ones: [(table key, cell label)].

    A cell hidden only to protect another (SECONDARY) holds at least THRESHOLD students, so working it
    out harms nobody unless it gives a small one back, which this finds. An empty cell is left out: its
    vector is zero, which says nothing of what a reader can work out.
    """
    index = _atoms(population, [c.members for t in tables for c in t.cells] + list(known) + list(protect))
    matrix, _ = _published(tables, index, population, known)
    found = []
    for tbl in tables:
        for cell in tbl.cells:
            if cell.hidden == SMALL and cell.members and _in_span(matrix, _vector(cell.members, index)):
                found.append((tbl.key, cell.label))
    for i, members in enumerate(protect):
        if 0 < len(members) < THRESHOLD and _in_span(matrix, _vector(members, index)):
            found.append(("protected", str(i)))
    return found


def _small(members, threshold) -> bool:
    return 0 < len(members) < threshold


def publish(tables: list[Table], population, threshold: int = THRESHOLD, *, known=(), protect=()) -> list[Table]:
    """The tables with every cell that could identify a child hidden, directly or by differencing.

    `known`: groups of students whose count the reader has anyway (each programme's or year's total, or
    everything a force's coordinator knows of their own force). `protect`: groups that are no cell of
    these tables but must not be worked out either when small (the students of the other forces, for a
    coordinator comparing their force with the national figures).
    """
    population = frozenset(population)
    known = [frozenset(members) for members in known]
    protect = [frozenset(members) for members in protect]
    tables = [
        replace(tbl, cells=tuple(replace(cell, hidden=SMALL if cell.count < threshold else "") for cell in tbl.cells))
        for tbl in tables
    ]
    if len(population) < threshold:
        # Too few students for any breakdown at all.
        return [
            replace(tbl, cells=tuple(replace(cell, hidden=cell.hidden or SECONDARY) for cell in tbl.cells))
            for tbl in tables
        ]
    tables = _within_table(tables, threshold)
    index = _atoms(population, [c.members for t in tables for c in t.cells] + known + protect)
    while True:
        matrix, places = _published(tables, index, population, known)
        hidden_now = [cell.members for tbl in tables for cell in tbl.cells if cell.hidden == SMALL and cell.members]
        exposed = next(
            (
                _vector(members, index)
                for members in hidden_now + [m for m in protect if _small(m, threshold)]
                if _in_span(matrix, _vector(members, index))
            ),
            None,
        )
        if exposed is None:
            return tables
        # Hide the smallest published cell whose removal takes the hidden one out of reach; when no single
        # cell does (two ways to the same figure), the smallest one, and look again. With nothing left to
        # hide the known groups alone give it away: the caller must not publish those (checked in tests).
        candidates = sorted((i for i in range(len(places)) if places[i] is not None), key=lambda i: matrix[i].sum())
        if not candidates:
            return tables
        breaking = next((i for i in candidates if not _in_span(np.delete(matrix, i, axis=0), exposed)), candidates[0])
        tables = _hide(tables, places[breaking], SECONDARY)
        tables = _within_table(tables, threshold)
