from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import Certificate, CertificateTemplate, IssueJob, SerialCounter, StudentLink


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ScopedAdmin):
    list_display = ["name", "force", "programme_kind", "signatory_name"]
    list_filter = ["programme_kind"]
    list_select_related = ["force"]
    search_fields = ["name"]


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ["serial", "printed_name", "force", "status", "issued_at"]
    list_filter = ["status"]
    list_select_related = ["force"]
    search_fields = ["printed_name", "verification_code"]
    autocomplete_fields = ["placement", "template", "replaces"]
    raw_id_fields = ["issued_by"]
    readonly_fields = ["verification_code"]


@admin.register(SerialCounter)
class SerialCounterAdmin(ScopedAdmin):
    list_display = ["force", "last_serial"]
    list_select_related = ["force"]
    readonly_fields = ["last_serial"]


@admin.register(IssueJob)
class IssueJobAdmin(ScopedAdmin):
    list_display = ["pk", "programme", "status", "issued", "total", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "started_by"]


@admin.register(StudentLink)
class StudentLinkAdmin(ScopedAdmin):
    list_display = ["placement", "created_at", "last_used_at"]
    list_select_related = ["placement__nomination", "placement__programme"]
    raw_id_fields = ["placement", "created_by"]
    readonly_fields = ["token_hash"]
