"""The selection assistant: proposes a cohort from plain data, with one line of reasoning per pick.

A pure function, so it is deterministic and easy to test: the same candidates in any order give
the same proposal. Rules, in order:
1. only candidates with participation consent can be picked;
2. the reserved SEND places are filled first, from SEND schools;
3. no institution gets more than its cap;
4. among the rest, spread across areas first, then favour higher deprivation (low IDACI decile,
   high free-school-meals share), then the earlier nomination;
5. everyone who did not pick police as their first choice is flagged (the 2025 survey bias).

`propose_weeks` does the same for a round of linked weeks fed by one nomination round: a student is
picked only if everyone picked can still be given a week they said they could do, and the picks are
then shared out between the weeks, first choices before second ones.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Candidate:
    id: int
    institution_id: int
    institution_name: str = ""
    area: str = ""
    is_send: bool = False
    idaci_decile: int | None = None
    fsm_pct: Decimal | float | None = None
    police_first_choice: bool = True
    has_consent: bool = False
    weeks: tuple[int, ...] = ()  # the weeks the student can do, first choice first; empty: any week


@dataclass(frozen=True)
class Week:
    """One week of a round: its free places and the SEND places still reserved in it."""

    id: int
    capacity: int
    reserved_send: int = 0
    label: str = ""


@dataclass
class Pick:
    candidate: Candidate
    selected: bool
    reason: str
    waitlist_rank: int | None = None
    flags: list = field(default_factory=list)
    week_id: int | None = None
    week_note: str = ""  # linked weeks: "Week 2: Mon 27 July – Fri 31 July (first choice)", also ending `reason`

    @property
    def basis(self) -> str:
        """The reason without its week note, for a page that shows the week in a column of its own."""
        return self.reason.removesuffix(f"; {self.week_note}") if self.week_note else self.reason


def _deprivation_key(candidate):
    """Lower sorts first: most deprived area, then most free-school meals; unknowns last."""
    decile = candidate.idaci_decile if candidate.idaci_decile is not None else 11
    fsm = -float(candidate.fsm_pct) if candidate.fsm_pct is not None else 1.0
    return (decile, fsm)


def _describe(candidate):
    parts = []
    if candidate.idaci_decile is not None:
        parts.append(f"IDACI decile {candidate.idaci_decile}")
    if candidate.fsm_pct is not None:
        parts.append(f"{float(candidate.fsm_pct):.0f}% FSM")
    return ", ".join(parts) or "no deprivation data"


def _choose(eligible, *, capacity, reserved_send, cap_per_institution, fits=None, on_take=None):
    """Pick up to `capacity` of `eligible` by the rules above.

    `fits(candidate)` may refuse a candidate; `on_take(candidate)` hears of each one taken.
    """
    per_institution = {}
    per_area = {}
    chosen = []
    reasons = {}

    def pick_from(group, how_many, label):
        taken = 0
        remaining = list(group)
        while taken < how_many and len(chosen) < capacity:
            open_ = [
                c
                for c in remaining
                if (cap_per_institution is None or per_institution.get(c.institution_id, 0) < cap_per_institution)
                and (fits is None or fits(c))
            ]
            if not open_:
                return
            best = min(
                open_,
                key=lambda c: (
                    per_area.get(c.area, 0),
                    per_institution.get(c.institution_id, 0),
                    _deprivation_key(c),
                    c.id,
                ),
            )
            remaining.remove(best)
            area_note = (
                f"first pick from area {best.area or 'unknown'}"
                if per_area.get(best.area, 0) == 0
                else f"area {best.area or 'unknown'} already has {per_area[best.area]}"
            )
            reasons[best.id] = f"{label}; {_describe(best)}; {area_note}"
            per_institution[best.institution_id] = per_institution.get(best.institution_id, 0) + 1
            per_area[best.area] = per_area.get(best.area, 0) + 1
            chosen.append(best)
            if on_take is not None:
                on_take(best)
            taken += 1

    send_pool = [c for c in eligible if c.is_send]
    pick_from(send_pool, min(reserved_send, capacity), "Reserved SEND place")
    rest = [c for c in eligible if c not in chosen]
    pick_from(rest, capacity - len(chosen), "Open place")
    return chosen, reasons, per_institution


def _at_cap(candidate, per_institution, cap_per_institution):
    return cap_per_institution is not None and per_institution.get(candidate.institution_id, 0) >= cap_per_institution


def propose_cohort(candidates, *, capacity, reserved_send=0, cap_per_institution=None):
    """Return one Pick per candidate (selected first, then the waiting list, then the ineligible)."""
    pool = sorted(candidates, key=lambda c: c.id)
    eligible = [c for c in pool if c.has_consent]
    chosen, reasons, per_institution = _choose(
        eligible, capacity=capacity, reserved_send=reserved_send, cap_per_institution=cap_per_institution
    )
    chosen_ids = {c.id for c in chosen}
    waiting = sorted((c for c in eligible if c.id not in chosen_ids), key=lambda c: (_deprivation_key(c), c.id))
    picks = []
    for candidate in chosen:
        picks.append(Pick(candidate, True, reasons[candidate.id], flags=_flags(candidate)))
    for rank, candidate in enumerate(waiting, start=1):
        why = (
            "institution already at its cap"
            if _at_cap(candidate, per_institution, cap_per_institution)
            else "cohort full"
        )
        picks.append(
            Pick(candidate, False, f"Waiting list {rank}: {why}; {_describe(candidate)}", rank, _flags(candidate))
        )
    for candidate in pool:
        if not candidate.has_consent:
            picks.append(Pick(candidate, False, "Cannot be offered: no participation consent", flags=_flags(candidate)))
    return picks


MAX_WEEKS = 8  # the feasibility check looks at every set of weeks: 2^8 is still nothing
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def acceptable_weeks(candidate, week_ids):
    """The weeks of this round the candidate can do, first choice first (every week if they said any)."""
    if not candidate.weeks:
        return tuple(sorted(week_ids))
    return tuple(w for w in dict.fromkeys(candidate.weeks) if w in week_ids)


def propose_weeks(candidates, weeks, *, cap_per_institution=None):
    """Fill every week of a round: one Pick per candidate, each selected one with the week it goes to.

    The students are chosen as propose_cohort chooses them across all the weeks' free places, but a
    student is taken only if everyone taken so far can still have a week they said they could do
    (Hall's condition on the weeks, checked for every set of weeks). The chosen students are then
    shared out with the fewest and smallest compromises: everyone in their first choice if possible,
    and students happy with any week spread evenly. One waiting list serves the whole round.
    """
    weeks = sorted(weeks, key=lambda w: w.id)
    if len(weeks) > MAX_WEEKS:
        raise ValueError(f"A round has at most {MAX_WEEKS} weeks.")
    week_ids = {w.id for w in weeks}
    bit = {w.id: 1 << i for i, w in enumerate(weeks)}
    full_mask = (1 << len(weeks)) - 1
    room = [sum(w.capacity for w in weeks if mask & bit[w.id]) for mask in range(full_mask + 1)]
    pool = sorted(candidates, key=lambda c: c.id)
    eligible = [c for c in pool if c.has_consent]
    accepts = {c.id: acceptable_weeks(c, week_ids) for c in pool}
    masks = {c.id: sum(bit[w] for w in accepts[c.id]) for c in pool}
    taken_by_mask = {}  # how many chosen students can do exactly this set of weeks

    def fits(candidate):
        mine = masks[candidate.id]
        if not mine:
            return False
        # Only the sets of weeks that include all of this student's weeks gain a student.
        return all(
            1 + sum(n for m, n in taken_by_mask.items() if m & superset == m) <= room[superset]
            for superset in range(full_mask + 1)
            if superset & mine == mine
        )

    def on_take(candidate):
        taken_by_mask[masks[candidate.id]] = taken_by_mask.get(masks[candidate.id], 0) + 1

    chosen, reasons, per_institution = _choose(
        eligible,
        capacity=sum(w.capacity for w in weeks),
        reserved_send=sum(min(w.reserved_send, w.capacity) for w in weeks),
        cap_per_institution=cap_per_institution,
        fits=fits,
        on_take=on_take,
    )
    placed = _share_out(chosen, weeks, accepts)
    labels = {w.id: w.label or f"week {w.id}" for w in weeks}
    chosen_ids = {c.id for c in chosen}
    picks = []
    for candidate in chosen:
        week_id = placed[candidate.id]
        if candidate.weeks:
            rank = accepts[candidate.id].index(week_id)
            choice = f"{_ORDINALS[rank] if rank < len(_ORDINALS) else 'a later'} choice"
        else:
            choice = "any week suits"
        note = f"{labels[week_id]} ({choice})"
        picks.append(
            Pick(
                candidate,
                True,
                f"{reasons[candidate.id]}; {note}",
                flags=_flags(candidate),
                week_id=week_id,
                week_note=note,
            )
        )
    waiting = sorted((c for c in eligible if c.id not in chosen_ids), key=lambda c: (_deprivation_key(c), c.id))
    for rank, candidate in enumerate(waiting, start=1):
        if not masks[candidate.id]:
            why = "none of the weeks they can do is in this round"
        elif _at_cap(candidate, per_institution, cap_per_institution):
            why = "institution already at its cap"
        elif len(accepts[candidate.id]) < len(weeks):
            why = "the weeks they can do are full"
        else:
            why = "every week full"
        picks.append(
            Pick(candidate, False, f"Waiting list {rank}: {why}; {_describe(candidate)}", rank, _flags(candidate))
        )
    for candidate in pool:
        if not candidate.has_consent:
            picks.append(Pick(candidate, False, "Cannot be offered: no participation consent", flags=_flags(candidate)))
    return picks


def _share_out(chosen, weeks, accepts):
    """Give each chosen student a week they can do: fewest compromises, then the weeks evenly filled.

    A minimum-cost assignment over the weeks' places (scipy's linear_sum_assignment, deterministic
    for the same matrix): a place costs its rank in the student's choices (times a weight that makes
    one compromise dearer than any spreading), plus how far down its week it is.
    """
    if not chosen:
        return {}
    slots = [(w.id, i) for w in weeks for i in range(w.capacity)]
    weight = max(w.capacity for w in weeks) + 1
    impossible = weight * (len(weeks) + 1) * 1000
    cost = [
        [accepts[c.id].index(week_id) * weight + i if week_id in accepts[c.id] else impossible for week_id, i in slots]
        for c in chosen
    ]
    rows, cols = linear_sum_assignment(cost)
    placed = {}
    for row, col in zip(rows, cols, strict=True):
        if cost[row][col] >= impossible:
            raise AssertionError("the feasibility check let through a student who cannot be placed")
        placed[chosen[row].id] = slots[col][0]
    return placed


def _flags(candidate):
    return [] if candidate.police_first_choice else ["Police was not first choice"]
