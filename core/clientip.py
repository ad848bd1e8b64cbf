"""The client's address, decided in one place for everything that counts or records addresses.

Behind reverse proxies every request comes from the nearest proxy, so `REMOTE_ADDR` alone would
make all clients one. Each proxy appends the address it was connected from to X-Forwarded-For;
only the entries the deployment's own proxies wrote can be believed (`DJANGO_PROXY_COUNT`), so the
client is the entry the outermost trusted proxy appended. Anything to its left was written by the
client and is ignored. With no proxy (count 0) the header is ignored altogether.

`ClientAddressMiddleware` (first in MIDDLEWARE) writes the result into `REMOTE_ADDR`, so
django-axes, django-ratelimit, django-auditlog, the survey code counter and the security log all
see it; `client_ip` is also their explicit hook in settings.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _address(value: str) -> str | None:
    """A bare, normalised IP address from an X-Forwarded-For entry (port allowed), or None."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def resolve_client_ip(meta: Mapping[str, Any], proxy_count: int) -> str:
    """The client's address from a request's META, believing `proxy_count` proxies and no more."""
    remote = meta.get("REMOTE_ADDR", "")
    if proxy_count <= 0:
        return remote
    hops = [hop for hop in meta.get(FORWARDED_FOR, "").split(",") if hop.strip()]
    if len(hops) < proxy_count:
        # Not through every trusted proxy, so no entry is known to be a proxy's.
        return remote
    return _address(hops[-proxy_count]) or remote


def client_ip(request: HttpRequest) -> str:
    """The client's address for this request (AXES_CLIENT_IP_CALLABLE, RATELIMIT_IP_META_KEY)."""
    resolved = getattr(request, "client_ip", None)
    if resolved is None:
        resolved = resolve_client_ip(request.META, settings.PROXY_COUNT)
    return resolved
