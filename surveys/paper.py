"""The paper answer sheet: one row per student, one column per question in the question's own words.

The coordinator downloads it (CSV or Excel) with each student's name and school already in, types in
the answers from the paper forms, and uploads it. Rows are matched by the sheet's reference, not by
name, so a typo in a name cannot put answers on the wrong student. The reference is an HMAC of the
invitation's random salt under SECRET_KEY: it shows no database number, works only for this programme's
sheet, and stops working when the student's data is erased (erasure draws a new salt).
"""

from __future__ import annotations

import csv
import hmac
import io
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from placements.models import Session

from . import standard
from .models import Invitation, Question

if TYPE_CHECKING:
    from placements.models import Programme

REFERENCE_HEADER = "Sheet reference (do not change)"
STUDENT_HEADER = "Student"
SCHOOL_HEADER = "School"
NOT_ASKED = "not asked"
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
REFERENCE_LENGTH = 8
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_XLSX_UNPACKED = 40 * 1024 * 1024  # a 2 MB upload that unpacks to more than this is not a sheet of answers


class SheetUnreadable(ValueError):
    """The upload is not a CSV or Excel file this page can read; the message says what to do."""


def sheet_reference(invitation: Invitation) -> str:
    """The row's reference, such as KM3P-7QXA: HMAC-SHA256 of the invitation's salt, written in 8 letters."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"survey-paper-row:{invitation.token_salt}".encode(), "sha256")
    number = int.from_bytes(digest.digest(), "big")
    letters = []
    for _ in range(REFERENCE_LENGTH):
        number, index = divmod(number, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[index])
    return f"{''.join(letters[:4])}-{''.join(letters[4:])}"


def normalise_reference(value: str) -> str:
    letters = "".join(ch for ch in value.upper() if ch.isalnum())
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == REFERENCE_LENGTH else letters


def answer_hint(question: Question) -> str:
    """What to type, in words: the scale's ends, yes or no, the choices."""
    if question.kind == Question.Kind.LIKERT:
        labels = standard.scale_labels(question.code, easy_read=False)
        return f"1 = {labels[0].lower()} to 5 = {labels[-1].lower()}"
    if question.kind == Question.Kind.YES_NO:
        return "yes or no"
    if question.kind == Question.Kind.CHOICE:
        labels = [str(label) for _code, label in question.choices]
        return " or ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)
    return "free text, or leave empty"


def question_header(question: Question, number: int) -> str:
    return f"{number}. {question.text} ({answer_hint(question)})"


def normalise_heading(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().lstrip("'")).casefold()


def question_columns(questions: list[Question]) -> dict[str, Question]:
    """Each heading a question's column may have (numbered with its hint, or its bare words) → the question."""
    by_heading = {}
    texts = defaultdict(list)
    for number, question in enumerate(questions, 1):
        by_heading[normalise_heading(question_header(question, number))] = question
        texts[normalise_heading(question.text)].append(question)
    for text, same in texts.items():
        if len(same) == 1:
            by_heading.setdefault(text, same[0])
    return by_heading


def cell_answer(question: Question, raw: str) -> str:
    """The typed answer in the form `services.parse_answer` reads: a choice's label becomes its code."""
    if question.kind == Question.Kind.CHOICE:
        lowered = raw.strip().casefold()
        for code, label in question.choices:
            if lowered in (str(code).casefold(), str(label).casefold()):
                return str(code)
    if question.kind == Question.Kind.LIKERT:
        return raw.strip()
    return raw


def attended_by_syndicate(programme: Programme) -> dict[int, set[str]]:
    """{syndicate id: slugs of the activities it attended}: one query for the whole programme."""
    attended = defaultdict(set)
    rows = Session.objects.filter(
        programme=programme, status=Session.Status.PLANNED, syndicates__isnull=False
    ).values_list("syndicates", "activity__slug")
    for syndicate_id, slug in rows:
        attended[syndicate_id].add(slug)
    return attended


def is_asked(question: Question, syndicate_id: int | None, attended: dict[int, set[str]]) -> bool:
    """Activity ratings are asked only of students whose syndicate attended (as questions_for_invitation)."""
    if question.code.startswith(standard.OUTCOME_PREFIX):
        if question.learning_outcome_id is None:  # the outcome was taken off its activity: no longer asked
            return False
        return standard.outcome_activity_slug(question.code) in attended.get(syndicate_id, set())
    if not question.code.startswith(standard.ACTIVITY_PREFIX):
        return True
    return question.code[len(standard.ACTIVITY_PREFIX) :] in attended.get(syndicate_id, set())


# --- reading an upload --------------------------------------------------------------------------------


def read_sheet(name: str, data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV or Excel file as text cells, or SheetUnreadable saying what to do."""
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise SheetUnreadable("The file is empty. Download the sheet, type the answers in, and upload it.")
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves "CSV (Comma delimited)" as cp1252
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetUnreadable("The file is not text we can read. Upload the Excel file (.xlsx) instead.")
    text = text.replace("\x00", "")
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append([cell.strip() for cell in row[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS + 1:
                raise SheetUnreadable(f"The file has more than {MAX_ROWS} rows; is it the right file?")
    except csv.Error:
        raise SheetUnreadable(
            "The file could not be read as CSV (a quote mark may be missing). Upload the Excel file instead."
        ) from None
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    unreadable = SheetUnreadable("The file could not be read as an Excel workbook (.xlsx). Save it again and retry.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise SheetUnreadable("The workbook is far larger than a sheet of answers; is it the right file?")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                rows.append([_cell_text(value) for value in row])
                if len(rows) > MAX_ROWS + 1:
                    raise SheetUnreadable(f"The sheet has more than {MAX_ROWS} rows; is it the right file?")
        finally:
            workbook.close()
    except SheetUnreadable:
        raise
    except Exception:  # noqa: BLE001 - a damaged workbook makes openpyxl raise errors of many kinds
        raise unreadable from None
    return rows
