"""The personal-data registry covers every model that holds something about a student.

Each app declares what it holds next to its models (`<app>/privacy.py`, core/personal_data.py);
erasure, the subject access export and the audit trail's masks all come from those declarations,
so a model left out of them would be kept, unexported and unmasked. These tests fail if one is.
"""

from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.db import models

from core.personal_data import registry

SUBJECT = "schools.nomination"
# A student's rows hang off the nomination; programmes and forces are shared by every student.
SHARED = {"placements.programme", "placements.force"}


def _local_models():
    return [m for m in apps.get_models() if m._meta.app_label in settings.LOCAL_APPS]


def _about_a_student(model, seen=()):
    """Whether the model reaches a nomination by foreign keys (or many-to-many), e.g. answer → response → …"""
    label = model._meta.label_lower
    if label == SUBJECT:
        return True
    for field in model._meta.get_fields():
        if not (field.is_relation and (field.many_to_one or field.one_to_one or field.many_to_many)):
            continue
        if field.auto_created and not field.concrete:
            continue  # the reverse side of another model's key
        target = field.related_model
        if target is None or target._meta.app_label not in settings.LOCAL_APPS:
            continue
        if target._meta.label_lower in SHARED or target in seen:
            continue
        if _about_a_student(target, (*seen, model)):
            return True
    return False


def _text_fields(model):
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
    ]


def _undeclared(held):
    """Models keyed to a student (directly or through a placement, a response …) missing from `held`."""
    return {m._meta.label_lower for m in _local_models() if _about_a_student(m)} - set(held)


def test_every_model_about_a_student_is_declared():
    """A new model keyed to a student must be in its app's declaration (`<app>/privacy.py`)."""
    assert _undeclared(registry.holds()) == set()


def test_the_check_finds_a_model_left_out():
    """So the test above can fail: drop one declared model and it is reported."""
    for label in ("mentoring.outcome", "surveys.answer", "placements.attendance", "core.outboundemail"):
        assert _undeclared(registry.holds() - {label}) == {label}


# Models with a field named like a student's personal one that hold nothing about a student.
NOT_ABOUT_A_STUDENT = {
    "accounts.user": "staff accounts (coordinators, leads, mentors, school contacts)",
    "placements.departmentunavailability": "why a police department is unavailable",
    "placements.spendentry": "a note on a budget line",
    "certificates.certificatetemplate": "a force's certificate wording",
    "partners.programmepartner": "a note on a partner organisation's role on a programme",
    "partners.riskassessmentoverride": "why an activity may be timetabled without a risk assessment",
    "events.event": "where a force's event is held: a venue's address",
}


def test_every_model_with_a_field_named_like_a_personal_one_is_declared():
    """A name, a note, an email … named like a field declared personal elsewhere: declare it, or say why not."""
    names = {name for fields in registry.personal_fields().values() for name in fields}
    declared = registry.holds() | set(registry.audited()) | set(NOT_ABOUT_A_STUDENT)
    suspects = {
        m._meta.label_lower: sorted(set(_text_fields(m)) & names)
        for m in apps.get_models()
        if m._meta.app_label in (*settings.LOCAL_APPS, "auth") and set(_text_fields(m)) & names
    }
    assert {label: fields for label, fields in suspects.items() if label not in declared} == {}
    assert set(NOT_ABOUT_A_STUDENT) <= set(suspects), "stale entries in NOT_ABOUT_A_STUDENT"


def test_declared_fields_exist_and_models_are_held():
    for label, fields in registry.personal_fields().items():
        model = apps.get_model(label)
        assert label in registry.holds(), label
        for name in fields:
            model._meta.get_field(name)  # raises FieldDoesNotExist for a stale declaration


def test_audit_trail_masks_come_from_the_declarations():
    for label, audited in registry.audited().items():
        model = apps.get_model(label)
        assert auditlog.contains(model), label
        assert sorted(auditlog.get_model_fields(model)["mask_fields"]) == sorted(audited.masked)
    assert not hasattr(settings, "AUDITLOG_INCLUDE_TRACKING_MODELS") or not settings.AUDITLOG_INCLUDE_TRACKING_MODELS


def test_core_imports_no_domain_app():
    """core is the floor: it may name domain models only as strings, never import them."""
    import ast
    from pathlib import Path

    domain = {"placements", "schools", "surveys", "certificates", "mentoring", "privacy"}
    offenders = []
    for path in Path(settings.BASE_DIR, "core").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in domain]
    assert offenders == []  # .importlinter checks every layer in CI; this keeps the floor in the suite too
