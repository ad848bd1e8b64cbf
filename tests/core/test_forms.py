"""The house form parts: specific messages for empty fields, no dashes in selects, day/month/year dates."""

from datetime import date

import pytest
from django import forms
from django.utils import timezone

from core.forms import DJANGO_REQUIRED, PlainForm


class _Example(PlainForm):
    first_name = forms.CharField(label="First name")
    school = forms.ChoiceField(label="School", choices=[("", "---------"), ("a", "Oakfield")])
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(label="I agree")
    photo = forms.FileField(label="Photo")
    note = forms.CharField(label="Note", required=False)


def test_an_empty_form_says_what_to_do_for_each_field():
    form = _Example(data={})
    assert not form.is_valid()
    assert form.errors == {
        "first_name": ["Enter first name"],
        "school": ["Select school"],
        "starts_on": ["Enter a date for “Start date”"],
        "agree": ["Tick “I agree” to go on"],
        "photo": ["Choose a file for photo"],
    }
    assert str(DJANGO_REQUIRED) not in str(form.errors)


def test_selects_say_choose_not_dashes():
    html = str(_Example()["school"])
    assert "---------" not in html and "Choose…" in html


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"starts_on_day": "14", "starts_on_month": "3", "starts_on_year": "2027"}, date(2027, 3, 14)),
        ({"starts_on": "2027-03-14"}, date(2027, 3, 14)),  # an ISO date under the field's own name still works
    ],
)
def test_a_date_is_day_month_year(data, expected):
    form = _Example(data={"first_name": "Sam", "school": "a", "agree": "on", **data}, files={"photo": None})
    form.is_valid()
    assert form.cleaned_data["starts_on"] == expected


@pytest.mark.parametrize("parts", [("31", "2", "2027"), ("x", "3", "2027"), ("14", "3", "27"), ("14", "", "2027")])
def test_a_date_that_is_not_real_says_so(parts):
    day, month, year = parts
    form = _Example(data={"starts_on_day": day, "starts_on_month": month, "starts_on_year": year})
    form.is_valid()
    assert form.errors["starts_on"] == ["Enter start date as a real date, like 14 3 2027"]


def test_the_date_renders_as_three_labelled_boxes():
    html = str(_Example(initial={"starts_on": date(2027, 3, 14)})["starts_on"])
    for label, name, value in (
        ("Day", "starts_on_day", "14"),
        ("Month", "starts_on_month", "3"),
        ("Year", "starts_on_year", "2027"),
    ):
        assert f">{label}</label>" in html
        assert f'name="{name}"' in html and f'value="{value}"' in html
    assert 'type="date"' not in html


def test_the_error_summary_links_to_the_first_box_of_each_field():
    from django.template.loader import render_to_string

    form = _Example(data={})
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    assert "There is a problem" in html
    for anchor, message in (
        ("id_first_name", "Enter first name"),
        ("id_school", "Select school"),
        ("id_starts_on_0", "Enter a date for “Start date”"),
        ("id_agree", "Tick “I agree” to go on"),
    ):
        assert f'<a href="#{anchor}">{message}</a>' in html


def test_a_date_made_of_a_negative_month_is_shown_back_as_empty_boxes_not_an_error():
    """'2026--1-10' (year 2026, month -1, day 10) is ten characters with a dash fifth: it once raised a 500."""
    from core.forms import DayMonthYearWidget

    widget = DayMonthYearWidget()
    assert widget.decompress("2026--1-10") == [None, None, None]
    assert widget.decompress("2026-03-14") == [14, 3, 2026]
    data = {"when_day": "10", "when_month": "-1", "when_year": "2026"}
    assert 'name="when_day"' in widget.render("when", widget.value_from_datadict(data, {}, "when"))


def test_a_date_that_is_not_real_shows_again_what_was_typed():
    form = _Example(data={"starts_on_day": "31", "starts_on_month": "Feb", "starts_on_year": "2027"})
    form.is_valid()
    html = str(form["starts_on"])
    assert 'name="starts_on_day" value="31"' in html
    assert 'name="starts_on_month" value="Feb"' in html
    assert 'name="starts_on_year" value="2027"' in html


def test_optional_is_said_once_even_when_the_label_says_it():
    from django.template import Context, Template

    class _Labels(PlainForm):
        pronouns = forms.CharField(label="Pronouns (optional)", required=False)
        nickname = forms.CharField(label="Nickname", required=False)
        surname = forms.CharField(label="Surname")

    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": _Labels()}))
    assert html.count("(optional)") == 2  # once for pronouns (its own label), once added for nickname
    assert "Surname (optional)" not in html and "*" not in html


class _Window(PlainForm):
    opens_at = forms.DateTimeField(label="Opens")


def test_a_date_and_time_renders_as_day_month_year_and_a_24_hour_time():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    value = datetime(2027, 3, 14, 13, 5, tzinfo=ZoneInfo("UTC"))  # 14:05 in London (summer time starts 28 March)
    html = str(_Window(initial={"opens_at": value})["opens_at"])
    for label, name, shown in (
        ("Day", "opens_at_day", "14"),
        ("Month", "opens_at_month", "3"),
        ("Year", "opens_at_year", "2027"),
        ("Time (24-hour)", "opens_at_time", "13:05"),
    ):
        assert f">{label}</label>" in html and f'name="{name}"' in html and f'value="{shown}"' in html
    assert "datetime-local" not in html


@pytest.mark.parametrize(
    "time, expected", [("9:30", (9, 30)), ("09.30", (9, 30)), ("23:59", (23, 59)), ("00:00", (0, 0))]
)
def test_a_date_and_time_is_read_from_the_boxes_in_local_time(time, expected):
    form = _Window(data={"opens_at_day": "14", "opens_at_month": "7", "opens_at_year": "2027", "opens_at_time": time})
    assert form.is_valid(), form.errors
    local = timezone.localtime(form.cleaned_data["opens_at"])
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2027, 7, 14, *expected)


@pytest.mark.parametrize(
    "parts",
    [("14", "7", "2027", "9:30pm"), ("14", "7", "2027", "25:00"), ("31", "2", "2027", "09:00"), ("", "", "", "09:00")],
)
def test_a_wrong_date_or_time_says_how_to_write_it_and_keeps_what_was_typed(parts):
    data = dict(zip(("opens_at_day", "opens_at_month", "opens_at_year", "opens_at_time"), parts, strict=True))
    form = _Window(data=data)
    assert not form.is_valid()
    assert form.errors["opens_at"] == ["Enter a real date and a 24-hour time for “Opens”, like 14 3 2027 and 09:30"]
    html = str(form["opens_at"])
    for value in filter(None, parts):
        assert f'value="{value}"' in html


def test_an_empty_optional_date_and_time_is_none():
    class Optional(PlainForm):
        closes_at = forms.DateTimeField(label="Closes", required=False)

    form = Optional(data={"closes_at_day": "", "closes_at_month": "", "closes_at_year": "", "closes_at_time": ""})
    assert form.is_valid() and form.cleaned_data["closes_at"] is None


class _Day(PlainForm):
    arrive_by = forms.TimeField(label="Arrive by", widget=forms.TimeInput(attrs={"type": "time"}))


@pytest.mark.parametrize(
    "typed, ok", [("09:00", True), ("9.30", True), ("16:45", True), ("4pm", False), ("25:00", False)]
)
def test_a_time_is_a_24_hour_box_not_the_browsers_picker(typed, ok):
    html = str(_Day(initial={"arrive_by": "09:00"})["arrive_by"])
    assert 'type="time"' not in html and 'value="09:00"' in html
    form = _Day(data={"arrive_by": typed})
    assert form.is_valid() is ok
    if not ok:
        assert form.errors["arrive_by"] == ["Enter a 24-hour time for “Arrive by”, like 09:30"]
