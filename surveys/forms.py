import json

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainForm, PlainModelForm

from . import paper, standard
from .models import Question, Survey
from .services import MAX_TEXT_ANSWER, clean_text

MAX_SHEET_BYTES = 2 * 1024 * 1024


class ShortCodeForm(PlainForm):
    code = forms.CharField(
        label=_("Your survey code"),
        max_length=30,
        help_text=_("It is on the sheet you were given, for example ABCDE-23456."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def field_name(question):
    return f"q{question.pk}"


def answer_field(question, *, easy_read, required):
    label = question.shown_text(easy_read=easy_read)
    if question.kind == Question.Kind.LIKERT:
        labels = standard.scale_labels(question.code, easy_read=easy_read)
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[(str(value), text) for value, text in enumerate(labels, 1)],
            widget=forms.RadioSelect,
        )
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            label=label, required=required, choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect
        )
    if question.kind == Question.Kind.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=question.shown_choices(),
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT_ANSWER,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswersForm(PlainForm):
    """The answers to some questions (one per screen, or all); values come back keyed by question code."""

    def __init__(self, *args, questions, easy_read=False, enforce_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[field_name(question)] = answer_field(
                question, easy_read=easy_read, required=enforce_required and question.required
            )
            self.fields[field_name(question)].question = question

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = field_name(question)
            if question.kind == Question.Kind.TEXT and name in cleaned:
                cleaned[name] = clean_text(cleaned[name])
        return cleaned

    def answers(self):
        return {q.code: self.cleaned_data.get(field_name(q), "") for q in self.questions}


class PaperSheetForm(PlainForm):
    """The filled-in paper answer sheet, CSV or Excel; cleaned into its rows of text cells."""

    file = forms.FileField(
        label="The filled-in sheet",
        help_text="The sheet downloaded from this page, as Excel (.xlsx) or CSV, no larger than 2 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SHEET_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; is it the right file?")
        try:
            return paper.read_sheet(upload.name or "", upload.read())
        except paper.SheetUnreadable as exc:
            raise forms.ValidationError(str(exc)) from None


class PaperSheetConfirmForm(PlainForm):
    """The checked sheet sent back with "Save these answers": it is checked again in full before saving."""

    sheet = forms.CharField(widget=forms.HiddenInput, max_length=4 * MAX_SHEET_BYTES)

    def clean_sheet(self):
        try:
            rows = json.loads(self.cleaned_data["sheet"])
        except ValueError:
            rows = None
        if not (
            isinstance(rows, list)
            and len(rows) <= paper.MAX_ROWS + 1
            and all(
                isinstance(row, list) and len(row) <= paper.MAX_COLUMNS and all(isinstance(c, str) for c in row)
                for row in rows
            )
        ):
            raise forms.ValidationError("The sheet could not be read back. Please upload it again.")
        return rows


class SurveyWindowForm(PlainModelForm):
    class Meta:
        model = Survey
        fields = ["opens_at", "closes_at"]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            raise forms.ValidationError("The survey must close after it opens.")
        return cleaned
