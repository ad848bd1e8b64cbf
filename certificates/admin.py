from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import Certificate, CertificateTemplate


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
