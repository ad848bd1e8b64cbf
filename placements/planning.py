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


def _slot_minutes(start, end):
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


# A day's teaching time (the three inputs, breaks and lunch left out) and a morning's.
DAY_MINUTES = sum(_slot_minutes(start, end) for start, end in DAY_SLOTS)
HALF_DAY_MINUTES = sum(_slot_minutes(start, end) for start, end in DAY_SLOTS[:2])
LONGEST_DAYS = 10


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    title: str
    kind: str = SCENARIO
    department: int | None = None
    capacity: int | None = 1  # syndicates at once; None: everyone
    duration_minutes: int = 120
    venue: str = ""
    staff: tuple = ()  # people who deliver it: they can be in one place at a time
    shared_with: str = ""  # people outside the cohort who attend too (a recruits' class): shown, not planned


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
class Busy:
    """A department, person or venue held outside this plan: another programme's session, a department's
    unavailable time, or a week a department may not run. `reason` says why, in plain words."""

    resource: tuple  # ("department", id) | ("person", id) | ("venue", name)
    starts_at: datetime
    ends_at: datetime
    reason: str = ""


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
    part: int = 1  # a long input takes several slots in a row: one session per slot, numbered
    parts: int = 1
    filler: bool = False  # a contingency or community input filling time a syndicate would sit idle


@dataclass(frozen=True)
class IdleSlot:
    """Syndicates with nothing on in a slot, and why nothing could be put there."""

    starts_at: datetime
    ends_at: datetime
    syndicates: tuple
    reason: str


@dataclass(frozen=True)
class WeekPlan:
    sessions: list
    idle: list


def day_slots(days, day_slots=DAY_SLOTS):
    return [Slot(datetime.combine(day, start), datetime.combine(day, end)) for day in days for start, end in day_slots]


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def describe_minutes(minutes):
    """A length in plain words: "2 hours", "half a day (4 hours)", "1 full day", "2 days"."""
    if minutes >= DAY_MINUTES and minutes % DAY_MINUTES == 0:
        days = minutes // DAY_MINUTES
        return "1 full day" if days == 1 else f"{days} days"
    if minutes == HALF_DAY_MINUTES:
        return f"half a day ({HALF_DAY_MINUTES // 60} hours)"
    hours, rest = divmod(minutes, 60)
    words = []
    if hours:
        words.append(f"{hours} hour{'s' * (hours != 1)}")
    if rest:
        words.append(f"{rest} minute{'s' * (rest != 1)}")
    return " ".join(words) or "0 minutes"


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "half": 0.5}


def parse_length(text):
    """Minutes from a length in words ("90", "2 hours", "1 hour 30 minutes", "1.5 h", "half day",
    "full day", "2 days"). Raises PlanningError with a plain message when it cannot be read."""
    import re

    words = " ".join(str(text).lower().replace(",", " ").split())
    if not words:
        raise PlanningError("Give a length, for example “2 hours”, “half day”, “full day” or “2 days”.")
    if words.isdigit():
        return int(words)
    if words in {"half day", "half a day", "a half day", "morning", "a morning"}:
        return HALF_DAY_MINUTES
    if words in {"full day", "a full day", "whole day", "a whole day", "all day", "a day", "day"}:
        return DAY_MINUTES
    total = 0.0
    rest = words
    pattern = re.compile(
        r"^(\d+(?:\.\d+)?|a|an|one|two|three|four|five|half)\s*"
        r"(days?|full days?|d|hours?|hrs?|h|minutes?|mins?|m)\b\s*(?:and\s*)?"
    )
    while rest:
        found = pattern.match(rest)
        if not found:
            raise PlanningError(
                f"“{text}” is not a length we can read. Write it like “90 minutes”, “2 hours”, "
                "“1 hour 30 minutes”, “half day”, “full day” or “3 days”."
            )
        amount, unit = found.groups()
        number = _NUMBER_WORDS[amount] if amount in _NUMBER_WORDS else float(amount)
        if unit.startswith(("d", "full")):
            total += number * DAY_MINUTES
        elif unit.startswith("h"):
            total += number * 60
        else:
            total += number
        rest = rest[found.end() :].strip()
    if total != int(total):
        raise PlanningError("Give the length in whole minutes.")
    return int(total)


def venue_key(venue):
    return " ".join((venue or "").split()).casefold()


def activity_resources(activity):
    """What an input holds while it runs: its department, its venue and the people who deliver it."""
    held = []
    if activity.department is not None:
        held.append(("department", activity.department))
    if venue_key(activity.venue):
        held.append(("venue", venue_key(activity.venue)))
    held.extend(("person", person) for person in activity.staff)
    return tuple(dict.fromkeys(held))


def syndicate_resources(syndicate):
    return (("syndicate", syndicate.id),) + ((("person", syndicate.lead),) if syndicate.lead is not None else ())


class _Board:
    """What is taken in each slot of the plan, and what is held outside it (Busy)."""

    def __init__(self, all_slots, busy=()):
        self.slots = all_slots
        self.taken = [set() for _ in all_slots]
        self.outside = defaultdict(list)
        for item in busy:
            self.outside[item.resource].append(item)
        self._cache = {}

    def copy(self):
        board = _Board.__new__(_Board)
        board.slots, board.outside, board._cache = self.slots, self.outside, self._cache
        board.taken = [set(taken) for taken in self.taken]
        return board

    def held_outside(self, resource, start, end):
        """The Busy that holds `resource` at some moment of [start, end), or None."""
        key = (resource, start, end)
        if key not in self._cache:
            self._cache[key] = next(
                (b for b in self.outside.get(resource, ()) if _overlaps(start, end, b.starts_at, b.ends_at)), None
            )
        return self._cache[key]

    def free(self, resources, parts):
        for index, start, end in parts:
            taken = self.taken[index]
            for resource in resources:
                if resource in taken or self.held_outside(resource, start, end) is not None:
                    return False
        return True

    def take(self, resources, parts):
        for index, _start, _end in parts:
            self.taken[index].update(resources)


def _department_free(activity, slot, unavailable):
    if activity.department is None:
        return True
    end = slot.starts_at + timedelta(minutes=activity.duration_minutes)
    return not any(
        u.department == activity.department and _overlaps(slot.starts_at, end, u.starts_at, u.ends_at)
        for u in unavailable
    )


def _runs(all_slots, per_day, minutes):
    """Where an input of `minutes` can start, and the parts (slot index, start, end) it takes from there.

    It fills slots in a row, so breaks and lunch stay free and it never runs past the day's finish. An
    input that fits in a day stays in one day; a longer one starts in the day's first slot and takes
    whole days in a row, ending on its last day when its time is up.
    """
    runs = {}
    for first in range(len(all_slots)):
        if minutes > DAY_MINUTES and first % per_day:
            continue
        parts, left, index = [], minutes, first
        while left > 0 and index < len(all_slots):
            if minutes <= DAY_MINUTES and index // per_day != first // per_day:
                break
            slot = all_slots[index]
            length = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
            take = min(left, length)
            parts.append((index, slot.starts_at, slot.starts_at + timedelta(minutes=take)))
            left -= take
            index += 1
        if left == 0:
            runs[first] = tuple(parts)
    return runs


def _sessions(activity, parts, members, *, filler=False):
    ids = tuple(s.id for s in members)
    return [
        PlannedSession(activity.id, start, end, ids, part=number, parts=len(parts), filler=filler)
        for number, (_index, start, end) in enumerate(parts, start=1)
    ]


def _units(syndicates):
    """Syndicates that share a lead stand in one place, so they move together where they can."""
    units = defaultdict(list)
    for syndicate in syndicates:
        units[("lead", syndicate.lead) if syndicate.lead is not None else ("syndicate", syndicate.id)].append(syndicate)
    return sorted(units.values(), key=lambda members: members[0].id)


def _groups(syndicates, capacity):
    """Lead units packed first-fit-decreasing into groups of at most `capacity` (a unit bigger than
    the capacity is split: its lead is then with one part at a time)."""
    pieces = []
    for unit in _units(syndicates):
        pieces.extend(unit[i : i + capacity] for i in range(0, len(unit), capacity))
    groups = []
    for piece in sorted(pieces, key=lambda members: (-len(members), members[0].id)):
        for group in groups:
            if len(group) + len(piece) <= capacity:
                group.extend(piece)
                break
        else:
            groups.append(list(piece))
    return [sorted(group, key=lambda s: s.id) for group in groups]


def _outside_busy(unavailable, busy):
    items = [
        Busy(("department", u.department), u.starts_at, u.ends_at, "the department is unavailable then")
        for u in unavailable
    ]
    return items + list(busy)


def generate_timetable(*, days, activities, syndicates, unavailable=(), slots=DAY_SLOTS, busy=(), fillers=()):
    """Sessions in which every syndicate does every scenario once and sees every demonstration.

    See plan_week, which also says which slots stay free and why.
    """
    return plan_week(
        days=days,
        activities=activities,
        syndicates=syndicates,
        unavailable=unavailable,
        slots=slots,
        busy=busy,
        fillers=fillers,
    ).sessions


def plan_week(*, days, activities, syndicates, unavailable=(), slots=DAY_SLOTS, busy=(), fillers=()):
    """The week's sessions, and the slots where a syndicate still has nothing on (with the reason).

    Hard rules: no syndicate, lead, delivering person, department or venue in two places at once,
    counting what other programmes (`busy`) hold; an activity never takes more syndicates than its
    capacity; a department's unavailable times are avoided; inputs sit inside the day's slots, so
    breaks and lunch stay free, and an input longer than a slot takes slots in a row (a whole day, or
    several days in a row). Then idle slots are filled from `fillers` (contingency and community
    inputs, each at most once per syndicate). Raises PlanningError naming the rule that cannot be met.
    """
    if not syndicates:
        raise PlanningError("There are no syndicates to timetable: build the syndicates first.")
    if not activities:
        raise PlanningError("Choose at least one activity for the timetable.")
    all_slots = day_slots(days, slots)
    if not all_slots:
        raise PlanningError("The programme has no working days to timetable.")
    per_day = len(slots)
    slot_minutes = max(_slot_minutes(start, end) for start, end in slots)
    runs_for = {}
    for activity in list(activities) + list(fillers):
        if activity.duration_minutes not in runs_for:
            runs_for[activity.duration_minutes] = _runs(all_slots, per_day, activity.duration_minutes)
    for activity in activities:
        if not runs_for[activity.duration_minutes]:
            raise PlanningError(
                f"“{activity.title}” lasts {describe_minutes(activity.duration_minutes)}, longer than the "
                f"programme's {len(days)} working day(s) allow ({describe_minutes(DAY_MINUTES)} of inputs a day, "
                "between breaks)."
            )
    demonstrations = sorted((a for a in activities if a.kind == DEMONSTRATION), key=lambda a: a.id)
    scenarios = sorted((a for a in activities if a.kind != DEMONSTRATION), key=lambda a: a.id)
    long_scenarios = sorted(
        (a for a in scenarios if a.duration_minutes > slot_minutes), key=lambda a: (-a.duration_minutes, a.id)
    )
    scenarios = [a for a in scenarios if a.duration_minutes <= slot_minutes]
    unavailable = tuple(unavailable)
    syndicates = sorted(syndicates, key=lambda s: s.id)
    board = _Board(all_slots, _outside_busy(unavailable, busy))
    everyone = tuple(dict.fromkeys(r for s in syndicates for r in syndicate_resources(s)))

    sessions = []
    demo_days = Counter()

    def place_demonstration(activity):
        if activity.capacity is not None and activity.capacity < len(syndicates):
            raise PlanningError(
                f"The demonstration “{activity.title}” takes {activity.capacity} syndicate(s) at once but is for "
                f"all {len(syndicates)} (activity capacity): make it a scenario or raise its capacity."
            )
        held = activity_resources(activity) + everyone
        runs = runs_for[activity.duration_minutes]
        candidates = [i for i, parts in runs.items() if board.free(held, parts)]
        if not candidates:
            raise PlanningError(
                f"No slot left for the demonstration “{activity.title}”: its department is unavailable "
                f"or every slot is already taken (department unavailability)."
                + _outside_note(board, activity_resources(activity), runs)
            )
        # Demonstrations go last in the day where possible, spread over the week.
        index = min(candidates, key=lambda i: (demo_days[i // per_day], -(i % per_day), i))
        parts = runs[index]
        for part_index, _start, _end in parts:
            demo_days[part_index // per_day] += 1
        board.take(held, parts)
        sessions.extend(_sessions(activity, parts, syndicates))

    # Long inputs first (they need whole runs of slots), then the two-hour demonstrations around them.
    for activity in demonstrations:
        if activity.duration_minutes > slot_minutes:
            place_demonstration(activity)

    for activity in long_scenarios:
        runs = runs_for[activity.duration_minutes]
        own = activity_resources(activity)
        for group in _groups(syndicates, activity.capacity or len(syndicates)):
            held = own + tuple(r for s in group for r in syndicate_resources(s))
            start = next((i for i in sorted(runs) if board.free(held, runs[i])), None)
            if start is None:
                names = ", ".join(s.name for s in group)
                raise PlanningError(
                    f"Could not fit “{activity.title}” ({describe_minutes(activity.duration_minutes)}) for {names}: "
                    "no run of slots in a row where they, their lead, the department, the venue and the staff are "
                    "all free (no double-booking, department unavailability). Add a day or free the department."
                    + _outside_note(board, own, runs)
                )
            board.take(held, runs[start])
            sessions.extend(_sessions(activity, runs[start], group))

    for activity in demonstrations:
        if activity.duration_minutes <= slot_minutes:
            place_demonstration(activity)

    if scenarios:
        sessions.extend(_plan_scenarios(scenarios, syndicates, all_slots, per_day, board, unavailable))
    by_id = {a.id: a for a in activities}
    for session in sessions:  # the search works on copies of the board: record what it placed
        index = _slot_index(all_slots, per_day, session.starts_at)
        held = [r for s in syndicates if s.id in session.syndicates for r in syndicate_resources(s)]
        board.taken[index].update(held + list(activity_resources(by_id[session.activity])))
    added, idle = _fill_idle(board, syndicates, fillers, all_slots, sessions)
    return WeekPlan(sorted(sessions + added, key=lambda s: (s.starts_at, s.activity)), idle)


def _slot_index(all_slots, per_day, moment):
    for index, slot in enumerate(all_slots):
        if slot.starts_at <= moment < slot.ends_at:
            return index
    return None


def _outside_note(board, resources, runs):
    """The first reason held outside this plan that stands in an input's way, as a sentence (or "")."""
    for parts in runs.values():
        for _index, start, end in parts:
            for resource in resources:
                held = board.held_outside(resource, start, end)
                if held is not None and held.reason:
                    return f" For example: {held.reason}."
    return ""


def _plan_scenarios(scenarios, syndicates, all_slots, per_day, board, unavailable):
    """Every syndicate does every one-slot scenario once, in the slots left after demonstrations and long inputs."""
    everyone = tuple(dict.fromkeys(r for s in syndicates for r in syndicate_resources(s)))
    # Scenarios fill the same time of day across the week first (every morning, then late
    # mornings), so days stay alike and departments are asked for the same hours each day.
    free = sorted(
        (i for i in range(len(all_slots)) if any(("syndicate", s.id) not in board.taken[i] for s in syndicates)),
        key=lambda i: (i % per_day, i // per_day),
    )
    open_per_syndicate = min(sum(1 for i in free if ("syndicate", s.id) not in board.taken[i]) for s in syndicates)
    if len(scenarios) > open_per_syndicate:
        raise PlanningError(
            f"Each syndicate needs {len(scenarios)} scenario slots but only {open_per_syndicate} are left after "
            f"demonstrations, long sessions, breaks and lunch (not enough days)."
        )

    def part(activity, index):
        start = all_slots[index].starts_at
        return ((index, start, start + timedelta(minutes=activity.duration_minutes)),)

    for activity in scenarios:
        open_slots = sum(1 for i in free if board.free(activity_resources(activity), part(activity, i)))
        capacity = activity.capacity or len(syndicates)
        if open_slots * capacity < len(syndicates):
            raise PlanningError(
                f"“{activity.title}” takes {capacity} syndicate(s) at once and its department is free in "
                f"{open_slots} slot(s): {open_slots * capacity} places for {len(syndicates)} syndicates "
                f"(activity capacity)."
                + _outside_note(board, activity_resources(activity), {i: part(activity, i) for i in free})
            )
    load = defaultdict(list)
    for activity in scenarios:
        if activity.department is not None:
            load[activity.department].append(activity)
    for _department, delivered in sorted(load.items()):
        needed = sum(math.ceil(len(syndicates) / (a.capacity or len(syndicates))) for a in delivered)
        open_slots = sum(1 for i in free if any(board.free(activity_resources(a), part(a, i)) for a in delivered))
        if needed > open_slots:
            titles = ", ".join(f"“{a.title}”" for a in delivered)
            raise PlanningError(
                f"The department delivering {titles} would need {needed} sessions but can only be in one place "
                f"at a time and is free in {open_slots} slot(s) (department double-booking)."
            )
    common = [i for i in free if not (set(everyone) & board.taken[i])]
    if len(common) == len(free):
        rotation = _rotate_scenarios(scenarios, syndicates, all_slots, free, unavailable, board=board)
        if rotation is not None:
            return rotation
    best_failure = None
    for attempt in range(max(1, min(len(syndicates), 8))):
        placed = _place_scenarios(scenarios, syndicates, all_slots, free, unavailable, rotate=attempt, board=board)
        if isinstance(placed, list):
            return placed
        best_failure = best_failure or placed
    exact = _solve_exact(scenarios, syndicates, all_slots, free, unavailable, board=board)
    if exact is not None:
        return exact
    syndicate, activity = best_failure
    raise PlanningError(
        f"Could not fit “{activity.title}” for {syndicate.name}: every remaining slot clashes with its "
        f"department's other inputs or unavailable times, the activity's capacity or the lead's other "
        f"syndicate (no double-booking). Add a day, raise the activity's capacity or free the department."
    )


def _one_part(activity, slot, index):
    return ((index, slot.starts_at, slot.starts_at + timedelta(minutes=activity.duration_minutes)),)


def _rotate_scenarios(scenarios, syndicates, all_slots, free, unavailable, *, board=None):
    """The classic rotation (a Latin square): groups of syndicates move round the scenarios together,
    group g doing scenario (g + k) mod K in the k-th free slot. Syndicates sharing a lead stay in one
    group. Returns the sessions, or None when the rotation breaks a rule (then the greedy search runs)."""
    if not scenarios:
        return []
    board = board or _Board(all_slots, _outside_busy(unavailable, ()))
    units = _units(syndicates)
    capacity = min(a.capacity or len(syndicates) for a in scenarios)
    k = len(scenarios)
    groups = []  # first-fit decreasing, so leads' pairs and singles pack the groups tightly
    for unit in sorted(units, key=lambda members: (-len(members), members[0].id)):
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
    trial = board.copy()
    for position in range(k):
        index = free[position]
        slot = all_slots[index]
        for g, group in enumerate(groups):
            activity = scenarios[(g + position) % k]
            members = sorted((s for unit in group for s in unit), key=lambda s: s.id)
            held = activity_resources(activity) + tuple(r for s in members for r in syndicate_resources(s))
            parts = _one_part(activity, slot, index)
            if not trial.free(held, parts):
                return None
            trial.take(held, parts)
            sessions.append(PlannedSession(activity.id, parts[0][1], parts[0][2], tuple(s.id for s in members)))
    board.taken = trial.taken
    return sessions


def _solve_exact(scenarios, syndicates, all_slots, free, unavailable, *, board=None, time_limit=10):
    """Last resort when the rotation and the greedy search both fail: an integer programme (HiGHS via
    scipy) over syndicate groups × scenarios × slots. Syndicates sharing a lead move as one group.
    Returns the sessions, or None when there is no plan (or none found in the time limit)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    board = board or _Board(all_slots, _outside_busy(unavailable, ()))
    units = _units(syndicates)
    x = {}  # (unit, activity, slot) -> variable
    y = {}  # (activity, slot) -> variable: the session runs
    for a, activity in enumerate(scenarios):
        for t in free:
            if board.free(activity_resources(activity), _one_part(activity, all_slots[t], t)):
                y[a, t] = len(y)
    count = len(y)
    for u, unit in enumerate(units):
        held = tuple(r for s in unit for r in syndicate_resources(s))
        for a, activity in enumerate(scenarios):
            if len(unit) > (activity.capacity or len(syndicates)):
                return None
            for t in free:
                if (a, t) in y and board.free(held, _one_part(activity, all_slots[t], t)):
                    x[u, a, t] = count
                    count += 1
    rows, lower, upper = [], [], []

    def constraint(terms, lo, hi):
        rows.append(terms)
        lower.append(lo)
        upper.append(hi)

    for u in range(len(units)):
        for a in range(len(scenarios)):
            terms = [(x[u, a, t], 1) for t in free if (u, a, t) in x]
            if not terms:
                return None
            constraint(terms, 1, 1)  # each scenario once
        for t in free:
            terms = [(x[u, a, t], 1) for a in range(len(scenarios)) if (u, a, t) in x]
            if len(terms) > 1:
                constraint(terms, 0, 1)  # one place at once
    for (a, t), var in y.items():
        capacity = scenarios[a].capacity or len(syndicates)
        terms = [(x[u, a, t], len(unit)) for u, unit in enumerate(units) if (u, a, t) in x] + [(var, -capacity)]
        constraint(terms, -np.inf, 0)  # capacity, and only in a running session
    holders = defaultdict(list)  # department, venue or person -> scenarios that hold it
    for a, activity in enumerate(scenarios):
        for resource in activity_resources(activity):
            holders[resource].append(a)
    lead_unit = {("person", unit[0].lead): u for u, unit in enumerate(units) if unit[0].lead is not None}
    for resource, indexes in holders.items():
        for t in free:
            terms = [(y[a, t], 1) for a in indexes if (a, t) in y]
            u = lead_unit.get(resource)
            if u is not None:  # a lead who delivers one scenario cannot be leading in another meanwhile
                terms += [(x[u, a, t], 1) for a in range(len(scenarios)) if a not in indexes and (u, a, t) in x]
            if len(terms) > 1:
                constraint(terms, 0, 1)  # one place at a time
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
            (s for u, unit in enumerate(units) if (u, a, t) in x and result.x[x[u, a, t]] > 0.5 for s in unit),
            key=lambda s: s.id,
        )
        if members:
            parts = _one_part(scenarios[a], all_slots[t], t)
            held = activity_resources(scenarios[a]) + tuple(r for s in members for r in syndicate_resources(s))
            board.take(held, parts)
            sessions.extend(_sessions(scenarios[a], parts, members))
    return sessions


def _place_scenarios(scenarios, syndicates, all_slots, free, unavailable, *, rotate, board=None):
    """Greedy, most-constrained first: slot by slot, the scenarios with the least slack choose the
    syndicates with the most left to do. Returns the sessions, or (syndicate, activity) it could not fit."""
    board = (board or _Board(all_slots, _outside_busy(unavailable, ()))).copy()
    needs = {s.id: {a.id for a in scenarios} for s in syndicates}
    left = {a.id: len(syndicates) for a in scenarios}
    order = syndicates[rotate:] + syndicates[:rotate]
    rank = {s.id: position for position, s in enumerate(order)}
    place = {i: position for position, i in enumerate(free)}
    own = {a.id: activity_resources(a) for a in scenarios}
    held_by = {s.id: syndicate_resources(s) for s in syndicates}
    open_slots = {a.id: [i for i in free if board.free(own[a.id], _one_part(a, all_slots[i], i))] for a in scenarios}
    sessions = []
    for position, index in enumerate(free):
        slot = all_slots[index]
        whole = ((index, slot.starts_at, slot.ends_at),)
        open_count = {s.id: sum(1 for i in free[position:] if ("syndicate", s.id) not in board.taken[i]) for s in order}

        def slack(activity, position=position):
            remaining = sum(1 for i in open_slots[activity.id] if place[i] >= position)
            return (remaining * (activity.capacity or len(syndicates)) - left[activity.id], activity.id)

        for activity in sorted((a for a in scenarios if left[a.id]), key=slack):
            parts = _one_part(activity, slot, index)
            if not board.free(own[activity.id], parts):
                continue
            capacity = activity.capacity or len(syndicates)
            takers = [s for s in order if activity.id in needs[s.id] and board.free(held_by[s.id], whole)]
            takers.sort(key=lambda s: (-(len(needs[s.id]) - open_count[s.id]), -len(needs[s.id]), rank[s.id]))
            # Two syndicates with the same lead may share one session: they stand in one place.
            chosen = takers[:capacity]
            if not chosen:
                continue
            for syndicate in chosen:
                needs[syndicate.id].discard(activity.id)
            left[activity.id] -= len(chosen)
            board.take(own[activity.id] + tuple(r for s in chosen for r in held_by[s.id]), parts)
            sessions.append(PlannedSession(activity.id, parts[0][1], parts[0][2], tuple(s.id for s in chosen)))
    by_id = {a.id: a for a in scenarios}
    for syndicate in order:
        if needs[syndicate.id]:
            return (syndicate, by_id[min(needs[syndicate.id])])
    return sessions


# --- idle time ---------------------------------------------------------------------------------


def _fill_idle(board, syndicates, fillers, all_slots, sessions):
    """Put contingency and community inputs where syndicates have nothing on (each at most once per
    syndicate, one slot long); returns (the added sessions, IdleSlot for what stays free)."""
    fillers = sorted(fillers, key=lambda a: (a.title, a.id))
    done = defaultdict(set)
    filler_ids = {a.id for a in fillers}
    for session in sessions:
        if session.activity in filler_ids:
            for syndicate in session.syndicates:
                done[syndicate].add(session.activity)
    added, idle = [], []
    units = _units(syndicates)
    for index, slot in enumerate(all_slots):
        whole = ((index, slot.starts_at, slot.ends_at),)
        length = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
        idle_here = [s for s in syndicates if board.free(syndicate_resources(s), whole)]
        # The inputs the most idle syndicates still need go first, the ones with the least room first.
        wanted = sorted(
            fillers,
            key=lambda a: (-sum(1 for s in idle_here if a.id not in done[s.id]), a.capacity or len(syndicates)),
        )
        for filler in wanted:
            if filler.duration_minutes > length:
                continue
            parts = _one_part(filler, slot, index)
            own = activity_resources(filler)
            if not board.free(own, parts):
                continue
            room = filler.capacity or len(syndicates)
            chosen = []
            for unit in units:
                members = [s for s in unit if filler.id not in done[s.id] and board.free(syndicate_resources(s), whole)]
                members = members[: room - len(chosen)]
                chosen.extend(members)
                if len(chosen) >= room:
                    break
            if not chosen:
                continue
            chosen.sort(key=lambda s: s.id)
            board.take(own + tuple(r for s in chosen for r in syndicate_resources(s)), parts)
            for syndicate in chosen:
                done[syndicate.id].add(filler.id)
            added.extend(_sessions(filler, parts, chosen, filler=True))
        reasons = defaultdict(list)
        for syndicate in syndicates:
            if ("syndicate", syndicate.id) in board.taken[index]:
                continue
            reasons[_idle_reason(board, syndicate, index, slot, fillers, done, length)].append(syndicate.id)
        for reason, members in reasons.items():
            idle.append(IdleSlot(slot.starts_at, slot.ends_at, tuple(members), reason))
    return added, idle


def _idle_reason(board, syndicate, index, slot, fillers, done, length):
    whole = ((index, slot.starts_at, slot.ends_at),)
    if syndicate.lead is not None and not board.free((("person", syndicate.lead),), whole):
        held = board.held_outside(("person", syndicate.lead), slot.starts_at, slot.ends_at)
        where = f" ({held.reason})" if held is not None and held.reason else " with another syndicate"
        return f"Their lead is needed elsewhere then{where}, so nothing can be added for them."
    if not fillers:
        return "There is no contingency or community activity in the catalogue to fill it."
    left = [f for f in fillers if f.id not in done[syndicate.id]]
    if not left:
        return "They have already done every contingency and community activity."
    why = []
    for filler in left:
        if filler.duration_minutes > length:
            why.append(f"“{filler.title}” is too long for the slot")
            continue
        parts = _one_part(filler, slot, index)
        blocked = next(
            (r for r in activity_resources(filler) if not board.free((r,), parts)),
            None,
        )
        if blocked is None:
            why.append(f"“{filler.title}” is full")
            continue
        held = board.held_outside(blocked, parts[0][1], parts[0][2])
        what = {"department": "its department", "venue": "its venue", "person": "the person who delivers it"}[
            blocked[0]
        ]
        why.append(f"“{filler.title}”: {what} {'is ' + held.reason if held and held.reason else 'is busy then'}")
    shown = "; ".join(why[:3]) + (f"; and {len(why) - 3} more" if len(why) > 3 else "")
    return f"No contingency or community activity they have not done can run then ({shown})."


def idle_report(*, days, sessions, activities, syndicates, fillers=(), busy=(), slots=DAY_SLOTS):
    """For a timetable already made: what could still fill idle slots, and what stays free and why."""
    all_slots = day_slots(days, slots)
    per_day = len(slots)
    board = _Board(all_slots, busy)
    by_id = {a.id: a for a in list(activities) + list(fillers)}
    lead_of = {s.id: s for s in syndicates}
    for session in sessions:
        activity = by_id.get(session.activity)
        held = activity_resources(activity) if activity else ()
        held += tuple(r for sid in session.syndicates if sid in lead_of for r in syndicate_resources(lead_of[sid]))
        for index, slot in enumerate(all_slots):
            if _overlaps(session.starts_at, session.ends_at, slot.starts_at, slot.ends_at):
                board.taken[index].update(held)
    del per_day
    return _fill_idle(board, sorted(syndicates, key=lambda s: s.id), fillers, all_slots, sessions)


# --- checks --------------------------------------------------------------------------------------


def _held(session, by_id, syndicate_of):
    activity = by_id[session.activity]
    held = set(activity_resources(activity))
    for syndicate in session.syndicates:
        if syndicate in syndicate_of:
            held.update(syndicate_resources(syndicate_of[syndicate]))
    return held


def double_bookings(programmes):
    """Double-bookings across programmes: every pair of overlapping sessions (of one programme or
    several) that hold the same syndicate, person (lead or staff), department or venue.

    `programmes` is a list of (sessions, activities, syndicates)."""
    items = []
    for sessions, activities, syndicates in programmes:
        by_id = {a.id: a for a in activities}
        syndicate_of = {s.id: s for s in syndicates}
        items.extend((s.starts_at, s.ends_at, _held(s, by_id, syndicate_of)) for s in sessions)
    items.sort(key=lambda item: item[0])
    problems = []
    for i, (start, end, held) in enumerate(items):
        for other_start, other_end, other in items[i + 1 :]:
            if other_start >= end:
                break
            if _overlaps(start, end, other_start, other_end):
                for kind, _name in sorted(held & other, key=str):
                    problems.append(f"a {'lead' if kind == 'person' else kind} is double-booked")
    return problems


def check_timetable(sessions, *, activities, syndicates, unavailable=(), slots=DAY_SLOTS, days=(), busy=(), fillers=()):
    """Every hard rule the generator promises, as a list of broken ones (empty: the plan is sound)."""
    problems = []
    by_id = {a.id: a for a in list(activities) + list(fillers)}
    all_ids = {s.id for s in syndicates}
    done = defaultdict(Counter)
    minutes = defaultdict(Counter)
    filler_ids = {a.id for a in fillers}
    for session in sessions:
        activity = by_id[session.activity]
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        for syndicate in session.syndicates:
            if session.part == 1:
                done[syndicate][activity.id] += 1
            minutes[syndicate][activity.id] += length
        capacity = activity.capacity or len(all_ids)
        if len(session.syndicates) > capacity:
            problems.append(f"{activity.title} over capacity")
        if activity.kind == DEMONSTRATION and activity.id not in filler_ids and set(session.syndicates) != all_ids:
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
        held = set(activity_resources(activity)) | {
            r for s in syndicates if s.id in session.syndicates for r in syndicate_resources(s)
        }
        for item in busy:
            if item.resource in held and _overlaps(session.starts_at, session.ends_at, item.starts_at, item.ends_at):
                problems.append(f"{activity.title} while {item.resource} is held elsewhere")
    for syndicate in all_ids:
        for activity in activities:
            if done[syndicate][activity.id] != 1:
                problems.append(f"syndicate {syndicate} does {activity.title} {done[syndicate][activity.id]} times")
            elif minutes[syndicate][activity.id] != activity.duration_minutes:
                problems.append(f"syndicate {syndicate} has {activity.title} for the wrong length")
        for filler in fillers:
            if done[syndicate][filler.id] > 1:
                problems.append(f"syndicate {syndicate} does the filler {filler.title} twice")
    problems.extend(double_bookings([(sessions, list(by_id.values()), syndicates)]))
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


def bookings_busy(sessions, *, activities, syndicates, reason):
    """What a made timetable holds (departments, venues, delivering staff, leads), as Busy for planning another."""
    by_id = {a.id: a for a in activities}
    lead_of = {s.id: s.lead for s in syndicates}
    items = []
    for session in sessions:
        held = set(activity_resources(by_id[session.activity]))
        held.update(("person", lead_of[s]) for s in session.syndicates if lead_of.get(s) is not None)
        items.extend(Busy(r, session.starts_at, session.ends_at, reason) for r in sorted(held, key=str))
    return items


def consecutive_week_busy(*, department, booked_days, days, reason):
    """A department that cannot run weeks in a row is held on every day of `days` in the week before or
    after a week it is booked in elsewhere (`booked_days`); the same week is not held by this rule."""
    booked_weeks = {d.isocalendar()[:2] for d in booked_days}
    items = []
    for day in days:
        week = day.isocalendar()[:2]
        if week in booked_weeks:
            continue
        monday = day - timedelta(days=day.weekday())
        neighbours = {(monday - timedelta(days=7)).isocalendar()[:2], (monday + timedelta(days=7)).isocalendar()[:2]}
        if neighbours & booked_weeks:
            start = datetime.combine(day, time(0, 0))
            items.append(Busy(("department", department), start, start + timedelta(days=1), reason))
    return items
