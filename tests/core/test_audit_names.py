"""What an audit entry keeps as the name of a student's record: plain words, no database number, no child's name.

The entry outlives the record and its erasure, and anyone reading the trail (or the admin's copy of it) should
read words ("Place on Work-experience week"), never "placement #12". Each row here is given a large number of
its own, so the test can tell that number from the other numbers of a name (a date, a programme's year).
"""

import re
from dataclasses import replace

from auditlog.models import LogEntry
from auditlog.registry import auditlog

from core.audit import audit_action
from core.personal_data import registry
from privacy.services import student_erase
from tests import factories as f
from tests.events.factories import InvitationFactory
from tests.partners.factories import PartnerPersonFactory

NUMBERED = re.compile(r"#\s*\d+")


def _students_records(programme):
    """One row of every kind the trail records, for one student, each under a number no other row has."""
    nomination = f.NominationFactory(pk=70101, programme=programme, first_name="Zebedee", last_name="Quill")
    placement = f.PlacementFactory(pk=70102, programme=programme, nomination=nomination)
    assignment = f.MentorAssignmentFactory(pk=70106, placement=placement)
    return {
        "schools.nomination": nomination,
        "schools.consent": f.ConsentFactory(pk=70103, nomination=nomination),
        "schools.institutioncontact": f.InstitutionContactFactory(pk=70104, institution=nomination.institution),
        "placements.placement": placement,
        "placements.attendance": f.AttendanceFactory(pk=70105, placement=placement),
        "mentoring.mentorassignment": assignment,
        "mentoring.mentorcontact": f.MentorContactFactory(pk=70107, assignment=assignment),
        "mentoring.outcome": f.OutcomeFactory(pk=70108, placement=placement),
        "certificates.certificate": f.CertificateFactory(pk=70109, placement=placement),
        # Not a student's, but audited with its contact details masked (partners/privacy.py).
        "partners.partnerperson": PartnerPersonFactory(
            pk=70110, organisation__force=programme.force, organisation__name="Shire Council", name="Helen Price"
        ),
        "events.invitation": InvitationFactory(
            pk=70111, event__force=programme.force, kind="student", placement=placement, name="", email=""
        ),
    }


def _wrong(entries, records):
    """Entries whose stored name shows a number, the record's own number, or the student's name."""
    pks = {str(record.pk) for record in records.values()}
    wrong = []
    for entry in entries:
        name = entry.object_repr
        if NUMBERED.search(name) or any(pk in name for pk in pks) or "Zebedee" in name or "Quill" in name:
            wrong.append(f"{entry.content_type.app_label}.{entry.content_type.model}: {name!r}")
    return wrong


def test_every_audited_kind_of_record_is_named_in_words_without_its_number(programme_a, coordinator):
    records = _students_records(programme_a)
    # Every kind the trail records is here: a kind registered later must be added, and named in words.
    assert {model._meta.label_lower for model in auditlog.get_models()} == set(records)
    for record in records.values():
        record.save()  # a change as well as the creation
        audit_action(actor=coordinator, action="Looked at", instance=record)

    entries = list(LogEntry.objects.select_related("content_type"))
    kinds = {f"{e.content_type.app_label}.{e.content_type.model}" for e in entries}
    assert kinds == set(records)
    assert _wrong(entries, records) == []

    programme = programme_a.title
    named = {f"{e.content_type.app_label}.{e.content_type.model}": e.object_repr for e in entries}
    assert named["placements.placement"] == f"Place on {programme}"
    assert named["schools.nomination"] == f"Nomination from {records['schools.nomination'].institution} for {programme}"
    assert named["schools.consent"] == f"Consent for a place on {programme}"
    assert named["mentoring.mentorcontact"] == "Mentor contact (phone call) on 1 August 2027"
    assert named["mentoring.outcome"] == f"Milestone “Joined cadets” after {programme}"
    assert named["certificates.certificate"] == f"Certificate for {programme}"
    mentor = records["mentoring.mentorassignment"].mentor.name
    assert named["mentoring.mentorassignment"] == f"Mentoring by {mentor} after {programme}"
    day = records["placements.attendance"].date
    assert named["placements.attendance"] == f"Attendance on {day:%A} {day.day} {day:%B %Y} ({programme})"
    assert named["partners.partnerperson"] == "Helen Price (Shire Council)"

    # Deleted records keep the same words (an entry is written as the row goes).
    records["placements.attendance"].delete()
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE).select_related("content_type")
    assert [e.object_repr for e in deleted] == [named["placements.attendance"]]


def test_erasing_the_student_leaves_words_without_numbers_in_the_trail(programme_a, coordinator):
    records = _students_records(programme_a)
    nomination = records["schools.nomination"]
    # An entry written before names were kept out of the trail, with the old number-style name as well.
    LogEntry.objects.log_create(nomination, force_log=True, action=LogEntry.Action.UPDATE, changes={})
    LogEntry.objects.filter(object_pk=str(nomination.pk)).update(object_repr="Zebedee Quill")
    LogEntry.objects.create(
        content_type=LogEntry.objects.get_for_object(nomination).first().content_type,
        object_pk=str(nomination.pk),
        object_id=nomination.pk,
        object_repr=f"nomination #{nomination.pk}",
        action=LogEntry.Action.UPDATE,
    )

    student_erase(nomination=nomination, actor=coordinator, reason="request")

    students = list(LogEntry.objects.select_related("content_type"))
    assert _wrong(students, records) == []
    assert {e.object_repr for e in students if e.object_pk == str(nomination.pk)} >= {
        f"Nomination from {nomination.institution} for {programme_a.title}"
    }


def test_a_kind_without_words_of_its_own_is_still_named_without_a_number(programme_a, monkeypatch):
    placement = f.PlacementFactory(pk=70201, programme=programme_a)
    declaration = next(d for d in registry if "placements.placement" in d.audited)
    audited = declaration.audited["placements.placement"]
    monkeypatch.setitem(declaration.audited, "placements.placement", replace(audited, name=None))
    assert registry.trail_name(placement) == "A student's placement"
    assert audit_action(actor=None, action="Looked at", instance=placement).object_repr == "A student's placement"
