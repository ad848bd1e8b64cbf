"""What mentoring holds about a student: referral, assignments, contact logs, reminders, outcomes."""

from __future__ import annotations

from django.db.models import Case, DateField, Expression, F, Max, When
from django.db.models.functions import TruncDate

from core.audit import day_in_words
from core.personal_data import ERASED, Audited, Erasing, PersonalData, registry

from .models import MentorAssignment, MentorContact, MentoringReferral, MentorReminder, Outcome


class MentoringPersonalData(PersonalData):
    order = 60
    holds = (
        "mentoring.mentoringreferral",
        "mentoring.mentorassignment",
        "mentoring.mentorcontact",
        "mentoring.mentorreminder",
        "mentoring.outcome",
    )
    personal = {
        "mentoring.mentorcontact": ("summary", "next_step", "sensitive_notes"),
        "mentoring.outcome": ("note",),
    }
    audited = {
        "mentoring.mentorassignment": Audited(
            anonymous=True,
            student="placement__nomination",
            name=lambda assignment: f"Mentoring by {assignment.mentor.name} after {assignment.placement.programme}",
        ),
        "mentoring.mentorcontact": Audited(
            masked=("summary", "next_step", "sensitive_notes"),
            anonymous=True,
            student="assignment__placement__nomination",
            name=lambda contact: (
                f"Mentor contact ({contact.get_method_display().lower()}) on {day_in_words(contact.contacted_on)}"
            ),
        ),
        "mentoring.outcome": Audited(
            masked=("note",),
            anonymous=True,
            student="placement__nomination",
            name=lambda outcome: f"Milestone “{outcome.get_milestone_display()}” after {outcome.placement.programme}",
        ),
    }

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {
            "mentoring_referral": list(MentoringReferral.objects.filter(placement=placement)),
            "mentor_assignments": list(MentorAssignment.objects.filter(placement=placement)),
            "mentor_contacts": list(MentorContact.objects.filter(assignment__placement=placement)),
            "mentor_reminders": list(MentorReminder.objects.filter(assignment__placement=placement)),
            "outcomes": list(Outcome.objects.filter(placement=placement)),
        }

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        counts = {}
        for assignment in MentorAssignment.objects.filter(placement=placement, status=MentorAssignment.Status.ACTIVE):
            # Ended quietly: the "mentoring ended" email would name the student.
            assignment.status = MentorAssignment.Status.ENDED
            assignment.ended_at = erasing.now
            assignment.ended_reason = MentorAssignment.EndReason.COORDINATOR
            assignment.next_due_on = None
            assignment.save(update_fields=["status", "ended_at", "ended_reason", "next_due_on"])
        contacts = list(MentorContact.objects.filter(assignment__placement=placement))
        for contact in contacts:
            contact.summary = ERASED
            contact.next_step = ""
            contact.sensitive_notes = ""
            contact.save(update_fields=["summary", "next_step", "sensitive_notes"])
        counts["mentor_contacts"] = len(contacts)
        outcomes = list(Outcome.objects.filter(placement=placement).exclude(note=""))
        for outcome in outcomes:
            outcome.note = ""
            outcome.save(update_fields=["note"])
        counts["outcome_notes"] = len(outcomes)
        return counts

    def retention_dates(self) -> dict[str, Expression]:
        # Mentoring ends on its planned day, or earlier when it was ended (e.g. consent withdrawn).
        return {
            "mentoring_ends": Max(
                Case(
                    When(
                        placement__mentor_assignments__status="ended",
                        then=TruncDate("placement__mentor_assignments__ended_at"),
                    ),
                    default=F("placement__mentor_assignments__ends_on"),
                    output_field=DateField(),
                )
            )
        }


def register() -> None:
    registry.register(MentoringPersonalData())
