"""Hostile input on every form and every CSV import: never a 500, never a partial write.

The forms are found, not listed: every page of the role × URL matrix is opened by a role that may
use it, and every <form> on it (its action, fields, options and file inputs, read from the real
HTML) is posted back by that role with hypothesis choosing, field by field, either the page's own
value or a hostile one: 10k-character strings, control characters and NUL bytes, SQL/HTML and
template fragments, negative/huge/non-numbers, impossible and reversed dates, bytes that are not
UTF-8, repeated fields (a list where one value is expected). A rejected submission (4xx, or the
form shown again with errors) must leave every row of every table as it was (not just the counts:
an edit to an existing row is caught too). Every page listed must hold a form, unless it is named in
PAGES_WITHOUT_FORMS, and a page named there must hold none, so the list cannot go stale.

The two CSV imports (nominations in schools, paper answers in surveys) get whole hostile files,
and must be all-or-nothing: either every data row is written or none.
"""

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings, strategies as st

from schools.models import Nomination
from surveys.models import Answer, Response
from tests.trust.test_url_matrix import (
    LOCAL_LABELS,
    ROLES,
    enumerate_urls,
    make_clients,
    parse_matrix,
    url_for,
)
from tests.trust.world import build_world

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- hostile values ---------------------------------------------------------------------------

FRAGMENTS = [
    "",
    " ",
    "A" * 10_000,
    "é" * 5_000,
    "\x00",
    "abc\x00def",
    "\r\n\t\x0b\x0c\x1b[31m\x7f",
    "\u202e\u200b\ufeff",
    "\ud7ff\ue000\U0010ffff",
    "'; DROP TABLE schools_nomination; --",
    "' OR '1'='1",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}{% debug %}",
    "%s%n%x",
    "../../../../etc/passwd",
    "-1",
    "0",
    "-99999999999999999999999999",
    "9" * 400,
    "2147483648",
    "1e308",
    "NaN",
    "Infinity",
    "0x10",
    "1.0000000001",
    "2026-02-30",
    "2027-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "31/12/1899",
    "2027-07-12T25:61",
    "9999-12-31T23:59",
    "24:00",
    "yes",
    "true",
    "on",
]
RAW_BYTES = [b"\xff\xfe\xfd", b"caf\xe9", b"\xc3\x28", b"\x00\xff", b"\xed\xa0\x80"]

hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
)
hostile_value = st.one_of(
    hostile_text,
    st.sampled_from(RAW_BYTES),
    st.lists(hostile_text, min_size=2, max_size=3),  # a list where one value is expected
)


def table_state():
    """A fingerprint of every row of the project's tables: any insert, delete or edit changes it."""
    return {
        model._meta.label: hash(repr(list(model.objects.order_by("pk").values_list())))
        for model in apps.get_models()
        if model._meta.app_label in LOCAL_LABELS
    }


def changed_tables(before):
    after = table_state()
    return sorted(label for label in after if after[label] != before.get(label))


# --- the forms on a page ----------------------------------------------------------------------


class FormParser(HTMLParser):
    """The <form>s of a page: method, action, enctype and fields with their current values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action"),
                "multipart": "multipart" in (a.get("enctype") or ""),
                "fields": {},
                "options": {},
                "files": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        fields, options = self._form["fields"], self._form["options"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind in ("submit", "button", "image", "reset"):
                fields.setdefault(name, a.get("value", ""))
            else:
                fields[name] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            fields.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            options.setdefault(self._select, []).append(a.get("value", ""))
            if "selected" in a or not fields.get(self._select):
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html, page_url):
    parser = FormParser()
    parser.feed(html)
    found = []
    for form in parser.forms:
        action = form["action"] or page_url
        # The language switch is on every public page: tests/core/test_welsh.py tries it with hostile input.
        if action.startswith("http") or "/logout/" in action or "/admin/" in action or "/i18n/" in action:
            continue
        form["action"] = action.split("#")[0]
        form["fields"].pop("csrfmiddlewaretoken", None)
        found.append(form)
    return found


# --- the world, once per module ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fuzz-media"))


@pytest.fixture(autouse=True)
def _media_root(settings, world_media):
    """Overrides the suite's per-test media folder: the world's certificate PDFs live in one."""
    settings.MEDIA_ROOT = world_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    media = override_settings(MEDIA_ROOT=world_media, RATELIMIT_ENABLE=False)
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built.fresh = make_clients(built)
            built.urls = {name: url_for(name, entry, built) for name, entry in enumerate_urls().items()}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()


# Who opens each page: the first role whose matrix cell is 200 (owners before everyone else).
OWNER_ORDER = ["coord_a", "contact_a", "lead", "mentor", "partner", "student", "anon"]
SKIP_PAGES = {"accounts:login"}  # django-axes counts failures there; its own tests cover it


def pages():
    out = []
    for name, cells in sorted(parse_matrix().items()):
        if name in SKIP_PAGES:
            continue
        role = next((r for r in OWNER_ORDER if cells[r] == "200"), None)
        if role:
            out.append((name, role))
    return out


def _encode(form, values):
    pairs = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return pairs


def _looks_rejected(response):
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        return bool(re.search(rb"is-invalid|errorlist|invalid-feedback", response.content))
    return False


def _submit(client, form, values, files):
    if form["method"] == "get":
        query = urlencode(_encode(form, values), doseq=False)
        return client.get(f"{form['action']}?{query}")
    if form["multipart"] or files:
        data = {}
        for name, value in _encode(form, values):
            data.setdefault(name, []).append(value)
        data.update(files)
        return client.post(form["action"], data)
    body = urlencode(_encode(form, values))
    return client.post(form["action"], body, content_type="application/x-www-form-urlencoded")


def fuzz_form(world, role, form):
    names = sorted(form["fields"]) + sorted(set(form["options"]) - set(form["fields"]))

    @FUZZ
    @given(data=st.data())
    def run(data):
        values = {}
        for name in names:
            own = form["fields"].get(name, "")
            choices = [own, *form["options"].get(name, [])]
            values[name] = data.draw(st.one_of(st.sampled_from(choices), hostile_value, st.just(None)), label=name)
        values = {k: v for k, v in values.items() if v is not None}
        files = {
            name: SimpleUploadedFile(
                "upload.png", data.draw(st.binary(max_size=2000), label=name), content_type="image/png"
            )
            for name in form["files"]
        }
        before = table_state()
        response = _submit(world.fresh(role), form, values, files)
        assert response.status_code < 500, (form["action"], values)
        if _looks_rejected(response):
            assert changed_tables(before) == [], f"rejected submission to {form['action']} changed data"

    run()


# Pages that hold no form for the role that opens them: downloads, reports, lists and start pages,
# and three whose form the demo does not show today (posted by _explicit_forms instead).
PAGES_WITHOUT_FORMS = {
    "reports:practice_report",  # the report's preview: its parts are written on the edit page
    "reports:practice_report_pdf",  # documents
    "reports:practice_report_docx",
    "reports:trends",  # figures, charts and links: the choices are made on their own pages
    "reports:trends_export",
    "reports:shared",  # what a sponsor's link shows: read-only
    "reports:shared_pdf",
    "communications:department_calendar",  # a calendar file
    "communications:syndicate_calendar",
    "communications:joining_preview",  # the emails as they will look, and links
    "audience:list",  # messages sent, with their delivery
    "audience:detail",
    "joining:calendar",
    "events:list",  # the force's events, as links
    "events:door_list",  # a PDF
    "events:calendar",  # calendar files
    "event_reply:calendar",
    "accounts:signed_out",
    "schools:contact_home",
    "placements:lead_home",
    "mentoring:mentor_home",
    "notices:accessibility",
    "notices:accessibility_index",
    "notices:privacy",
    "notices:privacy_index",
    "privacy:home",
    "certificates:download",
    "certificates:job_progress",
    "certificates:programme_ceremony_pdf",
    "certificates:programme_zip",
    "certificates:student_certificate",
    "certificates:student_download",
    "certificates:template_list",
    "certificates:template_preview",
    "privacy:student_export",
    "health",
    "mentoring:assign",  # the demo's placement has a mentor already: see _explicit_forms
    "mentoring:programme",
    "placements:attendance",  # not a programme day: the register is posted by _explicit_forms
    "placements:budget_csv",
    "placements:budget_line_delete",  # every demo line has spend: the page explains why it cannot be deleted
    "placements:department_schedule",
    "placements:departments",  # a list of departments: links, no form
    "placements:programme_copy_choose",  # a list of programmes to copy: links, no form
    "placements:programme_list",
    "placements:register",  # not a programme day: see _explicit_forms
    "placements:run_sheet",
    "placements:syndicate_schedule",
    "schools:csv_template",
    "schools:nomination_detail",
    "schools:nomination_list",
    "surveys:contact_surveys",
    "surveys:force_comparison",
    "surveys:force_export",
    "surveys:programme_report",
    "surveys:programme_report_json",
    "surveys:student_done",
    "surveys:survey_paper_sheet",
    "surveys:survey_preview",  # read-only: links from question to question, nothing to send
    "surveys:survey_preview_step",
    "surveys:survey_qr_sheet",
    "verify:result",
    "partners:organisations",  # a list of partner organisations: links, no form
    "partners:meetings",  # the meetings' notes: links to each
    "partners:document_download",  # a file
    "partners:partner_programme",  # the partner's read-only summary of a programme
}


@pytest.mark.parametrize(("name", "role"), pages())
def test_every_form_survives_hostile_input(world, db, name, role):
    page = world.urls[name]
    response = world.fresh(role).get(page)
    assert response.status_code == 200
    html = response.get("Content-Type", "").startswith("text/html")
    forms = forms_on(response.content.decode(), page) if html else []
    if name in PAGES_WITHOUT_FORMS:
        assert forms == [], f"{name} now holds a form: take it out of PAGES_WITHOUT_FORMS"
        return
    assert forms, f"{name} holds no form for {role}: nothing was fuzzed (list it in PAGES_WITHOUT_FORMS if right)"
    for form in forms:
        fuzz_form(world, role, form)


def test_pages_without_forms_are_real_pages():
    assert set(PAGES_WITHOUT_FORMS) <= {name for name, _ in pages()}


def _with_extra_role(fresh, role, session_data):
    from django.conf import settings as dj
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    def wrapped(name):
        if name != role:
            return fresh(name)
        client = Client()
        store = SessionStore()
        store.update(session_data)
        store.create()
        client.cookies[dj.SESSION_COOKIE_NAME] = store.session_key
        return client

    return wrapped


def _session_role(world, role, opening_url):
    """An anonymous visitor who opened an emailed link: its token sits in their session only."""
    client = world.fresh("anon")
    assert client.get(opening_url).status_code == 302
    world.fresh = _with_extra_role(world.fresh, role, dict(client.session))


@pytest.mark.parametrize(
    ("role", "token", "opening", "page"),
    [
        ("invitee", "invitation", "/invitations/{}/", "/invitations/accept/"),
        ("guardian", "consent_pending", "/consent/{}/", "/consent/form/"),
        ("joining", "person_invitation", "/join/{}/", "/join/accept/"),
        ("partner_invitee", "partner_invitation", "/partners/join/{}/", "/partners/join/accept/"),
        ("event_invitee", "event_reply", "/reply/{}/", "/reply/"),
    ],
)
def test_emailed_link_forms_survive_hostile_input(world, db, role, token, opening, page):
    _session_role(world, role, opening.format(world.tokens[token]))
    response = world.fresh(role).get(page)
    assert response.status_code == 200
    forms = [form for form in forms_on(response.content.decode(), page) if form["method"] == "post"]
    assert forms and any(form["fields"] or form["options"] for form in forms)
    for form in forms:
        fuzz_form(world, role, form)


def _explicit_forms(world):
    """Forms the demo's pages do not show at the moment (no pending offer, not a programme day, …)."""
    from placements.models import Placement

    placement = Placement.objects.filter(syndicate=world.ids["syndicate"]).order_by("pk").first()
    post = {"method": "post", "multipart": False, "files": []}
    return [
        (
            "lead",
            {
                **post,
                "action": world.urls["placements:register"],
                "fields": {"placement": str(placement.pk), "status": "present", "arrived_at": "09:05", "day": ""},
                "options": {"status": ["present", "late", "absent"]},
            },
        ),
        (
            "contact_a",
            {
                **post,
                "action": world.urls["schools:offer_respond"],
                "fields": {"answer": "accept"},
                "options": {"answer": ["accept", "decline"]},
            },
        ),
        (
            "coord_a",
            {**post, "action": world.urls["mentoring:assign"], "fields": {"mentor": "1"}, "options": {}},
        ),
        (
            # The confirm step's own form; its fingerprint never matches, so nothing may ever be sent.
            "coord_a",
            {
                **post,
                "action": world.urls["schools:selection_confirm"],
                "fields": {
                    "selected": str(world.ids["nomination"]),
                    "deadline": "2027-06-01",
                    "digest": "0" * 64,
                    "send_anyway": "on",
                },
                "options": {},
            },
        ),
        (
            "coord_a",
            {
                **post,
                "action": world.urls["schools:offer_withdraw"],
                "fields": {"reason": "Sent by mistake"},
                "options": {},
            },
        ),
        (
            "coord_a",
            {**post, "action": world.urls["placements:session_swap"], "fields": {"activity": "1"}, "options": {}},
        ),
        (
            "coord_a",
            {
                **post,
                "action": world.urls["placements:placement_move"],
                "fields": {"placement": str(placement.pk), "syndicate": str(world.ids["syndicate"])},
                "options": {},
            },
        ),
        (
            "coord_a",
            {
                **post,
                "action": world.urls["placements:syndicates_build"],
                "fields": {"size": "4", "leads": "1"},
                "options": {},
            },
        ),
    ]


def test_forms_not_on_the_demo_pages_survive_hostile_input(world, db):
    for role, form in _explicit_forms(world):
        fuzz_form(world, role, form)


@FUZZ
@given(token=st.one_of(st.sampled_from(FRAGMENTS), st.text(min_size=1, max_size=300)))
def _token_paths(world, token):
    from urllib.parse import quote

    part = quote(token, safe="")[:5000] or "x"
    for prefix in ("/s/", "/consent/", "/invitations/", "/join/", "/certificates/s/", "/verify/"):
        response = world.fresh("anon").get(f"{prefix}{part}/")
        assert response.status_code < 500, (prefix, token)


def test_hostile_tokens_and_codes_in_links(world, db):
    _token_paths(world)


def test_every_page_was_fuzzed_by_a_role_that_may_post():
    # Sanity: the page list covers every app's forms (so a new app's forms cannot be missed silently).
    names = {name for name, _ in pages()}
    for expected in (
        "schools:nominate",
        "schools:nomination_upload",
        "surveys:programme_import",
        "surveys:student_step",
        "consent:form",
        "mentoring:assignment",
        "placements:budget",
        "placements:register",
        "certificates:template_create",
        "certificates:revoke",
        "accounts:two_factor",
        "placements:person_create",
        "placements:person_edit",
        "placements:department_create",
        "mentoring:dashboard",
    ):
        assert expected in names
    assert set(ROLES) >= {role for _, role in pages()}


# --- CSV imports: whole hostile files, all-or-nothing ---------------------------------------------


def _nomination_header():
    from schools.forms import CSV_COLUMNS

    return list(CSV_COLUMNS)


cell = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30))


@st.composite
def nomination_csv(draw):
    header = _nomination_header()
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 9)) == 0:
        header = [*header[:-1], draw(cell)]  # a wrong header
    rows = []
    for index in range(draw(st.integers(0, 6))):
        good = {
            "first_name": f"Fuzz{index}",
            "last_name": "Tester",
            "date_of_birth": "2010-05-01",
            "year_group": "10",
            "reason": "Interested in policing.",
            "police_first_choice": "yes",
            "guardian_name": "Pat Tester",
            "guardian_email": f"pat{index}@example.org",
            "emergency_contact_name": "Pat Tester",
            "emergency_contact_phone": "01234 567890",
        }
        row = [good.get(column, "") for column in header]
        for position in draw(st.sets(st.integers(0, len(header) - 1), max_size=3)):
            row[position] = draw(cell)
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    raw = out.getvalue().encode("utf-8", "surrogatepass")
    mangle = draw(st.integers(0, 7))
    if mangle == 0:
        raw = raw.replace(b"Tester", b"Test\xe9r")  # Latin-1, not UTF-8
    elif mangle == 1:
        raw = raw.replace(b"Tester", b"Test\x00er")
    elif mangle == 2:
        raw = b"\xef\xbb\xbf" + raw  # a BOM (allowed)
    elif mangle == 3:
        raw = raw + b'"unterminated'
    return raw, len(rows)


@FUZZ
@given(payload=nomination_csv())
def _nomination_upload(world, payload):
    raw, _ = payload
    before = table_state()
    nominations_before = Nomination.objects.count()
    upload = SimpleUploadedFile("students.csv", raw, content_type="text/csv")
    url = world.urls["schools:nomination_upload"]
    response = world.fresh("contact_a").post(url, {"file": upload})
    assert response.status_code < 500
    made = Nomination.objects.count() - nominations_before
    if made == 0:
        assert changed_tables(before) == [], "a rejected upload changed data"
    else:
        # All or nothing: every data row became a nomination (and nothing else was half-written).
        data_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]
        assert made == len([row for row in data_rows if any(c.strip() for c in row)])


def test_nomination_csv_upload_is_all_or_nothing(world, db):
    _nomination_upload(world)


@st.composite
def answer_sheet(draw, header, rows):
    """The downloaded paper sheet with hostile cells, rows cut or repeated, and a wrong header now and then."""
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(cell, min_size=1, max_size=5))
    typed = st.one_of(
        st.sampled_from(["1", "3", "5", "7", "yes", "no", "Better than before", "A good week.", "not asked", ""]),
        cell,
    )
    out = []
    for _ in range(draw(st.integers(0, 6))):
        row = list(draw(st.sampled_from(rows))) if rows else [draw(cell)]
        for position in draw(st.sets(st.integers(0, max(len(row) - 1, 0)), max_size=4)):
            row[position] = draw(typed)
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + ["extra"] * draw(st.integers(0, 2))
        out.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(out)
    raw = buffer.getvalue().encode("utf-8", "surrogatepass")
    mangle = draw(st.integers(0, 6))
    if mangle == 0:
        raw = raw + b"\xff\xfe"
    elif mangle == 1:
        raw = raw.replace(b"week", b"we\x00ek")
    elif mangle == 2:
        raw = b"\xef\xbb\xbf" + raw
    return raw


def test_survey_paper_import_is_all_or_nothing(world, db):
    import html

    from surveys.models import Survey

    post = Survey.objects.get(programme=world.ids["programme"], phase="post")
    download = world.fresh("coord_a").get(f"/surveys/{post.pk}/paper-sheet.csv")
    header, *rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows, "the demo has students yet to answer the survey after the week"
    url = world.urls["surveys:programme_import"]

    @FUZZ
    @given(raw=answer_sheet(header, rows))
    def run(raw):
        with transaction.atomic():
            before = table_state()
            responses_before = Response.objects.count()
            client = world.fresh("coord_a")
            checked = client.post(url, {"file": SimpleUploadedFile("answers.csv", raw, content_type="text/csv")})
            assert checked.status_code in (200, 400)
            assert changed_tables(before) == [], "checking a sheet changed data"
            found = re.search(r'name="sheet" value="([^"]*)"', checked.content.decode())
            if checked.status_code == 200:
                students = checked.content.decode().count('<td role="cell" data-label="Answers">')
                saved = client.post(url, {"sheet": html.unescape(found.group(1))})
                assert saved.status_code in (302, 400)
                if saved.status_code == 302:
                    # All: every student the check listed got a response, with answers.
                    assert Response.objects.count() - responses_before == students > 0
                    assert Answer.objects.count() > 0
                else:
                    assert changed_tables(before) == [], "a refused save changed data"
            transaction.set_rollback(True)

    run()
