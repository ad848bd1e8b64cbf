"""Which language a person sees: English or Welsh, chosen per person and per force.

Order, strongest first: the switch on a public page (a cookie the person set), the language stored
with the person's link when they opened it (the guardian's preference on the nomination, else the
force's default), the browser's own preference, English.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

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


def skip_empty_catalogs():
    """Take out of each language's chain of fallback catalogs those that hold no message at all.

    English is the language the words are written in, so nearly every English lookup misses the British
    English catalog and walks its fallbacks: the plain English catalogs that Django and its contrib apps
    each ship, which hold only their header. Six of them made every English word cost about 5 µs, and an
    English page looks up hundreds of words. A catalog with no message can answer no lookup (Django never
    asks for the empty message, the only key such a catalog holds), so leaving it out changes no word.
    Called once at start-up; Django builds the chains again (in full) only when a test changes the
    language settings or, in development, when a catalog file changes.
    """
    for code, _name in settings.LANGUAGES:
        catalog = trans_real.translation(code)
        while catalog._fallback is not None:
            following = catalog._fallback
            if isinstance(following._catalog, dict) and not following._catalog.keys() - {""}:
                catalog._fallback = following._fallback
            else:
                catalog = following
