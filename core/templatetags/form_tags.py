"""Template helpers for the house form parts."""

from django import template
from django.forms.widgets import ChoiceWidget, MultiWidget

register = template.Library()


@register.filter
def error_anchor(bound_field):
    """The id of the first box a person can type in or tick for this field (where an error summary links to)."""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if isinstance(widget, MultiWidget):
        return f"{auto_id}_0"  # MultiWidget numbers its boxes' ids (the names carry _day, _month, _year)
    if isinstance(widget, ChoiceWidget) and widget.allow_multiple_selected is False and widget.input_type == "radio":
        return f"{auto_id}_0"
    if isinstance(widget, ChoiceWidget) and widget.input_type == "checkbox":
        return f"{auto_id}_0"
    return bound_field.id_for_label or auto_id


@register.filter
def file_name(path: str) -> str:
    """ "certificate-images/crest.png" -> "crest.png": people see a file's name, not where it is stored."""
    return str(path or "").replace("\\", "/").rsplit("/", 1)[-1]
