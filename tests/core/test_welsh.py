"""Welsh and English: nothing the public or schools see is left in English when Welsh is chosen.

Three checks that catch a new untranslated string in different ways:
- no English words sit outside the translation tags of a public template (read from its source);
- every message a public template uses has a Welsh translation in locale/cy (the same messages
  `makemessages` extracts, read through Django's own template parser), and the compiled .mo matches;
- each public page, rendered with Welsh chosen, shows no common English word.
"""

import re
from html import unescape

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import Client
from django.urls import reverse

from core.languages import ENGLISH, WELSH, welsh_active
from core.links import MARKER
from tests.core.welsh import english_left, public_templates, welsh_world

CATALOGUE = settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"
REVIEW_NOTE = "awaits review by a Welsh speaker"
# Words that are the same in both languages, or names of the languages themselves.
NOT_ENGLISH = {"Cymraeg", "English", "PDF", "QR", "ics", "Map", "OK"}


def _source(name):
    """A template's text, wherever the loaders find it (templates/ or an app's templates folder)."""
    with open(engines["django"].engine.get_template(name).origin.name, encoding="utf-8") as file:
        return file.read()


def _messages(template_name):
    """(msgid, plural) of every translation tag in a template, as makemessages extracts them."""
    template = engines["django"].engine.get_template(template_name)
    found = []
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        literal = getattr(node.filter_expression.var, "literal", None)
        if isinstance(literal, str):
            found.append((literal, None))
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        singular, _vars = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural else None
        found.append((singular, plural))
    # _("…") inside another tag ({% cycle _("Day") … %}), which makemessages extracts too.
    for tag in re.findall(r"{%.*?%}", _source(template_name), flags=re.S):
        found.extend((literal, None) for literal in re.findall(r'_\("([^"]*)"\)', tag))
    return found


def _untagged_english(source):
    """Words of a template's source that are outside every translation tag, variable and HTML tag."""
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    spoken = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z']+", " ".join([text, *spoken]))
    return sorted({word for word in words if word not in NOT_ENGLISH})


def test_the_public_templates_are_found():
    names = public_templates()
    for expected in ("schools/consent_form.html", "surveys/student/step.html", "communications/joining_page.html"):
        assert expected in names
    for name in names:
        assert _source(name), name


@pytest.mark.parametrize("name", public_templates())
def test_no_english_outside_translation_tags(name):
    source = _source(name)
    assert _untagged_english(source) == [], f"{name}: wrap these words in {{% translate %}} tags"


def test_the_untagged_check_finds_english():
    assert _untagged_english('<p title="Open it">Hello {{ name }}</p>') == ["Hello", "Open", "it"]
    assert _untagged_english('{% translate "Hello" %} {% blocktranslate %}Hi {{ x }}{% endblocktranslate %}') == []


def _catalogue():
    return {entry.msgid: entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}


@pytest.mark.parametrize("name", public_templates())
def test_every_public_message_has_a_welsh_translation(name):
    catalogue = _catalogue()
    missing = []
    for msgid, plural in _messages(name):
        entry = catalogue.get(msgid)
        if entry is None or not entry.translated() or "fuzzy" in entry.flags:
            missing.append(msgid)
        elif plural is not None and entry.msgid_plural != plural:
            missing.append(plural)
    assert missing == [], f"{name}: run `make messages` and translate these in {CATALOGUE.name}"


def test_the_message_reader_sees_both_tags():
    messages = _messages("surveys/student/start.html")
    assert ("Words and pictures", None) in messages
    assert (
        "There is %(counter)s question.",
        "There are %(counter)s questions.",
    ) in messages


def test_every_translation_is_complete_and_drafts_say_they_await_review():
    entries = list(_catalogue().values())
    assert len(entries) > 250
    for entry in entries:
        assert entry.translated() and "fuzzy" not in entry.flags, entry.msgid
        # Until a Welsh speaker has read it (and removed the note), each drafted entry says so.
        assert REVIEW_NOTE.lower() in entry.tcomment.lower() or "reviewed" in entry.tcomment.lower(), entry.msgid


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo Django reads is committed: it must be compiled from the .po as it stands (make messages)."""
    import gettext

    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in _catalogue().values():
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr_plural[2], entry.msgid
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


# --- pages rendered in Welsh --------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return welsh_world()


def _assert_welsh(response, world, *, status=200):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="cy">' in html
    assert english_left(html, allowed=world["allowed"]) == []
    return unescape(html)


def test_consent_in_welsh_from_the_guardians_preference(client, world):
    response = client.get(reverse("consent:open", args=[world["tokens"]["consent"]]), follow=True)
    html = _assert_welsh(response, world)
    assert "Caniatâd ar gyfer Gwen Morgan" in html
    assert "Rwy'n cytuno y caiff Gwen Morgan gymryd rhan" in html  # the wording agreed to, in Welsh
    # Dates in Welsh: the month's name from Django's Welsh formats.
    assert any(
        month in html
        for month in (
            "Ionawr",
            "Chwefror",
            "Mawrth",
            "Ebrill",
            "Mai",
            "Mehefin",
            "Gorffennaf",
            "Awst",
            "Medi",
            "Hydref",
            "Tachwedd",
            "Rhagfyr",
        )
    )
    errors = client.post(reverse("consent:form"), {"participation": "yes"})
    _assert_welsh(errors, world, status=400)
    answered = client.post(
        reverse("consent:form"),
        {"respondent_name": "Siân Morgan", "participation": "yes", "data_processing": "on"},
    )
    assert "Diolch" in _assert_welsh(answered, world)
    world["consent"].refresh_from_db()
    assert "Rwy'n cytuno" in world["consent"].wording  # stored as shown
    again = client.get(reverse("consent:form"))
    assert "Wedi'i ateb eisoes" in _assert_welsh(again, world)


def test_survey_in_welsh_easy_read(client, world):
    start = client.get(reverse("surveys:token_enter", args=[world["tokens"]["survey"]]), follow=True)
    html = _assert_welsh(start, world)
    assert "Cyn eich wythnos profiad gwaith gyda'r heddlu" in html
    step = client.post(reverse("surveys:student_start"), {"layout": "one", "easy_read": "1"}, follow=True)
    html = _assert_welsh(step, world)
    assert "Gallwn i siarad â swyddog heddlu." in html  # the easy-read Welsh question
    assert "Na, dim o gwbl" in html  # the easy-read Welsh answers
    missing = client.post(step.redirect_chain[-1][0], {"next": "1"})
    _assert_welsh(missing, world, status=400)
    every = client.post(reverse("surveys:student_mode"), {"layout": "all", "easy_read": "0", "next": "/s/all/"})
    all_page = client.get(reverse("surveys:student_all"))
    assert every.status_code == 302
    html = _assert_welsh(all_page, world)
    assert "Rwy'n ymddiried yn yr heddlu i wneud y peth iawn." in html


def test_joining_page_in_welsh_with_the_coordinators_welsh_words(client, world):
    response = client.get(reverse("joining:open", args=[world["tokens"]["joining"]]), follow=True)
    html = _assert_welsh(response, world)
    assert "Cyfarwyddiadau ymuno ar gyfer Gwen" in html
    assert "Dillad taclus, cyfforddus" in html  # what to wear, as written in Welsh


def test_certificate_pages_in_welsh(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = WELSH
    mine = client.get(reverse("certificates:student_open", args=[world["tokens"]["certificate"]]), follow=True)
    _assert_welsh(mine, world)
    _assert_welsh(client.get(reverse("verify:form")), world)
    result = client.get(reverse("verify:result", args=[world["certificate"].verification_code]), follow=True)
    assert "Dilys." in _assert_welsh(result, world)
    unknown = client.get(reverse("verify:form"), {"code": "ZZZZ-ZZZZ-ZZZZ"}, follow=True)
    _assert_welsh(unknown, world, status=unknown.status_code)


def test_notice_pages_and_problems_in_welsh(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = WELSH
    _assert_welsh(client.get(reverse("notices:privacy_index")), world)
    privacy = _assert_welsh(client.get(reverse("notices:privacy", args=[world["force"].slug])), world)
    assert "Ein sail gyfreithlon" in privacy  # the standard notice, in Welsh
    accessibility = _assert_welsh(client.get(reverse("notices:accessibility", args=[world["force"].slug])), world)
    assert "Statws cydymffurfio" in accessibility
    _assert_welsh(client.get(reverse("surveys:code_enter")), world)
    unknown = client.get(reverse("surveys:token_enter", args=["x" * 43]))
    _assert_welsh(unknown, world, status=404)
    bad_consent = client.get(reverse("consent:form"))
    _assert_welsh(bad_consent, world, status=bad_consent.status_code)


def test_the_english_check_finds_english(world):
    assert english_left("<p>Thank you for your answers</p>") == ["Thank", "answers", "for", "you", "your"]
    assert english_left('<a aria-label="Skip to the main content"></a>') == ["the"]
    assert english_left("<p>Gwen Morgan</p><script>var the = 1;</script>", allowed=["Gwen Morgan"]) == []
    assert english_left("<p>Diolch am eich atebion</p>") == []


# --- choosing the language ----------------------------------------------------------------------------


def test_english_unless_someone_chose_welsh(client, db):
    page = client.get(reverse("verify:form"))
    assert '<html lang="en-GB">' in page.content.decode()
    assert b"Check a work-experience certificate" in page.content
    assert b'value="cy"' in page.content  # the switch offers Welsh


def test_the_switch_on_a_public_page_sets_welsh_and_comes_back(client, db):
    page = reverse("verify:form")
    response = client.post(reverse("set_language"), {"language": WELSH, "next": page})
    assert response.status_code == 302 and response["Location"] == page
    welsh = client.get(page)
    assert '<html lang="cy">' in welsh.content.decode()
    assert "Gwirio tystysgrif profiad gwaith" in unescape(welsh.content.decode())
    assert b'value="en-gb"' in welsh.content  # and offers English back
    client.post(reverse("set_language"), {"language": "en-gb", "next": page})
    assert b"Check a work-experience certificate" in client.get(page).content


def test_the_switch_refuses_hostile_input(client, db):
    elsewhere = client.post(reverse("set_language"), {"language": WELSH, "next": "https://evil.example/"})
    assert elsewhere.status_code in (204, 302) and "evil.example" not in elsewhere.get("Location", "")
    stranger = Client()
    unknown = stranger.post(reverse("set_language"), {"language": "xx' OR 1=1", "next": "/verify/"})
    assert unknown.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
    assert '<html lang="en-GB">' in stranger.get("/verify/").content.decode()
    stranger.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # a cookie set by hand is ignored
    assert '<html lang="en-GB">' in stranger.get("/verify/").content.decode()


def test_a_choice_on_the_switch_beats_the_preference_on_the_link(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    response = client.get(reverse("consent:open", args=[world["tokens"]["consent"]]), follow=True)
    assert "Consent for Gwen Morgan" in response.content.decode()


def test_the_forces_default_language_when_the_family_gave_none(client, world):
    world["nomination"].preferred_language = ""
    world["nomination"].save()
    response = client.get(reverse("joining:open", args=[world["tokens"]["joining"]]), follow=True)
    assert '<html lang="cy">' in response.content.decode()  # the force's default is Welsh
    world["force"].default_language = "en-gb"
    world["force"].save()
    other = Client()
    response = other.get(reverse("joining:open", args=[world["tokens"]["joining"]]), follow=True)
    assert '<html lang="en-GB">' in response.content.decode()


def test_the_consent_email_is_in_the_familys_language(world):
    from core.models import OutboundEmail

    email = OutboundEmail.objects.get(kind="consent_request")
    assert email.subject.startswith("Mae angen caniatâd ar gyfer Gwen")
    assert "Helo Siân Morgan," in email.body_text
    assert "Mae Ysgol Bro Teifi wedi enwebu Gwen Morgan" in email.body_text
    assert '<html lang="cy">' in email.body_html
    # The link is a marker until the email is sent (core.links): it is not words anyone reads.
    assert english_left(MARKER.sub("", email.body_html), allowed=world["allowed"]) == []


def test_an_english_family_of_a_welsh_force_gets_english(world):
    from core.models import OutboundEmail
    from schools.models import Consent, ConsentLink
    from schools.services import consent_link_send
    from tests import factories as f

    nomination = f.NominationFactory(
        programme=world["programme"], institution=world["nomination"].institution, preferred_language="en-gb"
    )
    consent_link_send(consent=Consent.objects.create(nomination=nomination), purpose=ConsentLink.Purpose.REQUEST)
    email = OutboundEmail.objects.filter(kind="consent_request").latest("pk")
    assert email.subject.startswith(f"Consent needed for {nomination.first_name}")


def test_welsh_active_follows_the_language_given_else_the_active_one():
    from django.utils import translation

    with translation.override(WELSH):
        assert welsh_active() and welsh_active("cy") and not welsh_active(ENGLISH)
    with translation.override(ENGLISH):
        assert not welsh_active() and welsh_active(WELSH)
    with translation.override(None):  # no language active at all (a worker between tasks)
        assert not welsh_active()
