"""What the Welsh tests share: which templates the public and schools see, and a Welsh-speaking world.

A template is public if it draws the public footer (found by reading it, so a new public page is
checked without being listed), or it is named below: the pages around them, the survey's parts,
the emails a family gets and the pages a school contact uses.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tests import factories as f

TEMPLATES = Path(settings.BASE_DIR) / "templates"

NAMED_PUBLIC = [
    "base.html",
    "400.html",
    "403.html",
    "404.html",
    "403_csrf.html",
    "includes/error_summary.html",
    "bootstrap5/field.html",
    "core/widgets/date_input.html",
    "includes/language_switch.html",
    "privacy/_public_footer.html",
    "surveys/student/_field.html",
    "surveys/student/_progress.html",
    # Emails to a guardian, an adult student or (for the joining instructions) the school.
    "emails/_layout.html",
    "emails/_joining.html",
    "emails/_joining.txt",
    "emails/consent_request_subject.txt",
    "emails/consent_request_body.txt",
    "emails/consent_reminder_subject.txt",
    "emails/consent_reminder_body.txt",
    "emails/joining_instructions_subject.txt",
    "emails/joining_reminder_subject.txt",
    "emails/survey_reminder_subject.txt",
    "emails/survey_reminder_body.txt",
    "emails/mentoring_intro_mentee_subject.txt",
    "emails/mentoring_intro_mentee_body.txt",
    # Events: the invitation, reminder and change emails to invitees (families among them).
    "emails/_event.html",
    "emails/_event.txt",
    "emails/event_invitation_subject.txt",
    "emails/event_invitation_body.html",
    "emails/event_invitation_body.txt",
    "emails/event_reminder_subject.txt",
    "emails/event_reminder_body.html",
    "emails/event_reminder_body.txt",
    "emails/event_changed_subject.txt",
    "emails/event_changed_body.html",
    "emails/event_changed_body.txt",
    # A change to the week told to families and schools, and the reminder text the day before.
    "emails/week_changed_subject.txt",
    "emails/week_changed_body.html",
    "emails/week_changed_body.txt",
    "sms/joining_reminder.txt",
    # A coordinator's message to families: their words as written, the wording around them translated.
    "emails/audience_message_body.html",
    "emails/audience_message_body.txt",
    # The certificate itself (bilingual) and the school contact's pages.
    "certificates/pdf/certificate.html",
    "schools/contact_home.html",
    "schools/nomination_list.html",
    "schools/_nomination_table.html",
    "schools/nomination_upload.html",
    "schools/nomination_form.html",
    "schools/nomination_detail.html",
    "surveys/contact_surveys.html",
    # The emails a school contact gets (in the force's language), and what a school contact signs in on.
    *(
        f"emails/{kind}_{part}.txt"
        for kind in (
            "offer",
            "offer_withdrawn",
            "not_selected",
            "place_confirmed",
            "place_released",
            "survey_links",
            "nomination_received",
            "contact_invitation",
            "certificates_ready",
        )
        for part in ("subject", "body")
    ),
    "registration/login.html",
    "registration/locked_out.html",
    "registration/signed_out.html",
    "sso/_sign_in_options.html",
    "500.html",
    # The QR sheet students scan (in the force's language).
    "surveys/pdf/qr_sheet.html",
]


EXTENDS = re.compile(r'{%\s*extends\s+"([^"]+)"\s*%}')


def public_templates():
    """Every public template's name, relative to templates/: those drawing the public footer, those
    extending one of them (the survey's pages extend its base), and the ones named above."""
    sources = {str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html")}
    found = {name for name, source in sources.items() if "public_footer" in source}
    while True:
        more = {
            name
            for name, source in sources.items()
            if name not in found and (parent := EXTENDS.search(source)) and parent.group(1) in found - {"base.html"}
        }
        if not more:
            break
        found |= more
    return sorted(found | set(NAMED_PUBLIC))


# English words that never occur in Welsh prose: one on a Welsh page means a string was not translated.
ENGLISH = re.compile(
    r"\b(the|and|you|your|please|with|this|that|for|from|are|was|not|have|will|what|when|our|can|been|"
    r"answer|answers|check|consent|survey|question|questions|certificate|thank|link|back|next|start|withdraw|"
    r"enter|select|choose|tick|type|day|month|year|optional)\b",
    re.IGNORECASE,
)


class _VisibleText(HTMLParser):
    """The words a person sees or hears on a page: text, and the labels a screen reader reads out."""

    SPOKEN = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)
            if tag in ("input", "button") and name == "value" and value and dict(attrs).get("type") == "submit":
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html):
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(html, *, allowed=()):
    """The English words left on a page meant to be Welsh (words of names and titles in `allowed` excepted)."""
    text = visible_text(html)
    for value in allowed:
        text = text.replace(value, " ")
    return sorted({match.group(0) for match in ENGLISH.finditer(text)})


def welsh_world():
    """A Welsh force's week with one student whose family reads Welsh: each public link, made as the apps make them."""
    from certificates.services import student_link_create
    from communications.services import (
        JOINING_LINK_PURPOSE,
        joining_defaults,
        joining_instructions_save,
        joining_link_for,
    )
    from core.links import link_token
    from schools.models import Consent, ConsentLink, Nomination
    from schools.services import consent_link_send
    from surveys.models import Invitation
    from surveys.services import invitation_token, survey_setup_programme

    force = f.ForceFactory(name="Heddlu Dyfed-Powys", slug="dyfed-powys", default_language="cy")
    coordinator = f.UserFactory(username="cydlynydd")
    f.ForcePersonFactory(force=force, user=coordinator, is_coordinator=True, name="Cydlynydd Heddlu")
    start = timezone.localdate() + timedelta(days=40)
    programme = f.ProgrammeFactory(
        force=force,
        title="Wythnos Profiad Gwaith",
        start_date=start,
        end_date=start + timedelta(days=4),
        nomination_opens=start - timedelta(days=90),
        nomination_closes=start - timedelta(days=20),
    )
    school = f.InstitutionFactory(force=force, name="Ysgol Bro Teifi")
    nomination = f.NominationFactory(
        programme=programme,
        institution=school,
        first_name="Gwen",
        last_name="Morgan",
        guardian_name="Siân Morgan",
        emergency_contact_name="Siân Morgan",
        preferred_language="cy",
        status=Nomination.Status.ACCEPTED,
    )
    consent = Consent.objects.create(nomination=nomination)
    _link, consent_token = consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    placement = f.PlacementFactory(programme=programme, nomination=nomination)
    survey_setup_programme(programme=programme)
    invitation = Invitation.objects.get(placement=placement, survey__phase="pre")
    data = {
        **joining_defaults(programme),
        "venue_address": "1 Ffordd yr Orsaf\nCaerfyrddin",
        "contact_phone": "01267 000000",
    }
    joining_instructions_save(programme=programme, data=data, actor=coordinator)
    joining_token = link_token(JOINING_LINK_PURPOSE, joining_link_for(placement).token_salt)
    certificate = f.CertificateFactory(
        placement=placement, printed_name="Gwen Morgan", verification_code="WXYZABCDEFGHJKLM"
    )
    _student_link, certificate_token = student_link_create(placement=placement, actor=coordinator)
    return {
        "force": force,
        "programme": programme,
        "nomination": nomination,
        "consent": consent,
        "placement": placement,
        "invitation": invitation,
        "certificate": certificate,
        "tokens": {
            "consent": consent_token,
            "survey": invitation_token(invitation),
            "joining": joining_token,
            "certificate": certificate_token,
        },
        # Names and titles are the people's and the force's own words, in whatever language they are.
        "allowed": [
            "Heddlu Dyfed-Powys",
            "Wythnos Profiad Gwaith",
            "Ysgol Bro Teifi",
            "Gwen Morgan",
            "Siân Morgan",
            certificate.verification_code,
        ],
    }
