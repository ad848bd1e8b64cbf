"""What the intake holds about a student: the nomination, the guardian's consent and its links."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from core.personal_data import ERASED, SENTINEL_DOB, Audited, Erasing, Needles, PersonalData, random_hash, registry

from .models import NOMINATION_PERSONAL_FIELDS, Consent, ConsentLink, Nomination


def placeholder_name(nomination_pk: int) -> tuple[str, str]:
    """An erased student's first and last name: unique, so the nomination's constraints still hold."""
    return ERASED, f"#{nomination_pk}"


class IntakePersonalData(PersonalData):
    order = 10
    holds = ("schools.nomination", "schools.consent", "schools.consentlink")
    personal = {
        "schools.nomination": (*NOMINATION_PERSONAL_FIELDS, "selection_reason"),
        "schools.consent": ("respondent_name", "wording"),
        "schools.consentlink": ("sent_to",),
    }
    audited = {
        "schools.nomination": Audited(
            masked=tuple(NOMINATION_PERSONAL_FIELDS),
            anonymous=True,
            student="",
            name=lambda nomination: f"Nomination from {nomination.institution} for {nomination.programme}",
        ),
        "schools.consent": Audited(
            masked=("respondent_name", "wording"),
            anonymous=True,
            student="nomination",
            name=lambda consent: f"Consent for a place on {consent.nomination.programme}",
        ),
        # Staff at a school, not a student: masked in the trail, not erased with a student.
        "schools.institutioncontact": Audited(masked=("name", "email", "phone")),
    }

    def identify(self, nomination: Nomination, earlier_names: Iterable[str] = ()) -> Needles:
        """`earlier_names`: full names the student had before (e.g. from the admin's history)."""
        first, last = nomination.first_name.strip(), nomination.last_name.strip()
        full = f"{first} {last}".strip()
        others = (nomination.guardian_name, nomination.emergency_contact_name, *earlier_names)
        consent = getattr(nomination, "consent", None)
        if consent is not None:
            others += (consent.respondent_name,)
        names = [full, *others, last, first]
        dob = nomination.date_of_birth
        return Needles(
            names=tuple(dict.fromkeys(n.strip() for n in names if n and n.strip() and len(n.strip()) > 1)),
            emails=tuple(e.lower() for e in (nomination.student_email, nomination.guardian_email) if e),
            dob=(dob.isoformat(), dob.strftime("%d/%m/%Y"), f"{dob:%-d %B %Y}"),
        )

    def students_named(self, text: str) -> QuerySet[Nomination]:
        """Each word of `text` is part of the student's first or last name ("amy", "Amy Smi")."""
        condition = Q()
        for word in text.split():
            condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return Nomination.objects.filter(condition)

    def rows(self, nomination: Nomination) -> dict[str, list]:
        return {
            "nomination": [nomination],
            "consent": list(Consent.objects.filter(nomination=nomination)),
            "consent_links": list(ConsentLink.objects.filter(consent__nomination=nomination)),
        }

    def erase(self, erasing: Erasing) -> dict[str, int]:
        nomination, needles, replacement = erasing.nomination, erasing.needles, erasing.replacement
        consent = Consent.objects.filter(nomination=nomination).first()
        if consent is not None:
            consent.respondent_name = ""
            consent.wording = needles.scrub(consent.wording, replacement)
            consent.save(update_fields=["respondent_name", "wording"])
        links = ConsentLink.objects.filter(consent__nomination=nomination)
        for link in links:
            link.sent_to = ""
            link.token_hash = random_hash()
            link.save(update_fields=["sent_to", "token_hash"])

        first, last = placeholder_name(nomination.pk)
        nomination.first_name, nomination.last_name = first, last
        nomination.date_of_birth = SENTINEL_DOB
        for name in self.personal["schools.nomination"]:
            if name not in ("first_name", "last_name", "date_of_birth"):  # set just above
                setattr(nomination, name, "")
        nomination.save()
        return {"consent_links": len(links)}


def register() -> None:
    registry.register(IntakePersonalData())
