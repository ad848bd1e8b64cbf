"""Small-number suppression: no published cell below the threshold, and none recoverable by differencing."""

import random

from hypothesis import given, settings, strategies as st

from reports import reach


def _rows(table):
    return {cell.label: cell for cell in table.cells}


def test_a_cell_under_the_threshold_is_hidden_and_so_is_the_smallest_other():
    population = set(range(16))
    gender = reach.table(
        "gender", "Gender", [("A", set(range(0, 2))), ("B", set(range(2, 9))), ("C", set(range(9, 16)))], total=16
    )
    [published] = reach.publish([gender], population)
    cells = _rows(published)
    assert cells["A"].hidden == reach.SMALL
    # 16 − 7 − 7 would give A back, so one of the others goes too.
    assert sum(1 for cell in published.cells if cell.hidden == reach.SECONDARY) == 1
    assert reach.recoverable([published], population) == []


def test_two_small_cells_that_sum_below_the_threshold_take_a_third_with_them():
    population = set(range(20))
    table = reach.table(
        "t", "T", [("A", {0}), ("B", {1, 2}), ("C", set(range(3, 10))), ("D", set(range(10, 20)))], total=20
    )
    [published] = reach.publish([table], population)
    hidden = [cell for cell in published.cells if not cell.shown]
    assert sum(cell.count for cell in hidden) >= reach.THRESHOLD
    assert _rows(published)["C"].hidden == reach.SECONDARY


def test_a_cell_cannot_be_differenced_back_across_two_tables():
    # Table 1 shows everyone in group X (7); table 2 splits X into 5 and 2 and shows the 5 alone:
    # 7 − 5 gives the 2 back unless one more figure is hidden.
    population = set(range(20))
    x = set(range(7))
    one = reach.table("one", "One", [("X", x), ("not X", population - x)], total=20)
    two = reach.table(
        "two",
        "Two",
        [("X and Y", set(range(5))), ("X, not Y", {5, 6}), ("rest", set(range(7, 20)))],
        total=20,
        partition=True,
    )
    assert reach.recoverable(
        [
            one,
            reach.Table(
                "two",
                "Two",
                tuple(c if c.label != "X, not Y" else reach.Cell(c.label, c.members, reach.SMALL) for c in two.cells),
                20,
            ),
        ],
        population,
    ) == [("two", "X, not Y")]
    published = reach.publish([one, two], population)
    assert reach.recoverable(published, population) == []
    for table in published:
        for cell in table.cells:
            assert not cell.shown or cell.count >= reach.THRESHOLD


def test_too_few_students_for_any_breakdown():
    population = {1, 2, 3}
    [published] = reach.publish([reach.table("t", "T", [("A", {1, 2, 3}), ("B", set())], total=3)], population)
    assert all(not cell.shown for cell in published.cells)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=5, max_value=40),
    categories=st.lists(st.integers(min_value=2, max_value=5), min_size=1, max_size=4),
    seed=st.integers(min_value=0, max_value=10_000),
    extra=st.booleans(),
)
def test_published_tables_never_show_or_leak_a_small_cell(size, categories, seed, extra):
    rng = random.Random(seed)
    population = set(range(size))
    tables = []
    for number, k in enumerate(categories):
        groups = [set() for _ in range(k)]
        for student in population:
            groups[rng.randrange(k)].add(student)
        tables.append(reach.table(f"t{number}", "T", [(str(i), g) for i, g in enumerate(groups)], total=size))
    if extra:
        # A non-partition list (milestones): some students, overlapping.
        tables.append(
            reach.table(
                "list",
                "L",
                [(f"m{i}", {s for s in population if rng.random() < 0.3}) for i in range(3)],
                total=size,
                partition=False,
            )
        )
    published = reach.publish(tables, population)
    for table in published:
        for cell in table.cells:
            assert not cell.shown or cell.count >= reach.THRESHOLD
    assert reach.recoverable(published, population) == []
