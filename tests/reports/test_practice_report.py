"""The practice report of the demo's finished week: seed 001's published figures, read back from the PDF and
the DOCX; who may open it; the coordinator's own parts; suppression on the real report."""

import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from accounts.models import User
from core.personal_data import Erasing, Needles, registry
from placements.models import Programme
from reports import reach, selectors
from reports.models import PracticeReport
from surveys.models import Answer

URL_NAMES = ["practice_report", "practice_report_edit", "practice_report_pdf", "practice_report_docx"]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Programme.objects.get(title__startswith="Work-experience week, July")


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _flat(text):
    return re.sub(r"\s+", " ", text)


SEED_001 = [
    "+11.3 %",  # approachability
    "83% said their view of the police had changed for the better",
    "100% would recommend the week",
    "100% asked to be given a career mentor",
    "Two-thirds of the students who answered both surveys had chosen the police as their first choice",
    "The budget allocated was £2,700, provided by Workforce Development",
    "Transport £550 £550",
    "Catering £1,000 £1,000",
    "Overtime £500 £500",
    "Miscellaneous delivery costs £700 £700",
]


def test_the_pdf_reproduces_seed_001s_figures_and_is_tagged(demo, tmp_path):
    response = _client("coordinator").get(reverse("reports:practice_report_pdf", args=[demo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = _flat(
        subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    )
    for figure in SEED_001:
        assert figure in text, figure
    # The four lines plan £2,750 between them (as seed 001's own categories do): said, not hidden.
    assert "the lines below plan £50 more than that" in text
    assert "a missing person investigation costs about £2,400" in text
    # Tagged for screen readers (PDF/UA-1): a structure tree, marked content, a language and a title.
    root = PdfReader(path).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"


def test_the_docx_reproduces_the_same_figures(demo):
    response = _client("coordinator").get(reverse("reports:practice_report_docx", args=[demo.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" ".join(cell.text for cell in row.cells) for row in table.rows]
    text = _flat(" ".join(parts))
    for figure in SEED_001:
        assert figure in text, figure
    assert "Lessons learned" in text and "Next steps" in text


def test_no_published_reach_figure_is_small_or_recoverable(demo):
    figures = selectors.reach_tables(demo)
    published, population = figures["_published"], figures["_population"]
    assert len(population) == 16
    for table in published:
        for cell in table.cells:
            assert not cell.shown or cell.count >= reach.THRESHOLD, (table.key, cell.label)
    assert reach.recoverable(published, population) == []
    # The demo has small groups (two girls, four SEND students), so something was hidden and said so.
    assert figures["any_hidden"]
    body = _client("coordinator").get(reverse("reports:practice_report", args=[demo.pk])).content.decode()
    assert "fewer than 5" in body and "not shown" in body


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("username", ["contact.oakfield", "lead1", "mentor", "other_force"])
def test_only_the_forces_coordinators_can_open_it(demo, name, username, coordinator_b):
    coordinator_b.username = "other_force"
    coordinator_b.save()
    response = _client(username).get(reverse(f"reports:{name}", args=[demo.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_visitors_are_sent_to_sign_in(demo, name):
    response = Client().get(reverse(f"reports:{name}", args=[demo.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_coordinator_writes_their_parts_and_sees_them_in_the_preview(demo):
    client = _client("coordinator")
    url = reverse("reports:practice_report_edit", args=[demo.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "The dogs were the best bit." in page.content.decode()
    quote = Answer.objects.filter(question__survey__programme=demo, value_text="The dogs were the best bit.").first()
    response = client.post(
        url,
        {
            "aims": "Reach students who would not otherwise come.\nBuild trust.",
            "selection": "",
            "lessons_learned": "Book the coaches early.",
            "next_steps": "Two weeks next summer.",
            "comparable_cost": "",
            "comparable_cost_label": "",
            "quotes": [quote.pk],
        },
    )
    assert response.status_code == 302
    report = PracticeReport.objects.get(programme=demo)
    assert report.is_written and list(report.quotes.all()) == [quote]
    preview = client.get(reverse("reports:practice_report", args=[demo.pk])).content.decode()
    assert "Book the coaches early." in preview and "Two weeks next summer." in preview
    # The sponsor and allocation are the programme's, set on its budget page: the report reads them there.
    assert "provided by Workforce Development" in preview
    demo.sponsor, demo.budget_allocated = "Prevention First", Decimal("3000")
    demo.save(update_fields=["sponsor", "budget_allocated"])
    preview = client.get(reverse("reports:practice_report", args=[demo.pk])).content.decode()
    assert "The budget allocated was £3,000, provided by Prevention First" in preview


def test_bad_input_is_refused_with_a_message_not_a_500(demo):
    client = _client("coordinator")
    url = reverse("reports:practice_report_edit", args=[demo.pk])
    response = client.post(url, {"comparable_cost": "-5"})
    assert response.status_code == 400
    assert "Give an amount in pounds: £0 or more." in response.content.decode()
    response = client.post(url, {"comparable_cost": "lots"})
    assert response.status_code == 400
    assert "Give an amount in pounds, e.g. 2400." in response.content.decode()
    # A quote from another programme's survey is not one of the choices.
    other = (
        Answer.objects.exclude(question__survey__programme=demo)
        .filter(question__kind="text")
        .exclude(value_text="")
        .first()
    )
    assert other is not None  # the running week's students wrote what they hoped for
    response = client.post(url, {"aims": "x", "quotes": [other.pk]})
    assert response.status_code == 400
    assert PracticeReport.objects.get(programme=demo).aims != "x"


def test_the_programme_page_links_to_it_and_the_task_list_has_the_step(demo):
    body = _client("coordinator").get(reverse("placements:programme_detail", args=[demo.pk])).content.decode()
    assert reverse("reports:practice_report", args=[demo.pk]) in body
    assert "Practice report" in body


def test_erasing_a_student_takes_their_words_out_of_the_report(demo):
    report = PracticeReport.objects.get(programme=demo)
    quoted = report.quotes.select_related("response__invitation__placement__nomination").first()
    assert quoted is not None
    nomination = quoted.response.invitation.placement.nomination
    declaration = next(d for d in registry if "reports.practicereport" in d.holds)
    assert declaration.rows(nomination)["practice_reports_quoting"] == [report]
    declaration.erase(Erasing(nomination=nomination, needles=Needles(), replacement="", now=timezone.now()))
    assert quoted not in report.quotes.all()
    assert declaration.rows(nomination)["practice_reports_quoting"] == []


def test_a_quote_key_past_64_bits_is_refused_not_a_server_error(coordinator, programme_a, client_for):
    response = client_for(coordinator).post(
        f"/programmes/{programme_a.pk}/practice-report/edit/", {"quotes": ["9224400558343847936"]}
    )
    assert response.status_code == 400
