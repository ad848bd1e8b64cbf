"""The questions a student is asked, kept in the cache per (survey, syndicate) until a survey or a timetable changes.

Every survey page a student opens needs them, and working them out is one query that is slow to build (which
activities their syndicate attended). They are the same for every student of a syndicate and hold nothing
about any one student. A cached list is read back only under the current version: a random token changed
whenever a question, survey, session (or its syndicates), learning outcome or activity is saved or deleted,
and by timetable_changed for the bulk writes that send no signal; changed when the change is made and again
when its transaction commits, as surveys/report_cache.py does.
"""

from django.db import transaction

from core.versioned_cache import version_change, versioned_get

VERSION = "survey-questions:version"
SECONDS = 60 * 60


def _key(survey_id: int, syndicate_id: int | None) -> str:
    return f"survey-questions:{survey_id}:{syndicate_id or 0}"


def questions_cached(survey_id: int, syndicate_id: int | None, work_out):
    """The cached list for this survey and syndicate, or work_out() (then stored under the current version)."""
    return versioned_get(VERSION, _key(survey_id, syndicate_id), work_out, timeout=SECONDS)


def questions_changed(**kwargs) -> None:
    """No cached list of questions is read again: now, and once more when this transaction commits."""
    if kwargs.get("raw"):
        return
    _change()
    transaction.on_commit(_change)


def _change() -> None:
    version_change(VERSION)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from placements.models import Activity, LearningOutcome, Session
    from placements.signals import timetable_changed

    from .models import Question, Survey

    for model in (Question, Survey, Session, LearningOutcome, Activity):
        name = model._meta.label_lower
        post_save.connect(questions_changed, sender=model, dispatch_uid=f"survey_questions_{name}_saved")
        post_delete.connect(questions_changed, sender=model, dispatch_uid=f"survey_questions_{name}_deleted")
    m2m_changed.connect(
        questions_changed, sender=Session.syndicates.through, dispatch_uid="survey_questions_syndicates"
    )
    timetable_changed.connect(questions_changed, dispatch_uid="survey_questions_timetable")
