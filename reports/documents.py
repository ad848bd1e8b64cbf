"""The practice report as documents: pure functions from the figures to bytes (PDF and DOCX)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from weasyprint import HTML

from certificates.rendering import SafeURLFetcher

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "reports" / "fonts"
NAVY = RGBColor(0x1D, 0x35, 0x57)


def practice_report_html(figures: dict[str, Any]) -> str:
    return render_to_string("reports/pdf/practice_report.html", {"f": figures, "fonts": FONTS_DIR.as_uri()})


def practice_report_pdf(figures: dict[str, Any]) -> bytes:
    """A tagged PDF (PDF/UA-1: headings, tables and reading order for screen readers), fonts embedded."""
    document = HTML(string=practice_report_html(figures), url_fetcher=SafeURLFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")


# --- DOCX -------------------------------------------------------------------------------------


def _table(doc, caption: str, headings: list[str], rows: list[list[str]], *, numeric_from: int = 1, foot=None):
    doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Light List Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    for values in rows + ([foot] if foot else []):
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = str(value)
            if index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # Repeat the heading row on each page, as a screen reader and a printed page both expect.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    doc.add_paragraph()
    return table


def _bullets(doc, lines):
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")


def practice_report_docx(figures: dict[str, Any]) -> bytes:
    """The same report as an editable Word document, built from the same figures."""
    f = figures
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = NAVY
    programme = f["programme"]
    doc.core_properties.title = f"{programme['title']}: practice report"
    doc.core_properties.author = programme["force"]
    doc.core_properties.language = "en-GB"

    doc.add_paragraph(f"{programme['force']} · Practice report")
    doc.add_heading(programme["title"], level=0)
    doc.add_paragraph(f"{programme['kind']}, {_day(programme['start_date'])} to {_day(programme['end_date'])}")

    money, outcomes, delivery, selection = f["money"], f["outcomes"], f["delivery"], f["selection"]
    doc.add_heading("At a glance", level=1)
    glance = [f"{money['students']} students placed from {selection['schools_with_places']} schools"]
    approach = outcomes["approachability"]
    if approach and approach.get("change"):
        glance.append(f"{approach['change']} approachability score")
    glance += [f"{h['pct']} {h['text']}" for h in outcomes["headlines"]]
    glance.append(
        f"{money['actual']} spent" + (f", {money['cost_per_student']} a student" if money["cost_per_student"] else "")
    )
    _bullets(doc, glance)

    if f["written"]["aims"]:
        doc.add_heading("Aims", level=1)
        _bullets(doc, f["written"]["aims"])

    doc.add_heading("Reach and selection", level=1)
    for paragraph in f["written"]["selection"].splitlines():
        if paragraph.strip():
            doc.add_paragraph(paragraph.strip())
    doc.add_paragraph(_selection_sentence(f))
    doc.add_paragraph("The schools taking part: " + "; ".join(selection["schools"]) + ".")
    doc.add_heading("Who was reached", level=2)
    doc.add_paragraph(_suppression_note(f["threshold"]))
    for table in f["reach"]["tables"]:
        if table["key"] == "pipeline":
            continue
        _table(
            doc,
            f"{table['title']} ({table['total']} students)",
            ["Group", "Students", "Share"],
            [[r["label"], r["count"], r["share"]] for r in table["rows"]],
        )

    doc.add_heading("What the week held and who delivered it", level=1)
    doc.add_paragraph(_delivery_sentence(delivery))
    _table(
        doc,
        "Activities",
        ["Activity", "Kind", "Delivered by", "Sessions", "Staff each"],
        [[a["title"], a["kind"], a["delivered_by"], a["sessions"], a["staff"]] for a in delivery["activities"]],
        numeric_from=3,
    )
    if delivery["swaps"]:
        doc.add_paragraph("Stand-in activities: " + "; ".join(delivery["swaps"]) + ".")
    if delivery["hours"]:
        _table(
            doc,
            "Staff hours by department",
            ["Department", "Delivering", "Planning", "Total"],
            [
                [h["department"], _hours(h["delivery"]), _hours(h["planning"]), _hours(h["total"])]
                for h in delivery["hours"]
            ],
            foot=["All departments", "", "", _hours(delivery["hours_total"])],
        )
    if delivery["attendance_pct"] is not None:
        doc.add_paragraph(f"Attendance: students were there on {delivery['attendance_pct']}% of the days recorded.")

    doc.add_heading("What it cost", level=1)
    if money["allocated"]:
        doc.add_paragraph(money["allocated"])
    _table(
        doc,
        "Budget by category",
        ["Category", "Planned", "Spent"],
        [[line["category"], line["planned"], line["actual"]] for line in money["lines"]],
        foot=["Total", money["planned"], money["actual"]],
    )
    if money["cost_per_student"]:
        doc.add_paragraph(
            f"Cost per student: {money['cost_per_student']} spent ({money['planned_per_student']} planned), "
            f"across {money['students']} students. Staff time is not included."
        )
    for sentence in money.get("value", []):
        doc.add_paragraph(sentence, style="List Bullet")
    if money["comparable"]:
        doc.add_paragraph(money["comparable"])

    doc.add_heading("What changed", level=1)
    r = outcomes["respondents"]
    doc.add_paragraph(
        f"{r['pre']} students answered the survey before the week and {r['post']} after it; {r['paired']} answered "
        "both, and only their answers are compared."
    )
    _bullets(doc, [f"{h['pct']} {h['text']} ({h['n']} answered)." for h in outcomes["headlines"]])
    for q in outcomes["questions"]:
        doc.add_heading(q["name"] + (f": {q['change']}" if q.get("change") else ""), level=2)
        doc.add_paragraph(q["text"])
        if q["statistic"]:
            doc.add_paragraph(q["statistic"]).runs[0].italic = True
    doc.add_heading("Caveats", level=2)
    _bullets(doc, outcomes["caveats"])
    if outcomes["activities"]:
        _table(
            doc,
            "How students rated the activities (average out of 5)",
            ["Activity", "Average", "Answers"],
            [[a["title"], a["mean"], a["n"]] for a in outcomes["activities"]],
        )
    if outcomes["quotes"]:
        doc.add_heading("In the students' words", level=2)
        for quote in outcomes["quotes"]:
            doc.add_paragraph(f"“{quote}”", style="Quote")
    doc.add_heading("Mentoring and the path into the force", level=2)
    contacts = outcomes["mentor_contacts"]
    doc.add_paragraph(f"Mentors recorded {contacts} contact{'s' if contacts != 1 else ''} with their mentees.")
    for table in f["reach"]["tables"]:
        if table["key"] == "pipeline":
            _table(
                doc,
                f"{table['title']} (of {table['total']} students)",
                ["Milestone", "Students"],
                [[row["label"], row["count"]] for row in table["rows"]],
            )

    for key, title in (("lessons_learned", "Lessons learned"), ("next_steps", "Next steps")):
        if f["written"][key]:
            doc.add_heading(title, level=1)
            _bullets(doc, f["written"][key])

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _suppression_note(threshold: int) -> str:
    return (
        f"To protect the children, any number below {threshold} is shown as “fewer than {threshold}”, and a further "
        "figure is left out (“not shown”) wherever it would let a hidden number be worked out from the totals, in "
        "this table or another. The force does not record ethnicity, so it is not reported. Deprivation and free "
        "school meals describe the student's school, not the student. Whether students chose the police first is "
        "given with the survey results below."
    )


def _selection_sentence(f):
    s, money = f["selection"], f["money"]
    text = f"{s['nominated']} students were nominated by {s['school_count']} schools for {s['capacity']} places"
    if s["reserved_send_places"]:
        text += f", of which {s['reserved_send_places']} were reserved for students from special (SEND or LDD) schools"
    text += f". {money['students']} took up a place, from {s['schools_with_places']} schools"
    if s["send_school_count"]:
        text += f" ({s['send_school_count']} of them special schools)"
    if s["areas"]:
        text += f" in {len(s['areas'])} postcode districts ({', '.join(s['areas'])})"
    return text + "."


def _delivery_sentence(d):
    text = (
        f"Over {d['days']} days, the students worked in {d['syndicates']} syndicates, each led by a volunteer "
        f"({d['syndicate_leads']} leads). They took part in {d['scenario_count']} scenarios and "
        f"{d['demonstration_count']} demonstrations"
    )
    if d["departments"]:
        text += ", delivered by " + ", ".join(d["departments"])
    return text + "."


def _hours(value) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"
