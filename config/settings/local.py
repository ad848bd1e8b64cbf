"""Embedded default for a quick local start: SQLite, eager tasks, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
