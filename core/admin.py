from django.contrib import admin

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
