"""Factories for the mentoring app's own models (the admin test discovers them here)."""

from datetime import date

import factory

from mentoring.models import MentoringReferral, MentoringSettings, MentorReminder
from tests import factories as f


class MentoringSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentoringSettings
        django_get_or_create = ["force"]

    force = factory.SubFactory(f.ForceFactory)
    max_mentees_per_mentor = 6


class MentoringReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentoringReferral

    placement = factory.SubFactory(f.PlacementFactory)


class MentorReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorReminder

    assignment = factory.SubFactory(f.MentorAssignmentFactory)
    due_on = date(2027, 8, 2)
    kind = MentorReminder.Kind.DUE
