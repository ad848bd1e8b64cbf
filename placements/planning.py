"""Pure planning functions over plain data: the syndicate builder and the timetable generator.

Nothing here touches the database, so both can be tested exhaustively (hypothesis) and timed
(bench/timetable.py); services.py turns models into these records and the results back into rows.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.errors import DomainError


class PlanningError(DomainError):
    """A plan cannot be made or changed; the message names the rule that stops it."""


# ---------------------------------------------------------------------------------------------
# Syndicates


@dataclass(frozen=True)
class StudentRecord:
    id: int
    institution: int
    has_support_needs: bool = False
    gender: str = ""


@dataclass(frozen=True)
class LeadRecord:
    id: int
    name: str
    vetting_expires_on: date | None


@dataclass(frozen=True)
class SyndicatePlan:
    groups: list  # list of lists of student ids
    leads: list  # lead id (or None) for each group
    explanation: str
    warnings: list = field(default_factory=list)


VETTING_WARNING_DAYS = (7, 30, 60)


def vetting_warning(expires_on, *, today):
    """The tightest warning band (7, 30 or 60 days) that a vetting expiry date falls in, or None."""
    if expires_on is None:
        return 0
    remaining = (expires_on - today).days
    for band in VETTING_WARNING_DAYS:
        if remaining <= band:
            return band
    return None


def eligible_leads(leads, *, start, end):
    """Leads whose vetting is in date on every day of the programme, in a stable order."""
    return sorted(
        (lead for lead in leads if lead.vetting_expires_on is not None and lead.vetting_expires_on >= end),
        key=lambda lead: (lead.name, lead.id),
    )


def _level_support_needs(groups, schools, support, students, per_school):
    """Swap students between syndicates until support needs differ by at most one between any two,
    where a swap keeps each school within its fair share of every syndicate (sizes never change)."""
    by_id = {s.id: s for s in students}
    count = len(groups)
    fair = {school: math.ceil(n / count) for school, n in per_school.items()}
    while True:
        high = max(range(count), key=lambda g: (support[g], -g))
        low = min(range(count), key=lambda g: (support[g], g))
        if support[high] - support[low] <= 1:
            return
        swap = next(
            (
                (a, b)
                for a in sorted(groups[high])
                if by_id[a].has_support_needs
                for b in sorted(groups[low])
                if not by_id[b].has_support_needs
                and (
                    by_id[a].institution == by_id[b].institution
                    or (
                        schools[low][by_id[a].institution] < fair[by_id[a].institution]
                        and schools[high][by_id[b].institution] < fair[by_id[b].institution]
                    )
                )
            ),
            None,
        )
        if swap is None:
            return
        a, b = swap
        groups[high][groups[high].index(a)] = b
        groups[low][groups[low].index(b)] = a
        for group, leaving, joining in ((high, a, b), (low, b, a)):
            schools[group][by_id[leaving].institution] -= 1
            schools[group][by_id[joining].institution] += 1
        support[high] -= 1
        support[low] += 1


def build_syndicates(students, *, size=4, leads=(), start, end, today=None):
    """Split students into syndicates of about `size`, mixing schools and spreading support needs.

    Deterministic: the same students and leads always give the same plan.
    """
    if size < 1:
        raise PlanningError("Syndicate size must be at least 1.")
    students = sorted(students, key=lambda s: s.id)
    if not students:
        return SyndicatePlan(groups=[], leads=[], explanation="No accepted students to place yet.")
    count = math.ceil(len(students) / size)
    # Sizes differ by at most one, so no lead gets a much bigger group than another.
    sizes = [len(students) // count + (1 if i < len(students) % count else 0) for i in range(count)]

    per_school = Counter(s.institution for s in students)
    # Place the students school by school, biggest school first. Each student takes the syndicate
    # that has (1) fewest from their school, (2) the most room left, (3) if they have support needs,
    # fewest with support needs, (4) fewest of their gender. Taking the roomiest syndicates keeps the
    # room left level, so a later school always finds enough different syndicates: two from one
    # school share only when the school has more students than there are syndicates.
    schools_in_order = sorted(per_school, key=lambda school: (-per_school[school], school))
    groups = [[] for _ in range(count)]
    schools = [Counter() for _ in range(count)]
    support = [0] * count
    genders = [Counter() for _ in range(count)]
    for school in schools_in_order:
        members = [s for s in students if s.institution == school]
        for student in sorted(members, key=lambda s: (not s.has_support_needs, s.gender, s.id)):
            best = min(
                (g for g in range(count) if len(groups[g]) < sizes[g]),
                key=lambda g: (
                    schools[g][school],
                    len(groups[g]) - sizes[g],
                    support[g] if student.has_support_needs else 0,
                    genders[g][student.gender] if student.gender else 0,
                    g,
                ),
            )
            groups[best].append(student.id)
            schools[best][student.institution] += 1
            support[best] += student.has_support_needs
            if student.gender:
                genders[best][student.gender] += 1

    _level_support_needs(groups, schools, support, students, per_school)

    chosen = eligible_leads(leads, start=start, end=end)
    lead_ids = [chosen[index].id if index < len(chosen) else None for index in range(count)]
    warnings = []
    if len(chosen) < count:
        warnings.append(f"{count - len(chosen)} syndicate(s) have no lead: too few leads with vetting in date.")
    if today is not None:
        for lead in chosen[:count]:
            band = vetting_warning(lead.vetting_expires_on, today=today)
            if band:
                warnings.append(
                    f"{lead.name}'s vetting expires on {lead.vetting_expires_on:%d %b %Y} (within {band} days)."
                )
    shared = sum(max(0, c - 1) for group in schools for c in group.values())
    explanation = (
        f"{len(students)} students in {count} syndicates of {min(sizes)}–{max(sizes)}: "
        f"{'no two from the same school' if not shared else f'{shared} unavoidable same-school pairing(s)'}, "
        f"{sum(1 for s in students if s.has_support_needs)} with support needs spread "
        f"{'evenly' if max(support) - min(support) <= 1 else 'as evenly as schools allow'}, "
        "genders mixed where recorded."
    )
    return SyndicatePlan(groups=groups, leads=lead_ids, explanation=explanation, warnings=warnings)


# ---------------------------------------------------------------------------------------------
# Timetable

SCENARIO = "scenario"
DEMONSTRATION = "demonstration"

# The school day: three two-hour inputs, a morning break and lunch between them.
DAY_SLOTS = ((time(9, 0), time(11, 0)), (time(11, 15), time(13, 15)), (time(14, 0), time(16, 0)))
BREAKS = ((time(11, 0), time(11, 15), "Break"), (time(13, 15), time(14, 0), "Lunch"))


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    title: str
    kind: str = SCENARIO
    department: int | None = None
    capacity: int | None = 1  # syndicates at once; None: everyone
    duration_minutes: int = 120


@dataclass(frozen=True)
class SyndicateRecord:
    id: int
    name: str
    lead: int | None = None


@dataclass(frozen=True)
class Unavailable:
    department: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PlannedSession:
    activity: int
    starts_at: datetime
    ends_at: datetime
    syndicates: tuple


def day_slots(days, day_slots=DAY_SLOTS):
    return [Slot(datetime.combine(day, start), datetime.combine(day, end)) for day in days for start, end in day_slots]


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _department_free(activity, slot, unavailable):
    if activity.department is None:
        return True
    end = slot.starts_at + timedelta(minutes=activity.duration_minutes)
    return not any(
        u.department == activity.department and _overlaps(slot.starts_at, end, u.starts_at, u.ends_at)
        for u in unavailable
    )


def generate_timetable(*, days, activities, syndicates, unavailable=(), slots=DAY_SLOTS):
    """Sessions in which every syndicate does every scenario once and sees every demonstration.

    Hard rules: no syndicate, lead or department in two places at once; an activity never takes
    more syndicates than its capacity; a department's unavailable times are avoided; inputs sit
    inside the day's slots, so breaks and lunch stay free. Raises PlanningError naming the rule
    that cannot be met.
    """
    if not syndicates:
        raise PlanningError("There are no syndicates to timetable: build the syndicates first.")
    if not activities:
        raise PlanningError("Choose at least one activity for the timetable.")
    all_slots = day_slots(days, slots)
    if not all_slots:
        raise PlanningError("The programme has no working days to timetable.")
    slot_minutes = min(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in all_slots)
    for activity in activities:
        if activity.duration_minutes > slot_minutes:
            raise PlanningError(
                f"“{activity.title}” lasts {activity.duration_minutes} minutes, longer than a timetable slot "
                f"({slot_minutes} minutes between breaks)."
            )
    demonstrations = sorted((a for a in activities if a.kind == DEMONSTRATION), key=lambda a: a.id)
    scenarios = sorted((a for a in activities if a.kind != DEMONSTRATION), key=lambda a: a.id)
    unavailable = tuple(unavailable)
    syndicates = sorted(syndicates, key=lambda s: s.id)

    sessions = []
    used = set()  # slot indexes taken by a demonstration (everyone is there)
    per_day = len(slots)
    for activity in demonstrations:
        if activity.capacity is not None and activity.capacity < len(syndicates):
            raise PlanningError(
                f"The demonstration “{activity.title}” takes {activity.capacity} syndicate(s) at once but is for "
                f"all {len(syndicates)} (activity capacity): make it a scenario or raise its capacity."
            )
        # Demonstrations go last in the day where possible, spread over the week.
        candidates = [
            i for i, slot in enumerate(all_slots) if i not in used and _department_free(activity, slot, unavailable)
        ]
        if not candidates:
            raise PlanningError(
                f"No slot left for the demonstration “{activity.title}”: its department is unavailable "
                f"or every slot is already taken (department unavailability)."
            )
        demo_days = Counter(i // per_day for i in used)
        index = min(candidates, key=lambda i: (demo_days[i // per_day], -(i % per_day), i))
        used.add(index)
        slot = all_slots[index]
        sessions.append(_session(activity, slot, syndicates))

    # Scenarios fill the same time of day across the week first (every morning, then late
    # mornings), so days stay alike and departments are asked for the same hours each day.
    free = sorted((i for i in range(len(all_slots)) if i not in used), key=lambda i: (i % per_day, i // per_day))
    if len(scenarios) > len(free):
        raise PlanningError(
            f"Each syndicate needs {len(scenarios)} scenario slots but only {len(free)} are left after "
            f"demonstrations, breaks and lunch (not enough days)."
        )
    for activity in scenarios:
        open_slots = sum(1 for i in free if _department_free(activity, all_slots[i], unavailable))
        capacity = activity.capacity or len(syndicates)
        if open_slots * capacity < len(syndicates):
            raise PlanningError(
                f"“{activity.title}” takes {capacity} syndicate(s) at once and its department is free in "
                f"{open_slots} slot(s): {open_slots * capacity} places for {len(syndicates)} syndicates "
                f"(activity capacity)."
            )

    load = defaultdict(list)
    for activity in scenarios:
        if activity.department is not None:
            load[activity.department].append(activity)
    for _department, delivered in sorted(load.items()):
        needed = sum(math.ceil(len(syndicates) / (a.capacity or len(syndicates))) for a in delivered)
        open_slots = sum(1 for i in free if any(_department_free(a, all_slots[i], unavailable) for a in delivered))
        if needed > open_slots:
            titles = ", ".join(f"“{a.title}”" for a in delivered)
            raise PlanningError(
                f"The department delivering {titles} would need {needed} sessions but can only be in one place "
                f"at a time and is free in {open_slots} slot(s) (department double-booking)."
            )
    rotation = _rotate_scenarios(scenarios, syndicates, all_slots, free, unavailable)
    if rotation is not None:
        return sorted(sessions + rotation, key=lambda s: (s.starts_at, s.activity))
    best_failure = None
    for attempt in range(max(1, min(len(syndicates), 8))):
        placed = _place_scenarios(scenarios, syndicates, all_slots, free, unavailable, rotate=attempt)
        if isinstance(placed, list):
            return sorted(sessions + placed, key=lambda s: (s.starts_at, s.activity))
        best_failure = best_failure or placed
    exact = _solve_exact(scenarios, syndicates, all_slots, free, unavailable)
    if exact is not None:
        return sorted(sessions + exact, key=lambda s: (s.starts_at, s.activity))
    syndicate, activity = best_failure
    raise PlanningError(
        f"Could not fit “{activity.title}” for {syndicate.name}: every remaining slot clashes with its "
        f"department's other inputs or unavailable times, the activity's capacity or the lead's other "
        f"syndicate (no double-booking). Add a day, raise the activity's capacity or free the department."
    )


def _session(activity, slot, syndicates):
    end = slot.starts_at + timedelta(minutes=activity.duration_minutes)
    return PlannedSession(activity.id, slot.starts_at, end, tuple(s.id for s in syndicates))


def _rotate_scenarios(scenarios, syndicates, all_slots, free, unavailable):
    """The classic rotation (a Latin square): groups of syndicates move round the scenarios together,
    group g doing scenario (g + k) mod K in the k-th free slot. Syndicates sharing a lead stay in one
    group. Returns the sessions, or None when the rotation breaks a rule (then the greedy search runs)."""
    if not scenarios:
        return []
    units = defaultdict(list)
    for syndicate in syndicates:
        units[("lead", syndicate.lead) if syndicate.lead is not None else ("syndicate", syndicate.id)].append(syndicate)
    capacity = min(a.capacity or len(syndicates) for a in scenarios)
    k = len(scenarios)
    groups = []  # first-fit decreasing, so leads' pairs and singles pack the groups tightly
    for unit in sorted(units.values(), key=lambda members: (-len(members), members[0].id)):
        if len(unit) > capacity:
            return None
        for group in groups:
            if sum(len(u) for u in group) + len(unit) <= capacity:
                group.append(unit)
                break
        else:
            groups.append([unit])
    if len(groups) > k or len(free) < k:
        return None
    sessions = []
    for position in range(k):
        slot = all_slots[free[position]]
        departments = set()
        for g, group in enumerate(groups):
            activity = scenarios[(g + position) % k]
            if not _department_free(activity, slot, unavailable):
                return None
            if activity.department is not None:
                if activity.department in departments:
                    return None
                departments.add(activity.department)
            members = sorted((s for unit in group for s in unit), key=lambda s: s.id)
            sessions.append(_session(activity, slot, members))
    return sessions


def _solve_exact(scenarios, syndicates, all_slots, free, unavailable, *, time_limit=10):
    """Last resort when the rotation and the greedy search both fail: an integer programme (HiGHS via
    scipy) over syndicate groups × scenarios × slots. Syndicates sharing a lead move as one group.
    Returns the sessions, or None when there is no plan (or none found in the time limit)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    units = defaultdict(list)
    for syndicate in syndicates:
        units[("lead", syndicate.lead) if syndicate.lead is not None else ("syndicate", syndicate.id)].append(syndicate)
    units = sorted(units.values(), key=lambda members: members[0].id)
    x = {}  # (unit, activity, slot) -> variable
    y = {}  # (activity, slot) -> variable: the session runs
    for a, activity in enumerate(scenarios):
        for t in free:
            if _department_free(activity, all_slots[t], unavailable):
                y[a, t] = len(y)
    count = len(y)
    for u, unit in enumerate(units):
        for a, activity in enumerate(scenarios):
            if len(unit) > (activity.capacity or len(syndicates)):
                return None
            for t in free:
                if (a, t) in y:
                    x[u, a, t] = count
                    count += 1
    rows, lower, upper = [], [], []

    def constraint(terms, lo, hi):
        rows.append(terms)
        lower.append(lo)
        upper.append(hi)

    for u in range(len(units)):
        for a in range(len(scenarios)):
            constraint([(x[u, a, t], 1) for t in free if (u, a, t) in x], 1, 1)  # each scenario once
        for t in free:
            constraint([(x[u, a, t], 1) for a in range(len(scenarios)) if (u, a, t) in x], 0, 1)  # one place at once
    for (a, t), var in y.items():
        capacity = scenarios[a].capacity or len(syndicates)
        terms = [(x[u, a, t], len(unit)) for u, unit in enumerate(units)] + [(var, -capacity)]
        constraint(terms, -np.inf, 0)  # capacity, and only in a running session
    departments = defaultdict(list)
    for a, activity in enumerate(scenarios):
        if activity.department is not None:
            departments[activity.department].append(a)
    for indexes in departments.values():
        for t in free:
            terms = [(y[a, t], 1) for a in indexes if (a, t) in y]
            if len(terms) > 1:
                constraint(terms, 0, 1)  # a department delivers one session at a time
    matrix = lil_matrix((len(rows), count))
    for r, terms in enumerate(rows):
        for column, value in terms:
            matrix[r, column] = value
    cost = np.zeros(count)  # any plan that keeps every rule: stop at the first one found
    result = milp(
        cost,
        constraints=LinearConstraint(matrix.tocsr(), np.array(lower), np.array(upper)),
        integrality=np.ones(count),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "disp": False},
    )
    if result.x is None or result.status not in (0, 1):
        return None
    sessions = []
    for (a, t), var in sorted(y.items(), key=lambda item: (item[0][1], item[0][0])):
        if result.x[var] < 0.5:
            continue
        members = sorted(
            (s for u, unit in enumerate(units) if result.x[x[u, a, t]] > 0.5 for s in unit), key=lambda s: s.id
        )
        if members:
            sessions.append(_session(scenarios[a], all_slots[t], members))
    return sessions


def _place_scenarios(scenarios, syndicates, all_slots, free, unavailable, *, rotate):
    """Greedy, most-constrained first: slot by slot, the scenarios with the least slack choose the
    syndicates with the most left to do. Returns the sessions, or (syndicate, activity) it could not fit."""
    needs = {s.id: {a.id for a in scenarios} for s in syndicates}
    left = {a.id: len(syndicates) for a in scenarios}
    order = syndicates[rotate:] + syndicates[:rotate]
    rank = {s.id: position for position, s in enumerate(order)}
    place = {i: position for position, i in enumerate(free)}
    open_slots = {a.id: [i for i in free if _department_free(a, all_slots[i], unavailable)] for a in scenarios}
    sessions = []
    for position, index in enumerate(free):
        slot = all_slots[index]
        busy_syndicates, busy_leads, busy_departments = set(), set(), set()

        def slack(activity, index=index, position=position):
            remaining = sum(1 for i in open_slots[activity.id] if place[i] >= position)
            return (remaining * (activity.capacity or len(syndicates)) - left[activity.id], activity.id)

        for activity in sorted((a for a in scenarios if left[a.id]), key=slack):
            if not _department_free(activity, slot, unavailable):
                continue
            if activity.department is not None and activity.department in busy_departments:
                continue
            capacity = activity.capacity or len(syndicates)
            remaining_free = len(free) - position
            takers = [
                s
                for s in order
                if activity.id in needs[s.id]
                and s.id not in busy_syndicates
                and (s.lead is None or s.lead not in busy_leads)
            ]
            takers.sort(key=lambda s: (-(len(needs[s.id]) - remaining_free), -len(needs[s.id]), rank[s.id]))
            # Two syndicates with the same lead may share one session: they stand in one place.
            chosen = takers[:capacity]
            if not chosen:
                continue
            for syndicate in chosen:
                needs[syndicate.id].discard(activity.id)
                busy_syndicates.add(syndicate.id)
                if syndicate.lead is not None:
                    busy_leads.add(syndicate.lead)
            left[activity.id] -= len(chosen)
            if activity.department is not None:
                busy_departments.add(activity.department)
            sessions.append(_session(activity, slot, chosen))
    by_id = {a.id: a for a in scenarios}
    for syndicate in order:
        if needs[syndicate.id]:
            return (syndicate, by_id[min(needs[syndicate.id])])
    return sessions


def check_timetable(sessions, *, activities, syndicates, unavailable=(), slots=DAY_SLOTS, days=()):
    """Every hard rule the generator promises, as a list of broken ones (empty: the plan is sound)."""
    problems = []
    by_id = {a.id: a for a in activities}
    lead_of = {s.id: s.lead for s in syndicates}
    all_ids = {s.id for s in syndicates}
    done = defaultdict(Counter)
    for session in sessions:
        activity = by_id[session.activity]
        for syndicate in session.syndicates:
            done[syndicate][activity.id] += 1
        capacity = activity.capacity or len(all_ids)
        if len(session.syndicates) > capacity:
            problems.append(f"{activity.title} over capacity")
        if activity.kind == DEMONSTRATION and set(session.syndicates) != all_ids:
            problems.append(f"{activity.title} is a demonstration not for everyone")
        day = session.starts_at.date()
        inside = any(
            datetime.combine(day, start) <= session.starts_at and session.ends_at <= datetime.combine(day, end)
            for start, end in slots
        )
        if not inside:
            problems.append(f"{activity.title} at {session.starts_at} is outside the day's slots (breaks/lunch)")
        if days and day not in days:
            problems.append(f"{activity.title} on {day} is not a programme day")
        for u in unavailable:
            if u.department == activity.department and _overlaps(
                session.starts_at, session.ends_at, u.starts_at, u.ends_at
            ):
                problems.append(f"{activity.title} while its department is unavailable")
    for syndicate in all_ids:
        for activity in activities:
            if done[syndicate][activity.id] != 1:
                problems.append(f"syndicate {syndicate} does {activity.title} {done[syndicate][activity.id]} times")
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            if not _overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
                continue
            if set(a.syndicates) & set(b.syndicates):
                problems.append("a syndicate is double-booked")
            leads_a = {lead_of[s] for s in a.syndicates if lead_of[s] is not None}
            leads_b = {lead_of[s] for s in b.syndicates if lead_of[s] is not None}
            if leads_a & leads_b:
                problems.append("a lead is double-booked")
            dept_a, dept_b = by_id[a.activity].department, by_id[b.activity].department
            if dept_a is not None and dept_a == dept_b:
                problems.append("a department is double-booked")
    return problems


def contingency_options(*, cancelled, candidates, sessions, syndicates, unavailable=()):
    """Contingency activities that can stand in for a cancelled session in the same slot.

    A candidate fits when it is short enough for the slot, has room for the affected syndicates,
    its department (if any) is free then and not already delivering, and the affected syndicates
    have not done it already.
    """
    slot = Slot(cancelled.starts_at, cancelled.ends_at)
    length = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    affected = set(cancelled.syndicates)
    busy_departments = {
        s.department
        for s in sessions
        if s.department is not None and _overlaps(s.starts_at, s.ends_at, slot.starts_at, slot.ends_at)
    }
    done = {(syndicate, s.activity) for s in sessions for syndicate in s.syndicates}
    fitting = []
    for activity in sorted(candidates, key=lambda a: (a.title, a.id)):
        capacity = activity.capacity or len(syndicates)
        if activity.duration_minutes > length or capacity < len(affected):
            continue
        if activity.department is not None and (
            activity.department in busy_departments or not _department_free(activity, slot, unavailable)
        ):
            continue
        if any((syndicate, activity.id) in done for syndicate in affected):
            continue
        fitting.append(activity)
    return fitting


@dataclass(frozen=True)
class ScheduledSession:
    """A session as contingency_options sees the rest of the timetable."""

    activity: int
    department: int | None
    starts_at: datetime
    ends_at: datetime
    syndicates: tuple
