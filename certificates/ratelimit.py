"""A fixed-window counter per client IP in Django's cache, against guessing verification codes.

Holds across processes when the cache is shared (Redis, Memcached); with the local-memory cache each
process counts on its own, which still bounds guessing but less tightly.
"""

import time

from django.conf import settings
from django.core.cache import cache


def allow(request, *, scope):
    """Count this request; False once the client has used up its allowance for the window."""
    limit = getattr(settings, "CERTIFICATE_VERIFY_LIMIT", 30)
    window = getattr(settings, "CERTIFICATE_VERIFY_WINDOW", 600)
    ip = request.META.get("REMOTE_ADDR", "unknown")
    key = f"ratelimit:{scope}:{ip}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
