import io
from datetime import date, timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from core.links import new_token_salt, token_hash
from partners.models import (
    Action,
    Document,
    DocumentRules,
    Meeting,
    Organisation,
    PartnerInvitation,
    PartnerPerson,
    ProgrammePartner,
    RiskAssessmentOverride,
)
from tests import factories as f


def pdf_bytes(title="A document"):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    force = factory.SubFactory(f.ForceFactory)
    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    kind = Organisation.Kind.COMMUNITY


class PartnerPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Partner Person{n}")
    role = "Coordinator"
    email = factory.Sequence(lambda n: f"partner{n}@partner.invalid")


class PartnerInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerInvitation

    person = factory.SubFactory(PartnerPersonFactory)
    email = factory.LazyAttribute(lambda o: o.person.email)
    token_salt = factory.LazyFunction(new_token_salt)
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token_salt))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ProgrammePartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammePartner

    programme = factory.SubFactory(f.ProgrammeFactory)
    organisation = factory.LazyAttribute(lambda o: OrganisationFactory(force=o.programme.force))
    role = ProgrammePartner.Role.VENUE


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    programme = factory.SubFactory(f.ProgrammeFactory)
    held_on = date(2027, 3, 1)
    title = "Launch meeting"
    attendees = "Everyone"
    notes = "Agreed the dates."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    programme = factory.SubFactory(f.ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_person = factory.LazyAttribute(lambda o: f.ForcePersonFactory(force=o.programme.force))
    due_on = date(2027, 5, 1)


class DocumentRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRules
        django_get_or_create = ("force",)

    force = factory.SubFactory(f.ForceFactory)
    risk_assessment_required = True


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    force = factory.SubFactory(f.ForceFactory)
    kind = Document.Kind.INSURANCE
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.LazyAttribute(lambda o: ContentFile(pdf_bytes(o.title), name="document.pdf"))
    original_name = "document.pdf"
    content_type = "application/pdf"
    size = 100
    expires_on = date(2030, 1, 1)


class RiskAssessmentFactory(DocumentFactory):
    kind = Document.Kind.RISK_ASSESSMENT
    activity = factory.LazyAttribute(lambda o: f.ActivityFactory(force=o.force))
    approved_at = factory.LazyFunction(timezone.now)


class RiskAssessmentOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessmentOverride

    programme = factory.SubFactory(f.ProgrammeFactory)
    activity = factory.LazyAttribute(lambda o: f.ActivityFactory(force=o.programme.force))
    reason = "The venue's own risk assessment covers it."
