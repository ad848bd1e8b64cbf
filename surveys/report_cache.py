"""Survey reports are kept in the cache until the answers behind them change.

A report is stored under a key that holds two random tokens: one for its programme, changed when a response
to that programme's surveys is saved or a nomination of it changes; and one for every programme, changed
when responses or questions are deleted or edited (erasure, retention, a renamed activity). A token that
is missing (never made, evicted, the cache restarted) is made afresh, so a lost token can only cost a
recomputation, never an old report. Tokens change when the change is made and again when its transaction
commits: a report worked out in between, from the answers as they were, is stored under a token nobody
asks for again.
"""

import secrets
import threading
import weakref
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

EVERY_PROGRAMME = "survey-report:every"
REPORT_SECONDS = 7 * 24 * 3600
# Django's connections are per thread, and so are the transactions whose callbacks this remembers.
_pending = threading.local()


def _programme_key(pk: int) -> str:
    return f"survey-report:programme:{pk}"


def _tokens(keys: list[str]) -> dict[str, str]:
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, secrets.token_hex(8), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    # A cache that keeps nothing (or is down) gives a token nobody else has: the report is worked out anew.
    return {key: found.get(key) or secrets.token_hex(8) for key in keys}


def report_keys(programme_ids: Iterable[int]) -> dict[int, str]:
    """{programme id: the cache key its report is stored under now}."""
    ids = list(programme_ids)
    tokens = _tokens([EVERY_PROGRAMME, *(_programme_key(pk) for pk in ids)])
    every = tokens[EVERY_PROGRAMME]
    return {pk: f"survey-report:{pk}:{every}:{tokens[_programme_key(pk)]}" for pk in ids}


def cached_reports(keys: dict[int, str]) -> dict[int, dict]:
    found = cache.get_many(list(keys.values()))
    return {pk: found[key] for pk, key in keys.items() if key in found}


def store_reports(keys: dict[int, str], reports: dict[int, dict]) -> None:
    """Store once the transaction commits (at once outside one): a report worked out inside a transaction that
    then rolls back may hold answers that never were, and is dropped with it."""
    values = {keys[pk]: report for pk, report in reports.items()}
    transaction.on_commit(lambda: cache.set_many(values, timeout=REPORT_SECONDS))


def _forget(keys: tuple[str, ...]) -> None:
    cache.delete_many(list(keys))


def reports_changed(programme_ids: Iterable[int] | None = None) -> None:
    """After this transaction commits, no stored report of these programmes (None: of any) is read again.

    A deletion of 20,000 responses adds one callback on commit, however many times it calls this.
    """
    keys = (EVERY_PROGRAMME,) if programme_ids is None else tuple(sorted({_programme_key(pk) for pk in programme_ids}))
    if not keys:
        return
    # Now, for this transaction's own later reads, and again on commit: a report another request worked out
    # in between, from the answers as they were before the change, is then left behind too.
    _forget(keys)
    if transaction.get_autocommit():
        return  # no transaction: what was forgotten just now is all there is to do
    scheduled = _scheduled()
    pending = scheduled.get(keys)
    if pending is not None and pending() is not None:
        return  # this transaction's callback for these keys is still waiting for the commit

    def forget():
        scheduled.pop(keys, None)
        _forget(keys)

    # Only a weak reference: a rollback (of the transaction, or of the savepoint the callback was added in)
    # drops the callback, the reference dies with it, and the next change in this thread adds one again.
    scheduled[keys] = weakref.ref(forget)
    transaction.on_commit(forget)


def _scheduled() -> dict:
    """{report keys: weak reference to the callback that forgets them on commit}, for this thread's connection."""
    try:
        return _pending.scheduled
    except AttributeError:
        _pending.scheduled = {}
        return _pending.scheduled


def _every_programme(sender, **kwargs) -> None:
    if not kwargs.get("raw"):
        reports_changed()


def _nomination_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        reports_changed([instance.programme_id])


def connect() -> None:
    """Deletions and edits that can change a report already stored (new responses call reports_changed)."""
    from django.db.models.signals import post_delete, post_save

    from placements.models import Activity
    from schools.models import Nomination

    from .models import Question, Response, Survey

    post_delete.connect(_every_programme, sender=Response, dispatch_uid="survey_report_response_deleted")
    for model in (Question, Survey):
        name = model._meta.model_name
        post_save.connect(_every_programme, sender=model, dispatch_uid=f"survey_report_{name}_saved")
        post_delete.connect(_every_programme, sender=model, dispatch_uid=f"survey_report_{name}_deleted")
    post_save.connect(_every_programme, sender=Activity, dispatch_uid="survey_report_activity_saved")
    post_save.connect(_nomination_saved, sender=Nomination, dispatch_uid="survey_report_nomination_saved")
