"""Benchmark: a timetable for 50 syndicates × 15 activities over 5 days (target under 2 seconds).

.venv/bin/python bench/timetable.py
"""

import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from placements.planning import (
    DEMONSTRATION,
    ActivityRecord,
    SyndicateRecord,
    Unavailable,
    check_timetable,
    generate_timetable,
)


def _time(label, days, activities, syndicates, unavailable=()):
    runs = []
    for _ in range(6):
        started = time.perf_counter()
        sessions = generate_timetable(days=days, activities=activities, syndicates=syndicates, unavailable=unavailable)
        runs.append(time.perf_counter() - started)
    problems = check_timetable(
        sessions, activities=activities, syndicates=syndicates, unavailable=unavailable, days=days
    )
    print(
        f"{label}: syndicates={len(syndicates)} activities={len(activities)} days={len(days)} "
        f"sessions={len(sessions)} broken_rules={len(problems)}"
    )
    first, rest = runs[0], runs[1:]
    print(
        f"  seconds: first run {first:.3f} (cold: imports scipy if the exact search is needed), "
        f"then best {min(rest):.3f}, worst {max(rest):.3f} over {len(rest)} runs (target < 2 s)"
    )


def main():
    days = [date(2027, 7, 12) + timedelta(days=i) for i in range(5)]
    # Ten scenarios, five syndicates at a time each (ten departments), and five demonstrations for all.
    activities = [ActivityRecord(i, f"Scenario {i}", department=i, capacity=5) for i in range(1, 11)] + [
        ActivityRecord(i, f"Demonstration {i}", kind=DEMONSTRATION, department=i, capacity=None) for i in range(11, 16)
    ]
    # 50 syndicates; some leads take two syndicates, so lead clashes are in play.
    syndicates = [SyndicateRecord(i, f"Syndicate {i}", lead=(i + 1) // 2 if i <= 10 else i) for i in range(1, 51)]
    _time("rotation (tight: every syndicate busy in every slot)", days, activities, syndicates)
    # Harder: five departments each deliver two scenarios (never at once), seventeen syndicates at a time,
    # and one department is away on Monday morning, so the plain rotation breaks and the search runs.
    shared = [ActivityRecord(i, f"Scenario {i}", department=(i + 1) // 2, capacity=17) for i in range(1, 11)] + [
        ActivityRecord(i, f"Demonstration {i}", kind=DEMONSTRATION, department=i, capacity=None) for i in range(11, 16)
    ]
    away = [Unavailable(1, datetime(2027, 7, 12, 9), datetime(2027, 7, 12, 11))]
    _time("search (shared departments, one unavailable)", days, shared, syndicates, away)


if __name__ == "__main__":
    main()
