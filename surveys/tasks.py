from celery import shared_task
from django.utils import timezone

from . import services
from .models import Survey


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def send_survey_reminders_for(survey_id):
    """Remind about one survey's unanswered invitations (idempotent: reminders are spaced and capped at two)."""
    survey = Survey.objects.select_related("programme__force").filter(pk=survey_id).first()
    if survey is None:
        return 0
    return services.invitation_send_reminders(survey=survey)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_survey_reminders():
    """Beat job: every open survey that has invitations still waiting for an answer."""
    now = timezone.now()
    open_surveys = (
        Survey.objects.filter(invitations__answered_at__isnull=True, invitations__reminders_sent__lt=2)
        .exclude(opens_at__gt=now)
        .exclude(closes_at__lte=now)
        .distinct()
        .values_list("pk", flat=True)
    )
    return sum(send_survey_reminders_for(pk) for pk in list(open_surveys))
