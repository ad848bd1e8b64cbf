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
    # In atom mode (see _Space), the kinds of student this cell counts.
    atoms: frozenset = frozenset()

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
    # Which figures go first when one must be hidden to protect another: lower first (a total over years
    # before a year, a year before a programme), then the smallest.
    priority: int = 0

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


def table(
    key: str,
    title: str,
    cells: list[tuple[str, set]],
    *,
    total: int,
    partition: bool = True,
    note: str = "",
    priority: int = 0,
):
    if not partition:
        # A list of things some students did: a row nobody reached says nothing about anyone, so it is left out.
        cells = [cell for cell in cells if cell[1]]
    return Table(
        key=key,
        title=title,
        cells=tuple(
            Cell(label, frozenset(members), atoms=frozenset(atoms)) for label, members, atoms in _with_atoms(cells)
        ),
        total=total,
        partition=partition,
        note=note,
        priority=priority,
    )


def _with_atoms(cells):
    """(label, students) or (label, students, atoms) → (label, students, atoms)."""
    return [(item[0], item[1], item[2] if len(item) > 2 else frozenset()) for item in cells]


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


@dataclass
class _Space:
    """The columns figures are vectors over.

    Student mode (cells without atoms): a column per student (merged as in _atoms). Atom mode (every cell
    names its atoms: the kinds of student it counts, such as "programme 3, from a special school", whether
    or not any student is one): a column per kind, so a figure counts as worked out only when it follows
    from the published ones whatever the students are, not because an empty kind makes two figures
    equal by chance (a programme of three who all chose the police first is not given away by its total).
    """

    index: dict
    width: int
    total: frozenset
    atom_mode: bool

    def vector(self, keys):
        vector = np.zeros(self.width)
        for key in keys:
            vector[self.index[key]] = 1
        return vector

    def of(self, cell: Cell):
        return self.vector(cell.atoms if self.atom_mode else cell.members)


def _space(tables: list[Table], population, known, protect) -> _Space:
    cells = [cell for tbl in tables for cell in tbl.cells]
    if any(cell.atoms for cell in cells):
        keys = set().union(*(cell.atoms for cell in cells), *known, *(atoms for _members, atoms in protect))
        index = {key: i for i, key in enumerate(sorted(keys, key=repr))}
        return _Space(index, len(index), frozenset(keys), True)
    index = _atoms(population, [cell.members for cell in cells] + list(known) + [m for m, _a in protect])
    return _Space(index, max(index.values(), default=-1) + 1, frozenset(population), False)


def _published(tables: list[Table], space: _Space, known=()):
    vectors = [space.vector(space.total)] + [space.vector(keys) for keys in known]
    places = [None] * (1 + len(known))
    for t, tbl in enumerate(tables):
        for c, cell in enumerate(tbl.cells):
            if cell.shown:
                vectors.append(space.of(cell))
                places.append((t, c))
    return np.array(vectors), places


def _in_span(matrix, vector) -> bool:
    if not matrix.size:
        return not vector.any()
    return np.linalg.matrix_rank(np.vstack([matrix, vector])) == np.linalg.matrix_rank(matrix)


def _protected(protect) -> list[tuple[frozenset, frozenset]]:
    """(students, what to span) pairs: a plain set of students is both."""
    pairs = []
    for item in protect:
        members, keys = item if isinstance(item, tuple) else (item, item)
        pairs.append((frozenset(members), frozenset(keys)))
    return pairs


def _small(members, threshold) -> bool:
    return 0 < len(members) < threshold


def _exposed(tables, space, matrix, protect, threshold):
    """The vector of the first small group the published figures give away, or None."""
    for tbl in tables:
        for cell in tbl.cells:
            if cell.hidden == SMALL and cell.members and _in_span(matrix, space.of(cell)):
                return space.of(cell), (tbl.key, cell.label)
    for i, (members, keys) in enumerate(protect):
        if _small(members, threshold) and _in_span(matrix, space.vector(keys)):
            return space.vector(keys), ("protected", str(i))
    return None


def recoverable(
    tables: list[Table], population, *, known=(), protect=(), threshold: int = THRESHOLD
) -> list[tuple[str, str]]:
    """The small hidden cells (and protected groups) whose count follows from the published ones.

    A cell hidden only to protect another (SECONDARY) holds at least THRESHOLD students, so working it
    out harms nobody unless it gives a small one back, which this finds. An empty cell is left out.
    """
    protect = _protected(protect)
    known = [frozenset(keys) for keys in known]
    if not any(tbl.cells for tbl in tables):
        return []  # nothing published beyond what the reader knew
    space = _space(tables, population, known, protect)
    matrix, _ = _published(tables, space, known)
    found = []
    for tbl in tables:
        for cell in tbl.cells:
            if cell.hidden == SMALL and cell.members and _in_span(matrix, space.of(cell)):
                found.append((tbl.key, cell.label))
    for i, (members, keys) in enumerate(protect):
        if _small(members, threshold) and _in_span(matrix, space.vector(keys)):
            found.append(("protected", str(i)))
    return found


def publish(tables: list[Table], population, threshold: int = THRESHOLD, *, known=(), protect=()) -> list[Table]:
    """The tables with every cell that could identify a child hidden, directly or by differencing.

    `known`: groups whose count the reader has anyway (each programme's or year's total, or everything a
    force's coordinator knows of their own force): sets of students, or of atoms in atom mode. `protect`:
    groups that are no cell of these tables but must not be worked out either when small (the students
    of the other forces, for a coordinator comparing their force with the national figures): sets of
    students, or (students, atoms) pairs in atom mode.
    """
    population = frozenset(population)
    known = [frozenset(keys) for keys in known]
    protect = _protected(protect)
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
    if not any(tbl.cells for tbl in tables):
        return tables
    space = _space(tables, population, known, protect)
    while True:
        matrix, places = _published(tables, space, known)
        found = _exposed(tables, space, matrix, protect, threshold)
        if found is None:
            return tables
        exposed = found[0]
        # Hide a published cell whose removal takes the hidden one out of reach: the lowest priority, then
        # the smallest; when no single cell does (two ways to the same figure), the first, and look again.
        # With nothing left to hide the known groups alone give it away: the caller must not publish those.
        candidates = sorted(
            (i for i in range(len(places)) if places[i] is not None),
            key=lambda i: (tables[places[i][0]].priority, matrix[i].sum()),
        )
        if not candidates:
            return tables
        breaking = next((i for i in candidates if not _in_span(np.delete(matrix, i, axis=0), exposed)), candidates[0])
        tables = _hide(tables, places[breaking], SECONDARY)
        tables = _within_table(tables, threshold)
