from celery import schedules
from django import forms
from django.contrib import admin
from django_celery_beat.admin import CrontabScheduleAdmin
from django_celery_beat.models import CrontabSchedule

from accounts.admin import ScopedAdmin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ScopedAdmin):
    list_display = ["kind", "to", "subject", "created_at", "sent_at", "failed_attempts"]
    list_filter = ["kind"]
    search_fields = ["to", "subject", "dedupe_key"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _CrontabForm(forms.ModelForm):
    """Celery's own parser checks the schedule, so a value it cannot read is a form error, not a 500."""

    class Meta:
        model = CrontabSchedule
        fields = ["minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"]

    def clean(self):
        cleaned = super().clean()
        parts = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
        if not self.errors and all(cleaned.get(part) for part in parts):
            try:
                schedules.crontab(**{part: cleaned[part] for part in parts})
            except (ValueError, schedules.ParseException) as error:
                raise forms.ValidationError(f"Celery cannot read this schedule: {error}") from None
        return cleaned


class SafeCrontabScheduleAdmin(CrontabScheduleAdmin):
    """django-celery-beat's admin, but its description of an unreadable schedule never raises."""

    form = _CrontabForm
    list_display = ["__str__", "in_words"]
    fields = ["in_words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone"]
    readonly_fields = ["in_words"]

    @admin.display(description="in words")
    def in_words(self, obj):
        try:
            return obj.human_readable
        except (ValueError, schedules.ParseException):
            return "(not a schedule Celery can read)"


admin.site.unregister(CrontabSchedule)
admin.site.register(CrontabSchedule, SafeCrontabScheduleAdmin)
