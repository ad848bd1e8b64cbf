"""Which language a person sees: English or Welsh, chosen per person and per force.

Order, strongest first: the switch on a public page (a cookie the person set), the language stored
with the person's link when they opened it (the guardian's preference on the nomination, else the
force's default), the browser's own preference, English.
"""

from django.conf import settings
from django.utils import translation

ENGLISH = "en-gb"
WELSH = "cy"

# For model fields: what a school contact or coordinator picks. Each name is in its own language.
LANGUAGE_CHOICES = [(ENGLISH, "English"), (WELSH, "Cymraeg (Welsh)")]

SESSION_KEY = "public_language"


def welsh_active(language=None):
    """Whether words are being shown in Welsh: `language` if given, else the active language."""
    return (language or translation.get_language() or "").startswith(WELSH)


def language_valid(code):
    return code in dict(settings.LANGUAGES)


def language_for(*, preferred="", force=None):
    """The person's own preference if they have one, else their force's default, else English."""
    if preferred and language_valid(preferred):
        return preferred
    default = getattr(force, "default_language", "") if force is not None else ""
    return default if language_valid(default) else ENGLISH


def language_remember(request, code):
    """Keep the language of the link just opened for this visit, and show it from this response on."""
    if language_valid(code):
        request.session[SESSION_KEY] = code
        translation.activate(code)
        request.LANGUAGE_CODE = code


def language_of_request(request):
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and language_valid(chosen):
        return chosen
    session = getattr(request, "session", None)
    stored = session.get(SESSION_KEY) if session is not None else None
    if stored and language_valid(stored):
        return stored
    return translation.get_language_from_request(request)


def language_for_student(nomination):
    """The language of everything sent or shown about one student: the family's preference, else the force's."""
    return language_for(preferred=nomination.preferred_language, force=nomination.programme.force)
