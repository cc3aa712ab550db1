"""Admin building blocks shared by every app, and the core's own models.

The admin never writes around the rules. Production records (work orders,
operations, progress, holds) and the event log are read-only here; state
changes are admin actions that call the same services the pages and the API
call. Master data is saved through its create/update services, so every
admin edit leaves an event.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .exceptions import ConflictError
from .models import IdempotencyKey, NumberSequence, OperatorBadge
from .quantities import fmt_qty


def error_text(exc):
    """A service error as one readable line."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def run_service_action(modeladmin, request, queryset, *, service, label, **kwargs):
    """Call ``service(<obj>, actor=request.user, **kwargs)`` for each selected row; report each outcome.

    ``service`` takes the object as its only positional argument. Every row is
    its own transaction: one refusal does not undo the others.
    """
    done, failed = [], []
    for obj in queryset:
        try:
            service(obj, actor=request.user, **kwargs)
        except (ValidationError, ConflictError) as exc:
            failed.append(f"{obj}: {error_text(exc)}")
        else:
            done.append(str(obj))
    if done:
        modeladmin.message_user(request, f"{label}: {', '.join(done)}.", messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, f"Not {label.lower()} — {line}", messages.ERROR)


def qty(field):
    """A quantity column written as people read it (``40``, ``2.5``), the way the pages write it."""

    @admin.display(description=field.replace("_", " "), ordering=field)
    def column(obj):
        value = getattr(obj, field)
        return fmt_qty(value) if value is not None else None

    column.__name__ = field
    return column


def short_text(text, limit=80):
    """Long free text cut to one changelist cell."""
    return text if len(text) <= limit else text[: limit - 3] + "…"


class NoWrites:
    """No add, change or delete from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """View only. Admin actions may still call services."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    """The declared ``readonly_fields`` (default: every field but the id), read only."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields or [f.name for f in self.model._meta.fields if f.name not in ("id",)]


class RevisionAdmin(ReadOnlyAdmin):
    """Revisions (BOMs, routings) are written through the API; here they are read, and
    drafts released through ``release_service`` by those with ``release_permission``."""

    release_permission = ""
    actions = ["release_selected"]

    def release_service(self, obj, *, actor):  # pragma: no cover - set by subclasses
        raise NotImplementedError

    def has_release_permission(self, request):
        return request.user.has_perm(self.release_permission)

    @admin.action(description="Release selected draft %(verbose_name_plural)s", permissions=["release"])
    def release_selected(self, request, queryset):
        run_service_action(self, request, queryset.select_related("item"), service=self.release_service, label="Released")


class ServiceSaveAdmin(admin.ModelAdmin):
    """Master data saved through its services, so the edit is validated and recorded as an event.

    Subclasses set ``service_fields`` (the fields the services accept),
    ``create_service(actor, **data)`` and ``update_service(obj, actor, **data)``.
    Deleting is not offered: master data is retired with ``is_active``.
    """

    service_fields: tuple = ()

    def get_fields(self, request, obj=None):
        return list(self.service_fields)

    def has_delete_permission(self, request, obj=None):
        return False

    def create_service(self, *, actor, **data):  # pragma: no cover - set by subclasses
        raise NotImplementedError

    def update_service(self, obj, *, actor, **data):  # pragma: no cover - set by subclasses
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.service_fields if f in form.cleaned_data}
        if change:
            changed = {f: v for f, v in data.items() if f in form.changed_data}
            if changed:
                current = type(obj).objects.get(pk=obj.pk)
                self.update_service(current, actor=request.user, **changed)
            obj.refresh_from_db()
        else:
            created = self.create_service(actor=request.user, **data)
            obj.pk = created.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):  # pragma: no cover - deletion is not offered
        raise PermissionError("Master data is retired with is_active, not deleted.")


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_value")
    search_fields = ("name",)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "method", "path", "state", "status_code")
    list_filter = ("state", "method")
    search_fields = ("key", "path", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    exclude = ("body",)

    def has_delete_permission(self, request, obj=None):
        # Forgetting a stored response only means a retry runs again; purging old keys is routine.
        return request.user.has_perm("core.delete_idempotencykey")


# --- floor mode: badges and PINs -------------------------------------------------------------


class OperatorBadgeForm(forms.ModelForm):
    """A person's badge number and a new PIN (typed twice; never shown). Checked by the badge
    service's own rule, saved through it."""

    pin = forms.CharField(
        label="New PIN",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
        help_text="4 to 8 digits. Leave empty to keep the current PIN.",
    )
    pin_again = forms.CharField(
        label="New PIN again", required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    class Meta:
        model = OperatorBadge
        fields = ["user", "badge"]

    def clean(self):
        from .badges import operator_badge_problems

        data = super().clean()
        pin, again = data.get("pin") or None, data.get("pin_again") or None
        if pin != again:
            self.add_error("pin_again", "The two PINs differ.")
        user = data.get("user") or (self.instance.user if self.instance.pk else None)
        if user is None:
            return data
        has_badge = bool(self.instance.pk)
        badge = data.get("badge") if "badge" in self.changed_data or not has_badge else None
        for field, message in operator_badge_problems(user=user, badge=badge, pin=pin, has_badge=has_badge).items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(OperatorBadge)
class OperatorBadgeAdmin(admin.ModelAdmin):
    """Badges and PINs for floor mode: set by a supervisor (``core.change_operatorbadge``) or an
    administrator. The PIN is written through the badge service, hashed; it is never shown."""

    form = OperatorBadgeForm
    list_display = ("badge", "user", "pin_set_at", "pin_set_by")
    search_fields = ("badge", "user__username", "user__first_name", "user__last_name")
    list_select_related = ("user", "pin_set_by")
    readonly_fields = ("pin_set_at", "pin_set_by")

    def get_readonly_fields(self, request, obj=None):
        return ("user", *self.readonly_fields) if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("core.change_operatorbadge")

    def save_model(self, request, obj, form, change):
        from .badges import operator_badge_set

        data = form.cleaned_data
        user = obj.user if change else data["user"]
        badge = data["badge"] if (not change or "badge" in form.changed_data) else None
        saved = operator_badge_set(actor=request.user, user=user, badge=badge, pin=data.get("pin") or None)
        obj.pk = saved.pk
        obj.refresh_from_db()
