"""The demo's practice report for the finished school week, written as the coordinator would after
seed 001: its aims, lessons and growth options, the £2,700 the sponsor allocated (the seed's four
categories plan £2,750 between them, and the report says so), and a missing person investigation's
£2,400 for comparison. Idempotent: a report already written is left alone.
"""

from decimal import Decimal

from placements.models import Programme

from .models import PracticeReport
from .selectors import quote_choices
from .services import practice_report_update

AIMS = """Provide early preventative diversion to vulnerable young people.
Enhance trust in the police and encourage police legitimacy.
Support the force's equality, diversity and inclusion aims: work experience for a diverse range of young people.
Provide a pipeline for future recruitment and workforce development.
Showcase a wider range of police roles, such as crime scene investigators and control room operators."""

SELECTION = (
    "Schools were chosen with the county council's work-experience coordinators, balancing location, "
    "socio-economic background and availability on the dates. Places were reserved for students from special "
    "(SEND or LDD) schools, and schools were asked to put forward students who would benefit and might not "
    "otherwise have the chance."
)

LESSONS = """Plan early how the programme will grow: it helps the week reach its potential.
Agree which departments own the programme and how it is resourced, so there is a long-term plan.
Keep stakeholder engagement agile: formal meetings at launch and milestones, direct contact in between.
Tell career mentors how often to contact students, and hold the coordinators accountable that they do."""

NEXT_STEPS = """Run several weeks in a short run in summer, when schools expect work experience (preferred).
Or spread weeks through the year: easier for departments, harder for the school calendar.
Or take a larger group in one week, at some risk to the quality of the scenarios.
Plan contingency inputs that do not rely on specialist departments."""


def seed(*, force, story):
    seed_sharing(force=force, story=story)
    seed_national_user()
    week = Programme.objects.filter(force=force, title=story.completed.title).first()
    if week is None or PracticeReport.objects.filter(programme=week).exists():
        return []
    # Quote the students' own comments, leaving out anything that looks like a spreadsheet formula.
    quotes = [answer.pk for answer in quote_choices(week) if not answer.value_text.startswith("=")][:3]
    practice_report_update(
        programme=week,
        aims=AIMS,
        selection=SELECTION,
        lessons_learned=LESSONS,
        next_steps=NEXT_STEPS,
        comparable_cost=Decimal("2400"),
        comparable_cost_label="a missing person investigation",
        quote_ids=quotes,
        actor=None,
    )
    return []


def seed_sharing(*, force, story):
    """The demo force shares its figures nationally (idempotent: a choice already made is left alone)."""
    from .models import NationalSharing
    from .services import national_sharing_set

    if not NationalSharing.objects.filter(force=force).exists():
        national_sharing_set(force=force, opted_in=True, actor=None)
    return []


NATIONAL_USERNAME = "national"


def seed_national_user():
    """A national coordinator (the national role): belongs to no force, sees the national picture only."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from placements.demo import DEMO_PASSWORD

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=NATIONAL_USERNAME,
        defaults={"first_name": "National", "last_name": "Coordinator", "email": "national.coordinator@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.user_permissions.add(
            Permission.objects.get(codename="national_figures", content_type__app_label="accounts")
        )
