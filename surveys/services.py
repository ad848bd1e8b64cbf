"""Writes for surveys: set-up from the force's templates, invitations, drafts, responses, paper import."""

from __future__ import annotations

import csv
import hmac
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone, translation

from core.audit import audit_action
from core.errors import DomainError
from core.languages import language_for, language_for_student
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.models import OutboundEmail
from core.services import email_queue
from placements.models import LearningOutcome, Placement, Session
from schools.models import Institution, InstitutionContact

from . import paper, question_cache, standard
from .models import Answer, Invitation, Question, Response, Survey, SurveyTemplate, TemplateQuestion
from .report_cache import reports_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from placements.models import Activity, Force, Programme

SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
SHORT_CODE_LENGTH = 10
MAX_TEXT_ANSWER = 2000
CSV_HEADER = ["placement", "phase", "question", "answer"]
CSV_MAX_ROWS = 20000
REMINDER_AFTER = timedelta(days=3)
MAX_REMINDERS = 2
MAX_CODE_DRAWS = 5


class SurveyError(DomainError):
    """Anything a survey action refuses to do; `errors` lists row-by-row problems of an import."""

    def __init__(self, message: str, errors: list | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


# --- tokens -------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The link token: HMAC of the invitation's 128-bit random salt under SECRET_KEY (256 bits).

    Only its SHA-256 is stored; a copy of the database alone cannot rebuild a link, yet the coordinator
    can print the QR sheet again or resend links without invalidating the ones already handed out.
    """
    return link_token("survey-invitation", invitation.token_salt)


def invitation_path(pk: int) -> str | None:
    """The working survey link of Invitation `pk` (for the outbox at send time), or None."""
    invitation = Invitation.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = invitation and invitation_token(invitation)
    return f"/s/{token}/" if token and token_hash(token) == invitation.token_hash else None


def normalise_short_code(value: str | None) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[: SHORT_CODE_LENGTH + 4]


def invitation_short_code(invitation: Invitation) -> str:
    """The code a student types at /s/code/, made from the invitation's salt under SECRET_KEY; never stored.

    HMAC-SHA256 of `survey-code:<salt>` read as a number and written in SHORT_CODE_ALPHABET (31^10,
    about 50 bits; the bias of taking 256 bits modulo 31^10 is negligible).
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"survey-code:{invitation.token_salt}".encode(), "sha256")
    number = int.from_bytes(digest.digest(), "big")
    letters = []
    for _ in range(SHORT_CODE_LENGTH):
        number, index = divmod(number, len(SHORT_CODE_ALPHABET))
        letters.append(SHORT_CODE_ALPHABET[index])
    return "".join(letters)


def short_code_hash(code: str | None) -> str:
    """What is stored to look a typed code up: an HMAC under SECRET_KEY of the normalised code.

    Keyed rather than a plain SHA-256 because a code has only about 50 bits: every code's SHA-256
    could be computed from a copy of the database in a day or so, not its HMAC without the key.
    """
    return hmac.new(
        settings.SECRET_KEY.encode(), f"survey-code-lookup:{normalise_short_code(code)}".encode(), "sha256"
    ).hexdigest()


def invitation_code_text(pk: int) -> str:
    """The formatted code of Invitation `pk` (for the outbox at send time), or a note that it no longer works."""
    invitation = Invitation.objects.filter(pk=pk).only("token_salt", "short_code_hash").first()
    code = invitation and invitation_short_code(invitation)
    if code and short_code_hash(code) == invitation.short_code_hash:
        return format_short_code(code)
    return "(this code no longer works)"


def _invitations_with_credentials(invitations: list[Invitation]) -> list[Invitation]:
    """Give each new invitation its link token hash and code hash; a code already taken gets a new salt.

    Two salts giving the same code is very rare (about one pair in 10^15), but the unique index would
    then refuse the whole set-up, so a clash with a stored code or another new one draws again.
    """
    pending, taken = list(invitations), set()
    for _ in range(MAX_CODE_DRAWS):
        for invitation in pending:
            invitation.short_code_hash = short_code_hash(invitation_short_code(invitation))
            invitation.token_hash = token_hash(invitation_token(invitation))
        hashes = [invitation.short_code_hash for invitation in pending]
        for start in range(0, len(hashes), 1000):  # bounded IN lists (SQLite's variable limit)
            chunk = hashes[start : start + 1000]
            taken |= set(Invitation.objects.filter(short_code_hash__in=chunk).values_list("short_code_hash", flat=True))
        clashes = []
        for invitation in pending:
            if invitation.short_code_hash in taken:
                invitation.token_salt = new_token_salt()
                clashes.append(invitation)
            else:
                taken.add(invitation.short_code_hash)
        if not clashes:
            return invitations
        pending = clashes
    raise SurveyError("Could not give every student a survey code of their own. Please try again.")


# --- templates and set-up -------------------------------------------------------------------------


@transaction.atomic
def survey_template_ensure_standard(*, force: Force) -> dict[str, SurveyTemplate]:
    """Give the force its standard pre and post templates if it has none yet; returns them by phase."""
    templates = {}
    for phase, questions in (("pre", standard.PRE), ("post", standard.POST)):
        title, intro = standard.TITLES[phase]
        title_cy, intro_cy = standard.TITLES_CY[phase]
        template, created = SurveyTemplate.objects.get_or_create(
            force=force,
            phase=phase,
            defaults={"title": title, "intro": intro, "title_cy": title_cy, "intro_cy": intro_cy},
        )
        if created:
            TemplateQuestion.objects.bulk_create(
                TemplateQuestion(
                    template=template,
                    code=code,
                    kind=kind,
                    text=text,
                    easy_read_text=easy,
                    choices=choices,
                    order=order,
                    required=required,
                    per_activity=per_activity,
                    **dict(
                        zip(
                            ("text_cy", "easy_read_text_cy", "choices_cy"),
                            standard.welsh_words(code, choices),
                            strict=True,
                        )
                    ),
                )
                for order, (code, kind, text, easy, choices, required, per_activity) in enumerate(questions, 1)
            )
        templates[phase] = template
    return templates


@transaction.atomic
def survey_setup_programme(*, programme: Programme, actor: AbstractBaseUser | None = None) -> dict[str, Survey]:
    """Copy the force's templates into the programme (once), add activity questions, invite every placement.

    Safe to run again: it only adds what is missing (new activities in the timetable, new placements).
    """
    templates = survey_template_ensure_standard(force=programme.force)
    activities = _programme_activities(programme)
    surveys = {}
    for phase, template in templates.items():
        survey, _ = Survey.objects.get_or_create(
            programme=programme,
            phase=phase,
            defaults={
                "title": template.title,
                "intro": template.intro,
                "title_cy": template.title_cy,
                "intro_cy": template.intro_cy,
            },
        )
        existing = set(survey.questions.values_list("code", flat=True))
        new = []
        for item in template.questions.all():
            fields = {
                "kind": item.kind,
                "choices": item.choices,
                "choices_cy": item.choices_cy,
                "required": item.required,
            }
            if item.per_activity:
                for number, activity in enumerate(activities, 1):
                    code = f"{standard.ACTIVITY_PREFIX}{activity.slug}"
                    welsh = activity.title_cy or activity.title  # the Welsh questions name it in Welsh
                    if code not in existing:
                        new.append(
                            Question(
                                survey=survey,
                                code=code,
                                text=item.text.replace("{activity}", activity.title)[:300],
                                easy_read_text=item.easy_read_text.replace("{activity}", activity.title)[:300],
                                text_cy=item.text_cy.replace("{activity}", welsh)[:300],
                                easy_read_text_cy=item.easy_read_text_cy.replace("{activity}", welsh)[:300],
                                order=item.order * 100 + number,
                                **fields,
                            )
                        )
            elif item.code not in existing:
                new.append(
                    Question(
                        survey=survey,
                        code=item.code,
                        text=item.text,
                        easy_read_text=item.easy_read_text,
                        text_cy=item.text_cy,
                        easy_read_text_cy=item.easy_read_text_cy,
                        order=item.order * 100,
                        **fields,
                    )
                )
        Question.objects.bulk_create(new)
        question_cache.questions_changed()  # bulk_create sends no signal
        invitation_create_missing(survey=survey)
        surveys[phase] = survey
    return surveys


def outcome_questions_missing(survey: Survey) -> list[tuple[Activity, LearningOutcome]]:
    """The learning outcomes of the programme's timetabled activities that the post survey does not ask yet,
    in the week's order (three queries)."""
    if survey.phase != Survey.Phase.POST:
        return []
    asked = set(survey.questions.exclude(learning_outcome=None).values_list("learning_outcome_id", flat=True))
    activities = _programme_activities(survey.programme)
    outcomes = defaultdict(list)
    for outcome in LearningOutcome.objects.filter(activity__in=[a.pk for a in activities]).order_by("position", "pk"):
        outcomes[outcome.activity_id].append(outcome)
    return [(a, o) for a in activities for o in outcomes[a.pk] if o.pk not in asked]


@transaction.atomic
def survey_outcome_questions_add(*, survey: Survey, actor: AbstractBaseUser | None) -> int:
    """Ask students in the post survey to rate each learning outcome of the activities their syndicate attended.

    One question per outcome, placed right after the activity's own rating, in plain and easy-read words; it
    adds only what is missing, so it can run again after outcomes or the timetable change.
    """
    if survey.phase != Survey.Phase.POST:
        raise SurveyError("Learning outcomes are asked after the week: use the survey for after the programme.")
    survey = Survey.objects.select_for_update().select_related("programme").get(pk=survey.pk)
    missing = outcome_questions_missing(survey)
    if not missing:
        raise SurveyError(
            "There are no learning outcomes to add: give the timetabled activities outcomes in the activity "
            "catalogue first, or they are asked already."
        )
    existing = {q.code: q for q in survey.questions.filter(code__startswith=standard.ACTIVITY_PREFIX)}
    after = max((q.order for q in survey.questions.all()), default=0)
    questions = []
    for activity, outcome in missing:
        rating = existing.get(f"{standard.ACTIVITY_PREFIX}{activity.slug}")
        plain = {"activity": activity.title, "outcome": _in_a_question(outcome.text)}
        easy_words = {"activity": activity.title, "outcome": _in_a_question(outcome.easy_read_text or outcome.text)}
        # In Welsh, the Welsh names where the coordinator gave them (one Welsh outcome for both kinds of words).
        welsh = {"activity": activity.title_cy or activity.title}
        if outcome.text_cy:
            welsh["outcome"] = _in_a_question(outcome.text_cy)
        questions.append(
            Question(
                survey=survey,
                code=f"{standard.OUTCOME_PREFIX}{activity.slug}:{outcome.pk}"[:100],
                kind=Question.Kind.LIKERT,
                text=standard.OUTCOME_TEXT.format(**plain)[:300],
                easy_read_text=standard.OUTCOME_EASY.format(**easy_words)[:300],
                text_cy=standard.OUTCOME_TEXT_CY.format(**plain | welsh)[:300],
                easy_read_text_cy=standard.OUTCOME_EASY_CY.format(**easy_words | welsh)[:300],
                # Same order as the activity's own rating and made after it, so it follows that question.
                order=rating.order if rating else after,
                required=False,
                learning_outcome=outcome,
            )
        )
    Question.objects.bulk_create(questions)
    question_cache.questions_changed()  # bulk_create sends no signal
    audit_action(actor=actor, action="Learning outcome questions added", instance=survey, questions=len(questions))
    return len(questions)


def _in_a_question(words: str) -> str:
    """An outcome's words inside a question's sentence: a capital that only starts the words lowered, no stop."""
    words = words[:1].lower() + words[1:] if words[1:2].islower() else words
    return words.rstrip(".?")


def _programme_activities(programme: Programme) -> list[Activity]:
    seen = {}
    sessions = (
        Session.objects.filter(programme=programme, status=Session.Status.PLANNED)
        .select_related("activity")
        .order_by("starts_at")
    )
    for session in sessions:
        seen.setdefault(session.activity_id, session.activity)
    return list(seen.values())


@transaction.atomic
def invitation_create_missing(*, survey: Survey) -> int:
    """One invitation per confirmed placement of the survey's programme; returns how many were made."""
    placements = Placement.objects.filter(programme=survey.programme_id, status=Placement.Status.CONFIRMED).exclude(
        survey_invitations__survey=survey
    )
    made = []
    for placement in placements:
        made.append(Invitation(survey=survey, placement=placement))
    Invitation.objects.bulk_create(_invitations_with_credentials(made))
    return len(made)


# --- answers -----------------------------------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Free text as stored: no NUL bytes (PostgreSQL refuses them), trimmed, bounded."""
    value = (value or "").replace("\x00", "").strip()
    return value[:MAX_TEXT_ANSWER]


def parse_answer(question: Question, raw: Any) -> tuple[int | None, str]:
    """(value_int, value_text) for a raw answer, or ValueError with a message a person can act on."""
    raw = clean_text(str(raw) if raw is not None else "")
    if question.kind == Question.Kind.LIKERT:
        if raw not in {"1", "2", "3", "4", "5"}:
            raise ValueError("must be a whole number from 1 to 5")
        return int(raw), ""
    if question.kind == Question.Kind.YES_NO:
        lowered = raw.lower()
        if lowered not in {"yes", "no"}:
            raise ValueError("must be yes or no")
        return (1 if lowered == "yes" else 0), ""
    if question.kind == Question.Kind.CHOICE:
        codes = [code for code, _label in question.choices]
        if raw not in codes:
            raise ValueError(f"must be one of: {', '.join(codes)}")
        return None, raw
    return None, raw


def questions_for_invitation(invitation: Invitation) -> list[Question]:
    """The questions this student is asked: activity and learning-outcome ratings only for what their
    syndicate attended (one query)."""
    syndicate_id = invitation.placement.syndicate_id
    return question_cache.questions_cached(
        invitation.survey_id, syndicate_id, lambda: _questions_asked(invitation.survey, syndicate_id)
    )


def _questions_asked(survey: Survey, syndicate_id: int | None) -> list[Question]:
    asked = ~Q(code__startswith=standard.ACTIVITY_PREFIX) & ~Q(code__startswith=standard.OUTCOME_PREFIX)
    if syndicate_id:
        sessions = Session.objects.filter(
            programme=survey.programme_id, syndicates=syndicate_id, status=Session.Status.PLANNED
        )
        attended = sessions.filter(activity__slug=Substr(OuterRef("code"), len(standard.ACTIVITY_PREFIX) + 1))
        asked |= Q(code__startswith=standard.ACTIVITY_PREFIX) & Exists(attended)
        outcome_attended = sessions.filter(activity=OuterRef("learning_outcome__activity"))
        asked |= Q(code__startswith=standard.OUTCOME_PREFIX) & Exists(outcome_attended)
    return list(survey.questions.filter(asked))


def invitation_save_draft(*, invitation: Invitation, answers: Mapping[str, Any]) -> dict[str, str]:
    """Keep answers given so far (by question code) so a student who leaves can carry on later."""
    valid = {q.code: q for q in questions_for_invitation(invitation)}
    draft = dict(invitation.draft or {})
    for code, raw in answers.items():
        if code in valid:
            if raw in (None, ""):
                draft.pop(code, None)
            else:
                parse_answer(valid[code], raw)
                draft[code] = clean_text(str(raw))
    updated = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(draft=draft)
    if not updated:
        raise SurveyError("This survey has already been answered.")
    invitation.draft = draft
    return draft


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    answers: Mapping[str, Any],
    source: str = Response.Source.ONLINE,
    now: datetime | None = None,
) -> Response:
    """Save a whole questionnaire once; a second submission for the same invitation is refused."""
    now = now or timezone.now()
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.answered_at is not None or Response.objects.filter(invitation=locked).exists():
        raise SurveyError("This survey has already been answered.")
    questions = questions_for_invitation(locked)
    rows = []
    for question in questions:
        raw = answers.get(question.code)
        if raw in (None, ""):
            if question.required and source == Response.Source.ONLINE:
                raise SurveyError(f"Please answer: {question.text}")
            continue
        try:
            value_int, value_text = parse_answer(question, raw)
        except ValueError as exc:
            raise SurveyError(f"{question.text}: {exc}") from None
        if question.kind == Question.Kind.TEXT and not value_text:
            continue
        rows.append((question, value_int, value_text))
    try:
        with transaction.atomic():
            response = Response.objects.create(invitation=locked, source=source)
    except IntegrityError:
        raise SurveyError("This survey has already been answered.") from None
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value_int=value_int, value_text=value_text)
        for question, value_int, value_text in rows
    )
    reports_changed([locked.survey.programme_id])
    locked.answered_at = now
    locked.draft = {}
    locked.save(update_fields=["answered_at", "draft"])
    invitation.answered_at = now
    return response


# --- paper import ------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.") from None


@transaction.atomic
def responses_import_csv(*, programme: Programme, data: bytes | str, actor: AbstractBaseUser | None = None) -> int:
    """Import answers in the long format keyed by placement id (the command line and test data; coordinators
    use the paper sheet): every row is checked first; all are saved or none. Returns responses made.

    Raises SurveyError whose `errors` are (row number, message) pairs, rows counted as in a spreadsheet.
    """
    text = _decode(data).replace("\x00", "")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SurveyError(f"The file could not be read as CSV: {exc}") from None
    if not rows or [cell.strip().lower() for cell in rows[0]] != CSV_HEADER:
        raise SurveyError("The first row must be exactly: placement,phase,question,answer")
    if len(rows) - 1 > CSV_MAX_ROWS:
        raise SurveyError(f"The file has more than {CSV_MAX_ROWS} rows; split it into smaller files.")

    surveys = {s.phase: s for s in Survey.objects.filter(programme=programme)}
    questions = defaultdict(dict)
    for question in Question.objects.filter(survey__programme=programme).select_related("survey"):
        questions[question.survey.phase][question.code] = question
    placement_ids = set(Placement.objects.filter(programme=programme).values_list("pk", flat=True))
    answered = set(
        Invitation.objects.filter(survey__programme=programme)
        .filter(answered_at__isnull=False)
        .values_list("survey__phase", "placement_id")
    ) | set(
        Response.objects.filter(invitation__survey__programme=programme).values_list(
            "invitation__survey__phase", "invitation__placement_id"
        )
    )

    errors = []
    seen = set()
    parsed = defaultdict(list)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            errors.append((number, f"expected 4 columns, found {len(row)}"))
            continue
        placement_raw, phase, code, raw = (cell.strip() for cell in row)
        phase = phase.lower()
        try:
            placement_id = int(placement_raw)
        except ValueError:
            errors.append((number, f"placement must be a placement id (a number), not {placement_raw[:30]!r}"))
            continue
        if placement_id not in placement_ids:
            errors.append((number, f"placement {placement_id} is not on this programme"))
            continue
        if phase not in ("pre", "post"):
            errors.append((number, "phase must be pre or post"))
            continue
        if phase not in surveys:
            errors.append((number, f"this programme has no {phase} survey yet; set up surveys first"))
            continue
        question = questions[phase].get(code)
        if question is None:
            errors.append((number, f"no question with code {code[:60]!r} in the {phase} survey"))
            continue
        if (phase, placement_id) in answered:
            errors.append((number, f"placement {placement_id} has already answered the {phase} survey"))
            continue
        if (placement_id, phase, code) in seen:
            errors.append((number, f"a second answer to {code} for placement {placement_id} ({phase})"))
            continue
        seen.add((placement_id, phase, code))
        try:
            value_int, value_text = parse_answer(question, raw)
        except ValueError as exc:
            errors.append((number, f"{code}: {exc}"))
            continue
        parsed[(phase, placement_id)].append((question, value_int, value_text))
    if errors:
        raise SurveyError(f"Nothing was imported: {len(errors)} row(s) need fixing.", errors)
    if not parsed:
        raise SurveyError("The file has no answers in it.")

    invitations = {
        (inv.survey.phase, inv.placement_id): inv
        for inv in Invitation.objects.filter(survey__programme=programme).select_related("survey")
    }
    missing = [key for key in parsed if key not in invitations]
    for phase, placement_id in missing:
        (invitation,) = _invitations_with_credentials([Invitation(survey=surveys[phase], placement_id=placement_id)])
        invitation.save()
        invitations[(phase, placement_id)] = invitation
    now = timezone.now()
    responses = {}
    for key in parsed:
        responses[key] = Response.objects.create(invitation=invitations[key], source=Response.Source.PAPER)
    Answer.objects.bulk_create(
        Answer(response=responses[key], question=question, value_int=value_int, value_text=value_text)
        for key, items in parsed.items()
        for question, value_int, value_text in items
    )
    Invitation.objects.filter(pk__in=[invitations[key].pk for key in parsed]).update(answered_at=now, draft={})
    reports_changed([programme.pk])
    return len(responses)


# --- the paper answer sheet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRow:
    """One student's answers read from the paper sheet, checked and ready to save."""

    row: int
    invitation: Invitation
    answers: list[tuple[Question, int | None, str]]

    @property
    def name(self) -> str:
        return self.invitation.placement.nomination.full_name

    @property
    def school(self) -> str:
        return self.invitation.placement.nomination.institution.name


@dataclass(frozen=True)
class PaperSheetPlan:
    """What saving an uploaded sheet would do: the students whose answers are saved, and those left out."""

    rows: list[PaperRow]
    skipped: list[str]  # students on the sheet with no answers typed in (their form did not come back)


def _phase_words(phase: str) -> str:
    return "before the week" if phase == Survey.Phase.PRE else "after the week"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _quote(text: str, length: int = 160) -> str:
    text = " ".join(str(text).split())
    return f"“{text if len(text) <= length else text[: length - 1].rstrip() + '…'}”"


def _paper_sheet_plan(programme: Programme, rows: list[list[str]], *, lock: bool = False) -> PaperSheetPlan:
    """Check every row of a paper sheet against the programme; SurveyError lists every problem by row."""
    header = rows[0] if rows else []
    headings = [str(cell) for cell in header]
    fixed = {paper.REFERENCE_HEADER.casefold(), paper.STUDENT_HEADER.casefold(), paper.SCHOOL_HEADER.casefold()}
    ref_col = next(
        (i for i, cell in enumerate(headings) if cell.strip().casefold().startswith("sheet reference")), None
    )
    if ref_col is None:
        raise SurveyError(
            f"The first row must hold the sheet's headings, with the column {_quote(paper.REFERENCE_HEADER)}. "
            "Download the sheet from this page, type the answers into it and upload that."
        )
    student_col = next((i for i, c in enumerate(headings) if c.strip().casefold() == "student"), None)
    fixed_cols = {ref_col} | {i for i, cell in enumerate(headings) if cell.strip().casefold() in fixed}

    invitations = Invitation.objects.filter(survey__programme=programme).select_related(
        "survey", "placement__nomination__institution"
    )
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    by_reference = {paper.sheet_reference(invitation): invitation for invitation in invitations}
    questions = defaultdict(list)
    for question in Question.objects.filter(survey__programme=programme).select_related("survey"):
        questions[question.survey_id].append(question)
    surveys = {question.survey_id: question.survey for items in questions.values() for question in items}
    columns = {survey_id: paper.question_columns(items) for survey_id, items in questions.items()}
    answered = set(
        Response.objects.filter(invitation__survey__programme=programme).values_list("invitation_id", flat=True)
    )
    attended = paper.attended_by_syndicate(programme)

    errors = []
    # Which question each column holds, per survey (a sheet is one survey's, but the words decide).
    column_question = defaultdict(dict)
    for index, heading in enumerate(headings):
        if index in fixed_cols:
            continue
        key = paper.normalise_heading(heading)
        known = False
        for survey_id, by_heading in columns.items():
            question = by_heading.get(key)
            if question is None:
                continue
            known = True
            twin = next((i for i, q in column_question[survey_id].items() if q == question), None)
            if twin is not None:
                errors.append(
                    (
                        1,
                        f"Columns {_column_letter(twin)} and {_column_letter(index)} are both "
                        f"{_quote(question.text)}: keep one of them.",
                    )
                )
            column_question[survey_id][index] = question
        has_values = any(index < len(row) and str(row[index]).strip() for row in rows[1:])
        if not known and has_values:
            where = f"Column {_column_letter(index)}" + (f", {_quote(heading)}," if heading.strip() else "")
            errors.append(
                (
                    1,
                    f"{where} is not a question of this programme's surveys. "
                    "Use the headings of a freshly downloaded sheet, or delete the column.",
                )
            )

    plan, skipped, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(cell).strip() for cell in row]
        if not any(cells):
            continue
        reference = paper.normalise_reference(cells[ref_col] if ref_col < len(cells) else "")
        typed_name = cells[student_col] if student_col is not None and student_col < len(cells) else ""
        typed = f" (the row says {_quote(typed_name, 40)})" if typed_name else ""
        has_answers = any(
            value and value.casefold() != paper.NOT_ASKED
            for index, value in enumerate(cells)
            if index not in fixed_cols
        )
        if not reference:
            if has_answers:
                errors.append(
                    (
                        number,
                        f"The row has no sheet reference{typed}, so we cannot tell whose answers they are. "
                        "Copy the student's row from a freshly downloaded sheet.",
                    )
                )
            continue
        invitation = by_reference.get(reference)
        if invitation is None:
            errors.append(
                (
                    number,
                    f"The sheet reference {_quote(reference, 20)}{typed} is not one of the students of "
                    f"{programme.title}. Use the sheet downloaded from this programme's page.",
                )
            )
            continue
        nomination = invitation.placement.nomination
        label = f"{nomination.full_name} ({nomination.institution.name})"
        if invitation.pk in seen:
            errors.append((number, f"{label} is on row {seen[invitation.pk]} too: keep one row per student."))
            continue
        seen[invitation.pk] = number
        survey = invitation.survey
        phase = _phase_words(survey.phase)
        if not has_answers:
            skipped.append(nomination.full_name)
            continue
        if invitation.placement.status != invitation.placement.Status.CONFIRMED:
            errors.append((number, f"{label} is no longer on the programme (their place was withdrawn)."))
            continue
        if invitation.answered_at is not None or invitation.pk in answered:
            errors.append(
                (
                    number,
                    f"{label} has already answered the survey {phase}. "
                    "Empty the answers in this row (or delete the row) and upload again.",
                )
            )
            continue
        own = column_question.get(survey.pk, {})
        items = []
        for index, raw in enumerate(cells):
            if index in fixed_cols or not raw or raw.casefold() == paper.NOT_ASKED:
                continue
            question = own.get(index)
            if question is None:
                other = next((qs[index] for sid, qs in column_question.items() if index in qs), None)
                if other is not None:
                    errors.append(
                        (
                            number,
                            f"{label}: {_quote(other.text)} is a question of the survey "
                            f"{_phase_words(surveys[other.survey_id].phase)}, but this row is for the "
                            f"survey {phase}. Leave it empty here.",
                        )
                    )
                continue
            if not paper.is_asked(question, invitation.placement.syndicate_id, attended):
                errors.append(
                    (
                        number,
                        f"{label}: {_quote(question.text)} was not asked of this student (their syndicate did not "
                        "attend it). Leave it empty.",
                    )
                )
                continue
            try:
                value_int, value_text = parse_answer(question, paper.cell_answer(question, raw))
            except ValueError as exc:
                message = str(exc)
                if question.kind == Question.Kind.CHOICE:
                    message = f"must be one of: {paper.answer_hint(question)}"
                errors.append((number, f"{label}: {_quote(question.text)} {message}, not {_quote(raw, 40)}."))
                continue
            if question.kind == Question.Kind.TEXT and not value_text:
                continue
            items.append((question, value_int, value_text))
        plan.append(PaperRow(row=number, invitation=invitation, answers=items))
    if errors:
        raise SurveyError(f"Nothing was saved: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix.", errors)
    if not plan:
        raise SurveyError(
            "The sheet has no answers in it. Type each student's answers into their row, then upload it again."
        )
    return PaperSheetPlan(rows=plan, skipped=skipped)


def paper_sheet_check(*, programme: Programme, rows: list[list[str]]) -> PaperSheetPlan:
    """What saving this sheet would do, without saving; SurveyError lists every problem by row."""
    return _paper_sheet_plan(programme, rows)


@transaction.atomic
def responses_import_sheet(
    *, programme: Programme, rows: list[list[str]], actor: AbstractBaseUser | None = None
) -> PaperSheetPlan:
    """Save the answers of a paper sheet: every row is checked first, and all are saved or none."""
    plan = _paper_sheet_plan(programme, rows, lock=True)
    try:
        with transaction.atomic():
            responses = Response.objects.bulk_create(
                Response(invitation=item.invitation, source=Response.Source.PAPER) for item in plan.rows
            )
    except IntegrityError:
        raise SurveyError("A student answered online while you were checking. Upload the sheet again.") from None
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value_int=value_int, value_text=value_text)
        for response, item in zip(responses, plan.rows, strict=True)
        for question, value_int, value_text in item.answers
    )
    Invitation.objects.filter(pk__in=[item.invitation.pk for item in plan.rows]).update(
        answered_at=timezone.now(), draft={}
    )
    reports_changed([programme.pk])
    audit_action(
        actor=actor,
        action="Paper survey answers typed in",
        instance=programme,
        students=len(plan.rows),
        answers=sum(len(item.answers) for item in plan.rows),
    )
    return plan


# --- links and reminders -----------------------------------------------------------------------------


def _contacts_by_institution(institution_ids: Iterable[int]) -> dict[int, list[InstitutionContact]]:
    contacts = defaultdict(list)
    for contact in InstitutionContact.objects.filter(institution__in=institution_ids, is_active=True):
        contacts[contact.institution_id].append(contact)
    return contacts


def _link_rows(invitations: Iterable[Invitation]) -> list[dict[str, str]]:
    return [
        {
            "name": inv.placement.nomination.full_name,
            # A marker, not the link: the outbox makes the link when the email is sent (core.links).
            "url": settings.SITE_URL + link_marker("survey", inv.pk),
            # The code too is a marker, made from the invitation's salt when the email is sent.
            "short_code": link_marker("survey-code", inv.pk),
        }
        for inv in invitations
    ]


def format_short_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == SHORT_CODE_LENGTH else code


@dataclass(frozen=True)
class LinksPlanRow:
    """One school in a survey's link email: its unanswered students and who would be emailed."""

    institution: Institution
    invitations: list[Invitation]
    contacts: list[InstitutionContact]
    already_emailed: list[InstitutionContact]

    @property
    def to_email(self) -> list[InstitutionContact]:
        return [c for c in self.contacts if c not in self.already_emailed]


def _links_key(survey: Survey, contact: InstitutionContact) -> str:
    return f"survey-links:{survey.pk}:{contact.pk}"


def invitation_links_plan(*, survey: Survey) -> list[LinksPlanRow]:
    """What "Email links to school contacts" would do: per school, its unanswered students and its contacts.

    A contact already emailed for this survey is not emailed again (the outbox's key says so), so the
    confirm page and the send agree on exactly who gets an email.
    """
    invitations = (
        Invitation.objects.filter(survey=survey, answered_at__isnull=True, placement__status=Placement.Status.CONFIRMED)
        .select_related("placement__nomination__institution")
        .order_by("placement__nomination__institution__name", "placement__nomination__last_name")
    )
    by_institution = defaultdict(list)
    for invitation in invitations:
        by_institution[invitation.placement.nomination.institution].append(invitation)
    contacts = _contacts_by_institution(i.pk for i in by_institution)
    keys = {_links_key(survey, c): c for group in contacts.values() for c in group}
    sent = set(OutboundEmail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    return [
        LinksPlanRow(
            institution=institution,
            invitations=items,
            contacts=contacts.get(institution.pk, []),
            already_emailed=[c for c in contacts.get(institution.pk, []) if _links_key(survey, c) in sent],
        )
        for institution, items in by_institution.items()
    ]


@transaction.atomic
def invitation_send_links(*, survey: Survey, actor: AbstractBaseUser | None = None) -> int:
    """Email each school contact the links (and short codes) for their own unanswered students, once.

    Returns how many contacts were emailed now (those emailed before for this survey are not).
    """
    plan = invitation_links_plan(survey=survey)
    language = language_for(force=survey.programme.force)  # a school reads the force's language
    sent = 0
    for row in plan:
        items = row.invitations
        for contact in row.to_email:
            with translation.override(language):
                email_queue(
                    kind="survey_links",
                    to=contact.email,
                    context={
                        "contact_name": contact.name,
                        "survey": survey,
                        "programme": survey.programme,
                        "students": _link_rows(items),
                        "closes_at": survey.closes_at,
                    },
                    dedupe_key=_links_key(survey, contact),
                    force=survey.programme.force,
                    about=[inv.placement.nomination for inv in items],
                )
            sent += 1
    audit_action(
        actor=actor,
        action="Survey links emailed to schools",
        instance=survey,
        contacts=sent,
        schools_without_contact=sum(1 for row in plan if not row.contacts),
    )
    return sent


def invitation_send_reminders(*, survey: Survey, now: datetime | None = None) -> int:
    """Remind school contacts (or adult students) about unanswered invitations: at most two, days apart."""
    now = now or timezone.now()
    if not survey_is_open(survey, now):
        return 0
    due = (
        Invitation.objects.filter(
            survey=survey,
            answered_at__isnull=True,
            reminders_sent__lt=MAX_REMINDERS,
            created_at__lte=now - REMINDER_AFTER,
            placement__status=Placement.Status.CONFIRMED,
        )
        .exclude(last_reminded_at__gt=now - REMINDER_AFTER)
        .select_related("placement__nomination__institution", "survey__programme__force")
    )
    groups = defaultdict(list)
    for invitation in due:
        nomination = invitation.placement.nomination
        key = (
            ("student", nomination.student_email) if nomination.student_email else ("school", nomination.institution_id)
        )
        groups[key].append(invitation)
    contacts = _contacts_by_institution([key[1] for key in groups if key[0] == "school"])
    reminded = 0
    for (kind, target), items in groups.items():
        with transaction.atomic():
            ids = [inv.pk for inv in items]
            # The conditional update is the idempotency guard: a second run finds nothing left to bump.
            bumped = Invitation.objects.filter(pk__in=ids, reminders_sent__lt=MAX_REMINDERS).exclude(
                last_reminded_at__gt=now - REMINDER_AFTER
            )
            round_number = min(inv.reminders_sent for inv in items) + 1
            if not bumped.update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now):
                continue
            recipients = [(target, "")] if kind == "student" else [(c.email, c.name) for c in contacts.get(target, [])]
            language = (
                language_for_student(items[0].placement.nomination)
                if kind == "student"
                else language_for(force=survey.programme.force)
            )
            for address, name in recipients:
                with translation.override(language):
                    _reminder_queue(survey, kind, target, items, address, name, round_number, ids)
            reminded += len(items)
    return reminded


def _reminder_queue(survey, kind, target, items, address, name, round_number, ids):
    email_queue(
        kind="survey_reminder",
        to=address,
        context={
            "contact_name": name,
            "survey": survey,
            "programme": survey.programme,
            "students": _link_rows(items),
            "closes_at": survey.closes_at,
            "for_student": kind == "student",
        },
        dedupe_key=f"survey-reminder:{survey.pk}:{kind}:{target}:{round_number}:{min(ids)}",
        force=survey.programme.force,
        about=[inv.placement.nomination for inv in items],
        to_student=kind == "student",
    )


def survey_is_open(survey: Survey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (survey.opens_at is None or survey.opens_at <= now) and (survey.closes_at is None or now < survey.closes_at)


@transaction.atomic
def survey_update_window(
    *, survey: Survey, opens_at: datetime | None, closes_at: datetime | None, actor: AbstractBaseUser | None = None
) -> Survey:
    """Set when a survey can be answered."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError("The survey must close after it opens.")
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.save(update_fields=["opens_at", "closes_at"])
    return survey
