from django import forms
from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import ForceSignOn, SignOnIdentity


def _https_by_default(db_field, **kwargs):
    if db_field.name == "issuer":
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class ForceSignOnAdminForm(forms.ModelForm):
    """The client secret is write-only: typed in, stored encrypted, never shown back."""

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Typed once and never shown again. Leave blank to keep the secret already saved "
        "(or when the environment gives it).",
    )

    class Meta:
        model = ForceSignOn
        fields = ["force", "is_enabled", "issuer", "client_id", "client_secret", "allowed_domains"]
        formfield_callback = _https_by_default

    def clean_issuer(self):
        issuer = self.cleaned_data["issuer"].strip()
        if not issuer.startswith("https://") and not issuer.startswith("http://127.0.0.1"):
            raise forms.ValidationError("Enter the issuer's https:// address.")
        return issuer

    def clean_allowed_domains(self):
        value = self.cleaned_data["allowed_domains"]
        probe = ForceSignOn(allowed_domains=value)
        domains = probe.domain_list
        if not domains:
            raise forms.ValidationError("Enter at least one email domain, e.g. northshire.police.uk.")
        bad = [d for d in domains if "." not in d or "@" in d or "/" in d]
        if bad:
            raise forms.ValidationError(f"These are not email domains: {', '.join(bad)}.")
        return "\n".join(domains)

    def clean(self):
        cleaned = super().clean()
        force = cleaned.get("force") or getattr(self.instance, "force", None)
        has_secret = bool(cleaned.get("client_secret")) or (self.instance.pk and self.instance.has_client_secret)
        if force is not None and not has_secret:
            probe = ForceSignOn(force=force)
            if not probe.secret_from_environment:
                self.add_error("client_secret", f"Enter the client secret (or set {probe.secret_env_name}).")
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            instance.set_client_secret(self.cleaned_data["client_secret"])
        if commit:
            instance.save()
        return instance


@admin.register(ForceSignOn)
class ForceSignOnAdmin(ScopedAdmin):
    form = ForceSignOnAdminForm
    list_display = ["force", "is_enabled", "issuer", "secret_status"]
    list_select_related = ["force"]
    readonly_fields = ["secret_status"]
    autocomplete_fields = ["force"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields.remove("client_secret")  # a read-only view would show the field's value
        return fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # Which identity provider may vouch for a force's staff is a platform decision: a platform admin who
    # coordinates the force sees the setting (never the secret) but only a superuser changes it.
    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.display(description="Client secret")
    def secret_status(self, obj):
        if obj is None or obj.pk is None:
            return "Not saved yet"
        if obj.secret_from_environment:
            return f"Given by the environment ({obj.secret_env_name})"
        if obj.client_secret_encrypted:
            return "Saved (hidden)" if obj.has_client_secret else "Saved, but unreadable: enter it again"
        return "Not set"


@admin.register(SignOnIdentity)
class SignOnIdentityAdmin(ScopedAdmin):
    list_display = ["user", "sign_on", "linked_at", "last_signed_in_at"]
    list_select_related = ["user", "sign_on__force"]
    readonly_fields = ["sign_on", "subject", "user", "linked_at", "last_signed_in_at"]

    def has_add_permission(self, request):
        return False
