"""The house form parts: plain error messages, no "---------", and dates as day, month and year.

Every form of the product inherits `PlainForm` or `PlainModelForm`, so a person who leaves a box empty
reads what to do ("Enter the first name") rather than "This field is required.", and a select
says "Choose …" rather than a row of dashes (GOV.UK Design System: error messages, date input).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.forms.widgets import MultiWidget, NumberInput, TextInput
from django.utils import timezone
from django.utils.translation import gettext

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
DASHES = "---------"
TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")  # 9:30, 09:30 or 09.30, on a 24-hour clock
TYPED = "typed:"
TIME_BOX = {
    "inputmode": "decimal",
    "autocomplete": "off",
    "size": 5,
    "class": "time-input",
}  # how the day/month/year boxes carry what was typed when it is not a date


def _lower_first(label: str) -> str:
    """'First name' -> 'first name'; keeps words like 'SEND' or 'DBS' as they are."""
    if not label:
        return "this"
    first, _, rest = label.partition(" ")
    if first.isupper() and len(first) > 1:
        return label
    return (first[:1].lower() + first[1:] + (" " + rest if rest else "")).rstrip(".:?")


def required_message(field: forms.Field, label: str) -> str:
    # Made when the form is (in the reader's language: public forms are translated in locale/cy).
    what = _lower_first(label)
    if isinstance(field, forms.FileField):
        return gettext("Choose a file for %(what)s") % {"what": what}
    if isinstance(field, forms.BooleanField):
        return gettext("Tick “%(label)s” to go on") % {"label": label.rstrip(".")}
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return gettext("Select at least one option for %(what)s") % {"what": what}
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return gettext("Select %(what)s") % {"what": what}
    if isinstance(field, forms.DateField):
        return gettext("Enter a date for “%(label)s”") % {"label": label.rstrip(".:?")}
    return gettext("Enter %(what)s") % {"what": what}


class DayMonthYearWidget(MultiWidget):
    """A date as three boxes, day, month and year (GOV.UK date input), instead of a browser date picker.

    An ISO date posted under the field's own name (a script, an older form) is still understood.
    """

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None):
        part = {"inputmode": "numeric", "class": "form-control"}
        widgets = {
            "day": NumberInput(attrs={**part, "min": 1, "max": 31}),
            "month": NumberInput(attrs={**part, "min": 1, "max": 12}),
            "year": NumberInput(attrs={**part, "min": 1900, "max": 2200}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str) and value.startswith(TYPED):
            return value.removeprefix(TYPED).split("|", 2)
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            parts = value.split("-")  # "2026--1-10" (a month of -1) has four parts
            if len(parts) == 3 and all(part.isdigit() for part in parts):
                year, month, day = parts
                return [int(day), int(month), int(year)]
            return [None, None, None]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        day, month, year = (str(part or "").strip() for part in super().value_from_datadict(data, files, name))
        if not (day or month or year):
            return ""
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            # Not a date: the field says so, and the boxes show again what the person typed.
            return f"{TYPED}{day[:10]}|{month[:10]}|{year[:10]}"
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part in ("day", "month", "year"))


class DayMonthYearTimeWidget(DayMonthYearWidget):
    """A date and time as day, month and year boxes and a 24-hour time box ("09:30").

    Browsers' date-time pickers follow the browser's language, so many show a US month-first date and
    AM/PM; these boxes read the same everywhere. An ISO date-time posted under the field's own name
    is still understood.
    """

    template_name = "core/widgets/date_time_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.widgets.append(
            TextInput(attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off", "size": 5})
        )
        self.widgets_names.append("_time")

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str) and value.startswith(TYPED):
            return [*value.removeprefix(TYPED).split("|", 3), "", "", "", ""][:4]
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.day, local.month, local.year, f"{local:%H:%M}"]
        if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and value[10] in "T ":
            day = super().decompress(value[:10])
            return [*day, value[11:16]] if day[0] is not None else [None, None, None, None]
        return [None, None, None, None]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        parts = [str(data.get(f"{name}_{part}") or "").strip() for part in ("day", "month", "year", "time")]
        if not any(parts):
            return ""
        day, month, year, time = parts
        clock = TIME.fullmatch(time)
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4 and clock):
            return TYPED + "|".join(part[:10] for part in parts)
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d} {int(clock[1]):02d}:{clock[2]}"

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and f"{name}_time" not in data


def _plain_date_widget(field: forms.Field) -> MultiWidget | None:
    """Boxes for a date (or date and time) field shown as a text box or a browser picker; None otherwise."""
    if not isinstance(field.widget, forms.TextInput):
        return None
    if isinstance(field, forms.DateTimeField):
        return DayMonthYearTimeWidget()
    if isinstance(field, forms.DateField):
        return DayMonthYearWidget()
    return None


class PlainFormMixin:
    """Specific messages for empty required fields, "Choose …" instead of dashes, day/month/year dates.

    No `required` attribute on the inputs: the product's own messages, not the browser's pop-ups.
    """

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or pretty_name(name))
            if field.error_messages.get("required") == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(field, label)
            if isinstance(field, forms.TimeField) and isinstance(field.widget, forms.TimeInput):
                # A browser's time picker follows the browser's language (often AM/PM); a box reads "09:30".
                field.widget = forms.TimeInput(format="%H:%M", attrs=dict(TIME_BOX))
                field.input_formats = ["%H:%M", "%H.%M", "%H:%M:%S"]
                field.error_messages["invalid"] = gettext("Enter a 24-hour time for “%(label)s”, like 09:30") % {
                    "label": label.rstrip(".:?")
                }
            widget = _plain_date_widget(field)
            if isinstance(widget, DayMonthYearTimeWidget):
                field.widget = widget
                field.error_messages["invalid"] = gettext(
                    "Enter a real date and a 24-hour time for “%(label)s”, like 14 3 2027 and 09:30"
                ) % {"label": label.rstrip(".:?")}
            elif widget is not None:
                field.widget = widget
                field.error_messages["invalid"] = gettext("Enter %(what)s as a real date, like 14 3 2027") % {
                    "what": _lower_first(label)
                }
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == DASHES:
                field.empty_label = gettext("Choose…")
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                field.choices = [
                    (value, gettext("Choose…") if text == DASHES else text) for value, text in field.choices
                ]


class PlainForm(PlainFormMixin, forms.Form):
    pass


class PlainModelForm(PlainFormMixin, forms.ModelForm):
    pass
