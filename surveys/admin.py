from django.contrib import admin

from accounts.admin import ScopedAdmin, ScopedInline

from .models import Answer, Invitation, Question, Response, Survey, SurveyTemplate, TemplateQuestion


class QuestionInline(ScopedInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ["title", "programme", "phase", "opens_at", "closes_at"]
    list_filter = ["phase"]
    list_select_related = ["programme"]
    search_fields = ["title", "programme__title"]
    autocomplete_fields = ["programme"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    list_display = ["code", "kind", "survey", "order"]
    list_filter = ["kind"]
    list_select_related = ["survey"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["survey"]


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    list_display = ["survey", "placement", "answered_at", "reminders_sent"]
    list_select_related = ["survey", "placement__nomination", "placement__programme"]
    search_fields = ["placement__nomination__last_name", "placement__nomination__first_name"]
    autocomplete_fields = ["survey", "placement"]
    readonly_fields = ["token_hash", "short_code_hash", "draft"]


@admin.register(Response)
class ResponseAdmin(ScopedAdmin):
    list_display = ["invitation", "source", "submitted_at"]
    list_filter = ["source"]
    list_select_related = ["invitation__survey", "invitation__placement"]
    search_fields = ["invitation__placement__nomination__last_name"]
    autocomplete_fields = ["invitation"]


@admin.register(Answer)
class AnswerAdmin(ScopedAdmin):
    list_display = ["response", "question", "value_int", "value_text"]
    list_select_related = ["response__invitation__survey", "response__invitation__placement", "question"]
    search_fields = ["question__code"]
    autocomplete_fields = ["response", "question"]


class TemplateQuestionInline(ScopedInline):
    model = TemplateQuestion
    extra = 0


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(ScopedAdmin):
    list_display = ["title", "force", "phase"]
    list_filter = ["phase"]
    list_select_related = ["force"]
    search_fields = ["title"]
    autocomplete_fields = ["force"]
    inlines = [TemplateQuestionInline]


@admin.register(TemplateQuestion)
class TemplateQuestionAdmin(ScopedAdmin):
    list_display = ["code", "kind", "template", "order", "per_activity"]
    list_filter = ["kind", "per_activity"]
    list_select_related = ["template__force"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["template"]
