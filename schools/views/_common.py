"""Shared by the intake screens: session keys and how a refused action is shown."""

from django.shortcuts import render

CONSENT_SESSION_KEY = "consent_link"
INVALID_LINK = 0  # in the session after an unknown token: the form then says the link is not valid
INVITATION_SESSION_KEY = "invitation_pk"


def _error_page(request, error, *, title="Something needs attention"):
    return render(request, "core/problem.html", {"title": title, "message": error.message}, status=error.status)


def _apply_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)
