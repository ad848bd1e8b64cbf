from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import User


def user_model_fields(model):
    """Names of `model`'s fields that point at the user model (who did it, or whose account it is)."""
    User = get_user_model()
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is User
    ]


def special_category_fields(model):
    """The fields a model declares as special-category data (health, disability, what a child confided)."""
    return tuple(getattr(model, "SPECIAL_CATEGORY_FIELDS", ()))


def touches_special_category(model, path):
    """Whether an admin lookup path ("nomination__medical_notes__icontains", "^summary") reaches such a field."""
    for part in path.lstrip("^=@").split("__"):
        if part in special_category_fields(model):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # a lookup such as icontains, or a name Django refuses anyway
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


# Keys outside a 64-bit signed integer cannot name a row in any database (SQLite raises OverflowError).
_KEY_RANGE = range(-(2**63), 2**63)


def _usable_key(field, value):
    """Whether a posted value can be looked up as a key of the field's related model without a server error."""
    if value in field.empty_values or hasattr(value, "_meta"):
        return True
    key_field = field.queryset.model._meta.get_field(field.to_field_name) if field.to_field_name else None
    key_field = key_field or field.queryset.model._meta.pk
    try:
        key = key_field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return not isinstance(key, int) or key in _KEY_RANGE


class SafeModelChoiceField(ModelChoiceField):
    """A choice that is not a usable key is an invalid choice (a 400 form error), never a 500."""

    def to_python(self, value):
        if not _usable_key(self, value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def prepare_value(self, value):
        # The form shown again after an error renders what was posted: widgets (autocomplete, raw id)
        # look it up, so an unusable key is dropped here instead of reaching the database.
        return super().prepare_value(value if _usable_key(self, value) else None)


class SafeModelMultipleChoiceField(ModelMultipleChoiceField):
    """Many-to-many choices, with the same refusal of unusable keys."""

    def clean(self, value):
        if isinstance(value, (list, tuple)) and not all(_usable_key(self, item) for item in value):
            raise ValidationError(self.error_messages["invalid_choice"] % {"value": "?"}, code="invalid_choice")
        return super().clean(value)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            value = [item for item in value if _usable_key(self, item)]
        return super().prepare_value(value)


class EstimatedCountPaginator(Paginator):
    """Django's paginator, but a large table listed whole is counted from PostgreSQL's own estimate.

    Counting every row of the audit trail (350,000 on a national deployment) or the outbox took 40 ms of each
    admin page; PostgreSQL keeps an estimate of every table's rows (`pg_class.reltuples`, refreshed whenever
    the table is analysed, as autovacuum does after many changes). A list with any filter, search or scope is
    counted exactly, and so is a table the estimate puts under ESTIMATE_FROM rows (or never analysed), so the
    figure is an estimate only where it is a large, round one anyway; past an overestimate, a last page is empty.
    """

    ESTIMATE_FROM = 100_000

    @cached_property
    def count(self):
        estimate = self._estimate()
        return super().count if estimate is None else estimate

    def _estimate(self):
        query = getattr(self.object_list, "query", None)
        if query is None or query.where or query.group_by is not None or query.distinct or query.combinator:
            return None
        if query.low_mark or query.high_mark is not None:
            return None
        connection = connections[self.object_list.db]
        if connection.vendor != "postgresql":
            return None
        table = connection.ops.quote_name(self.object_list.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
            row = cursor.fetchone()
        if row is None or row[0] < self.ESTIMATE_FROM:
            return None
        return int(row[0])


class QuickRowsMixin:
    """A changelist row's select box written directly: the same HTML as Django's, which renders a form
    widget template for every row (a seventh of a fifty-row page's time); and a list always in an order."""

    def get_ordering(self, request):
        """Newest first where neither the admin nor the model gives an order: pages of an unordered list (the
        changelist's and the autocomplete's) can show a row twice and another never."""
        return super().get_ordering(request) or (() if self.model._meta.ordering else ["-pk"])

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class SafeChoicesMixin(QuickRowsMixin):
    """Hostile keys (text, huge or negative numbers) in any choice or in the URL give a 4xx, never a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        try:
            return super().get_object(request, object_id, from_field)
        except OverflowError:
            return None


class ScopedChoicesMixin(SafeChoicesMixin):
    """For anyone but a superuser: every related choice comes from their own scope, and no field
    that names a user account can be set or changed (that is how an account is linked or taken)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in user_model_fields(self.model) if name not in readonly]
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from .scoping import scoped

        if not request.user.is_superuser:
            kwargs["queryset"] = scoped(request.user, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from .scoping import scoped

        if not request.user.is_superuser:
            kwargs["queryset"] = scoped(request.user, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _allowed(request):
    """Platform admins only (superusers, or staff with the platform-admin permission); coordinators use the app."""
    from .access import is_platform_admin

    return is_platform_admin(request.user)


class ScopedInlineFormSet(BaseInlineFormSet):
    """Each inline row's hidden id may only name a row of this parent (Django offers every row)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk = form.fields.get(self.model._meta.pk.name)
        if isinstance(pk, ModelChoiceField):
            pk.queryset = self.get_queryset()
            pk.__class__ = SafeModelChoiceField  # same state, but a hostile id is a form error


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline of a ScopedAdmin: the same people, the same scoped choices."""

    extra = 0
    formset = ScopedInlineFormSet

    def get_queryset(self, request):
        from .scoping import scoped

        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else scoped(request.user, queryset)

    def has_view_permission(self, request, obj=None):
        return _allowed(request)

    def has_add_permission(self, request, obj=None):
        return _allowed(request)

    def has_change_permission(self, request, obj=None):
        return _allowed(request)

    def has_delete_permission(self, request, obj=None):
        return _allowed(request)


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Admin for platform admins, scoped like every page of the app (superusers see all).

    A filtered list says "N results" without counting the whole table again (show_full_result_count).

    Only platform admins open the admin at all (`accounts.access.is_platform_admin`); one who is not
    a superuser still sees only the rows `accounts.scoping` gives them (their own force's, if they
    coordinate one), as defence in depth, so there is no second set of per-model permissions to keep
    in step. Every foreign-key and many-to-many choice is scoped the same way, and only superusers
    may set a field that names a user account.
    """

    show_full_result_count = False
    # Fifty rows a page, not Django's hundred: an admin changelist of a national table renders in half the time.
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def _is_allowed(self, request):
        return _allowed(request)

    def has_module_permission(self, request):
        return self._is_allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._is_allowed(request)

    def has_add_permission(self, request):
        return self._is_allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._is_allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_allowed(request)

    def get_queryset(self, request):
        from .scoping import scoped

        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return scoped(request.user, queryset)

    def lookup_allowed(self, lookup, value, request=None):
        """No changelist query-string filter on special-category data (it would let anyone search it)."""
        if touches_special_category(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Showing a record's special-category data in the admin is a read, and is audited like any other."""
        if obj is not None and any(getattr(obj, name, "") for name in special_category_fields(self.model)):
            from core.audit import record_sensitive_read

            record_sensitive_read(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_list_filter(self, request):
        """A filter on a related model offers only the values in the user's own rows (no other force's names)."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        related = {f.name for f in self.model._meta.get_fields() if f.concrete and f.is_relation}
        return [(item, admin.RelatedOnlyFieldListFilter) if item in related else item for item in filters]


class SuperuserOnlyAdmin(SafeChoicesMixin):
    """Mixin for admins that are not scoped to a force (users, devices, schedules, logs): superusers only."""

    show_full_result_count = False
    list_per_page = 50  # as ScopedAdmin: the audit log is the largest table of all
    paginator = EstimatedCountPaginator

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


def restrict_unscoped_admins(site=admin.site):
    """Make every registered admin that is not a ScopedAdmin (the third-party ones) superuser-only.

    Their choices and `user` fields are not scoped, so a staff user given model permissions there
    could otherwise link a device or an account to anyone. Called once the admin has autodiscovered.
    """
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, (ScopedAdmin, SuperuserOnlyAdmin)):
            continue
        cls = type(model_admin)
        site.unregister(model)
        site.register(model, type(cls.__name__, (SuperuserOnlyAdmin, cls), {"__module__": cls.__module__}))


@admin.register(User)
class UserAdmin(SuperuserOnlyAdmin, BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
