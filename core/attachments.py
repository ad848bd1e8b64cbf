"""Files attached to outbox emails (a calendar file), made when the email is sent.

The outbox row keeps only `[kind, pk]` for each file, as it keeps a marker for each link
(core.links): the file is made from the current data at send time, and nothing personal is copied
into the row. Each app registers how to make its files in its `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple


class Attachment(NamedTuple):
    filename: str
    content: bytes
    mimetype: str


_makers: dict[str, Callable[[int], Attachment | None]] = {}


def attachment_register(kind: str, maker: Callable[[int], Attachment | None]) -> None:
    """`maker(pk)` returns the file for that row, or None when there is none any more."""
    _makers[kind] = maker


def attachments_make(refs: Iterable[tuple[str, int]]) -> list[Attachment]:
    """The files of an email's `attachments` (those that can still be made)."""
    made = []
    for kind, pk in refs or ():
        maker = _makers.get(kind)
        attachment = maker(int(pk)) if maker else None
        if attachment is not None:
            made.append(attachment)
    return made
