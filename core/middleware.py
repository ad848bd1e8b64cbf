import auditlog.middleware
from django.conf import settings

from .clientip import client_ip, resolve_client_ip


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
