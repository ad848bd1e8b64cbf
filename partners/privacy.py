"""What partners hold: nothing about a student. Partner people are adults reached at work (name, job,
work email and phone); the audit trail records changes to them with those fields masked, and their
rows are erased by making the person inactive and blanking them (a coordinator's edit), not by the
student erasure, which never touches them."""

from __future__ import annotations

from core.audit import register_detail_records
from core.personal_data import Audited, PersonalData, registry


class PartnersPersonalData(PersonalData):
    order = 60
    # No model of this app reaches a student: there is nothing to export or erase for one.
    holds = ()
    audited = {
        "partners.partnerperson": Audited(masked=("name", "email", "phone")),
    }


def register() -> None:
    registry.register(PartnersPersonalData())
    register_detail_records(activity="placements.activity")
