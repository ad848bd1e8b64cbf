"""Where partners' documents are kept: a private folder outside the web root, never under MEDIA_URL.

The files have no public address (`url()` refuses); they are read only through the document view,
which checks the reader's scope first.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage rooted at PRIVATE_MEDIA_ROOT, read from the settings on each use (tests move it)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return Path(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(Path(settings.PRIVATE_MEDIA_ROOT).resolve())

    def url(self, name):
        raise ValueError("Private documents have no public address; use the document view.")

    def deconstruct(self):
        return ("partners.storage.PrivateStorage", (), {})


private_storage = PrivateStorage()


def private_files():
    """The storage of document files (a callable, so migrations do not record a path)."""
    return private_storage
