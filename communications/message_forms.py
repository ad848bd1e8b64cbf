"""Forms of messages to a chosen audience: compose (audience, programme, words), and nothing else saved."""

from __future__ import annotations

from django import forms

from core.forms import PlainForm
from placements.models import Force, Programme

from .audiences import AUDIENCES
from .messages import BODY_MAX, INSTRUCTION, SUBJECT_MAX, placeholders_check


class ComposeForm(PlainForm):
    """Who the message goes to and what it says; `confirm` is asked only when sending."""

    audience = forms.ChoiceField(
        label="Who should get it",
        choices=[(a.key, a.label) for a in AUDIENCES.values()],
        widget=forms.RadioSelect,
    )
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.none(),
        help_text="Whose people: every group except mentors is about one programme.",
    )
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX)
    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. A blank line starts a new paragraph; web addresses become links.",
    )
    template_name = forms.CharField(
        label="Also save it as a template called",
        max_length=100,
        required=False,
        help_text="Optional. Saving under the name of an existing template replaces it.",
    )
    confirm = forms.BooleanField(label="Send this message now", required=False)

    def __init__(self, *args, force: Force, sending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force
        self.sending = sending
        self.fields["programme"].queryset = Programme.objects.filter(force=force).order_by("-start_date", "title")
        self.fields["programme"].empty_label = "Choose a programme"
        posted = AUDIENCES.get(self.data.get("audience") or "") if self.is_bound else None
        if posted is not None and not posted.needs_programme:
            self.fields["programme"].required = False
        if posted is not None and not posted.can_send:  # a list to act on: nothing to write
            self.fields["subject"].required = self.fields["body"].required = False

    def clean(self):
        data = super().clean()
        audience = AUDIENCES.get(data.get("audience") or "")
        data["audience_obj"] = audience
        if audience is None:
            return data
        if audience.needs_programme and not data.get("programme") and "programme" not in self.errors:
            self.add_error("programme", "Choose the programme whose people should get the message.")
        if not audience.needs_programme:
            data["programme"] = None
        for name in ("subject", "body"):
            if data.get(name):
                problem = placeholders_check(data[name], audience)
                if problem:
                    self.add_error(name, problem)
        if self.sending and INSTRUCTION.search(data.get("body") or ""):
            self.add_error("body", "Replace the words in square brackets with your own before sending.")
        if self.sending and audience.can_send and not data.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm you want to send the message.")
        return data


class DeleteTemplateForm(PlainForm):
    """A POST with nothing in it but the CSRF token."""
