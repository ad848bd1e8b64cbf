"""The selection assistant: proposes a cohort from plain data, with one line of reasoning per pick.

A pure function, so it is deterministic and easy to test: the same candidates in any order give
the same proposal. Rules, in order:
1. only candidates with participation consent can be picked;
2. the reserved SEND places are filled first, from SEND schools;
3. no institution gets more than its cap;
4. among the rest, spread across areas first, then favour higher deprivation (low IDACI decile,
   high free-school-meals share), then the earlier nomination;
5. everyone who did not pick police as their first choice is flagged (the 2025 survey bias).
"""

from dataclasses import dataclass, field
from decimal import Decimal


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


@dataclass
class Pick:
    candidate: Candidate
    selected: bool
    reason: str
    waitlist_rank: int | None = None
    flags: list = field(default_factory=list)


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


def propose_cohort(candidates, *, capacity, reserved_send=0, cap_per_institution=None):
    """Return one Pick per candidate (selected first, then the waiting list, then the ineligible)."""
    pool = sorted(candidates, key=lambda c: c.id)
    eligible = [c for c in pool if c.has_consent]
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
                if cap_per_institution is None or per_institution.get(c.institution_id, 0) < cap_per_institution
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
            taken += 1

    send_pool = [c for c in eligible if c.is_send]
    pick_from(send_pool, min(reserved_send, capacity), "Reserved SEND place")
    rest = [c for c in eligible if c not in chosen]
    pick_from(rest, capacity - len(chosen), "Open place")

    chosen_ids = {c.id for c in chosen}
    waiting = sorted((c for c in eligible if c.id not in chosen_ids), key=lambda c: (_deprivation_key(c), c.id))
    picks = []
    for candidate in chosen:
        picks.append(Pick(candidate, True, reasons[candidate.id], flags=_flags(candidate)))
    for rank, candidate in enumerate(waiting, start=1):
        full = (
            cap_per_institution is not None and per_institution.get(candidate.institution_id, 0) >= cap_per_institution
        )
        why = "institution already at its cap" if full else "cohort full"
        picks.append(
            Pick(candidate, False, f"Waiting list {rank}: {why}; {_describe(candidate)}", rank, _flags(candidate))
        )
    for candidate in pool:
        if not candidate.has_consent:
            picks.append(Pick(candidate, False, "Cannot be offered: no participation consent", flags=_flags(candidate)))
    return picks


def _flags(candidate):
    return [] if candidate.police_first_choice else ["Police was not first choice"]
