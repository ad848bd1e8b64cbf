import auditlog.middleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .clientip import client_ip, resolve_client_ip
from .languages import language_of_request


class NoStoreMiddleware:
    """Pages may hold children's personal data: tell browsers and proxies never to keep a copy.

    Static files are served before this middleware (WhiteNoise) and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response or "no-store" not in response["Cache-Control"]:
            response["Cache-Control"] = "no-store, private"
        return response


class ClientAddressMiddleware:
    """Put the client's address (core.clientip) in REMOTE_ADDR before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "client_ip", None) is None:
            request.client_ip = resolve_client_ip(request.META, settings.PROXY_COUNT)
            request.META["REMOTE_ADDR"] = request.client_ip
        return self.get_response(request)


class AuditlogMiddleware(auditlog.middleware.AuditlogMiddleware):
    """django-auditlog, recording the client's address as resolved above.

    The library's own version believes the left-most X-Forwarded-For entry, which any client can
    write, so the audit trail's "from which address" could be forged; X-Forwarded-Port likewise.
    """

    @staticmethod
    def _get_remote_addr(request):
        return None if getattr(settings, "AUDITLOG_DISABLE_REMOTE_ADDR", False) else client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


class PersonLanguageMiddleware:
    """Show each request in the person's language (core.languages), like LocaleMiddleware plus the session.

    Django's LocaleMiddleware reads only the cookie and the browser; a guardian's link also carries the
    preference the school recorded, kept in the session when the link is opened.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only for this request: the thread's language goes back to the default afterwards (deactivate).
        with translation.override(language_of_request(request), deactivate=True):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
