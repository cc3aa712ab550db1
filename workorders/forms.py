import datetime as dt

from django import forms

from plant.selectors import active_work_center_codes, department_choices
from prodcoord.core.quantities import fmt_qty

from .models import Hold, ScrapReason, WorkOrder
from .permissions import hold_kinds_placeable
from .services import BOARD_GROUPS, transition_reason_required


def _search_field():
    return forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "WO, item, customer ref."}),
    )


class WorkOrderListFilterForm(forms.Form):
    """The filter bar of a work-order list page.

    Its field names and values are those of ``filters.WorkOrderFilter`` (the API's FilterSet),
    which does the filtering; a form only draws the controls a person needs on its page."""

    search = _search_field()

    def filter_data(self):
        """What the FilterSet filters by: the query as given (values it cannot read are ignored)."""
        return self.data if self.is_bound else None

    @property
    def is_filtered(self):
        return self.is_bound and any(str(self.data.get(name, "")).strip() for name in self.fields)

    def active_filters(self):
        """Each filter in use as (label, value as shown): the printed list says what it holds."""
        shown = []
        for name, field in self.fields.items():
            raw = str(self.data.get(name, "")).strip() if self.is_bound else ""
            if not raw:
                continue
            label = field.label or name.replace("_", " ").capitalize()
            if isinstance(field, forms.BooleanField):
                shown.append((label, "yes"))
            else:
                shown.append((label, dict(getattr(field, "choices", ())).get(raw, raw)))
        return shown


class WorkOrderOpenFilterForm(WorkOrderListFilterForm):
    """The board's filters: open statuses only, the department and the work center of each order's
    current operation, priority, a due window, late only, holds, and how to group the rows."""

    STATUS_CHOICES = [("", "All open"), *[(s.value, s.label) for s in WorkOrder.OPEN_STATUSES]]
    HOLD_CHOICES = [("", "Any"), ("true", "On hold"), ("false", "Not on hold")]
    PRIORITY_CHOICES = [("", "Any"), *[(str(p), f"{p}{' (most urgent)' if p == 1 else ''}") for p in range(1, 6)]]
    GROUP_CHOICES = [("", "None"), *BOARD_GROUPS.items()]

    department = forms.ChoiceField(label="Department", required=False)
    work_center = forms.ChoiceField(label="Now at", required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    priority = forms.ChoiceField(label="Priority", choices=PRIORITY_CHOICES, required=False)
    due_after = forms.DateField(label="Due from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_before = forms.DateField(label="Due to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    on_hold = forms.ChoiceField(label="Hold", choices=HOLD_CHOICES, required=False)
    overdue = forms.BooleanField(label="Late only", required=False, widget=forms.CheckboxInput(attrs={"value": "true"}))
    group = forms.ChoiceField(label="Group by", choices=GROUP_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_center"].choices = [
            ("", "All"),
            *((code, code) for code in active_work_center_codes()),
        ]
        self.fields["department"].choices = [("", "All"), *department_choices()]

    @property
    def is_filtered(self):
        return self.is_bound and any(str(self.data.get(name, "")).strip() for name in self.fields if name != "group")

    def active_filters(self):
        return [(label, value) for label, value in super().active_filters() if label != "Group by"]

    def grouping(self):
        """The grouping asked for (a key of ``BOARD_GROUPS``), or "" for none."""
        value = str(self.data.get("group", "")).strip() if self.is_bound else ""
        return value if value in BOARD_GROUPS else ""


class SavedViewForm(forms.Form):
    """Save the board as it is shown (``query``: its query string) under a name."""

    name = forms.CharField(
        label="Name this view",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Late in machining", "autocomplete": "off"}),
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class WorkOrderSearchForm(WorkOrderListFilterForm):
    """Completed orders: a search, nothing else to narrow."""


class WorkOrderHistoryFilterForm(WorkOrderListFilterForm):
    """The history: a search, and closed or cancelled."""

    STATUS_CHOICES = [
        ("", "All"),
        (WorkOrder.Status.CLOSED, "Closed"),
        (WorkOrder.Status.CANCELLED, "Cancelled"),
    ]

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)


# --- actions on one work order (the detail page) ------------------------------------
#
# These forms only parse what a person typed. The rules (which states allow what,
# reasons that are required, quantities that add up) live in the services, whose
# field errors the views attach back to these forms.

QTY_INPUT = {"inputmode": "decimal", "autocomplete": "off", "class": "input--qty", "placeholder": "0"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _qty_field(label):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=3,
        widget=forms.TextInput(attrs=QTY_INPUT),
        error_messages={"invalid": "Enter a number, like 12 or 2.5."},
    )


def _reason_field(label="Reason", *, rows=2, required=False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class WorkOrderActionForm(forms.Form):
    """Every action form carries the version of the work order the person was looking at,
    so a change made meanwhile by someone else is refused instead of overwritten."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This form is out of date. Reload the page and try again.",
            "invalid": "This form is out of date. Reload the page and try again.",
            "min_value": "This form is out of date. Reload the page and try again.",
        },
    )

    id_prefix = "action"

    def __init__(self, *args, work_order, user=None, **kwargs):
        # Several action forms share field names on one page; their element ids must not clash.
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", work_order.version)
        super().__init__(*args, **kwargs)
        self.work_order = work_order

    def hidden_errors(self):
        return [error for field in self.hidden_fields() for error in field.errors]


class WorkOrderTransitionForm(WorkOrderActionForm):
    """Release, start, complete, close or cancel. Cancelling, and completing short, need a reason."""

    reason = _reason_field()

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        work_order = self.work_order
        if transition_reason_required(work_order=work_order, action=action) is None:
            del self.fields["reason"]
        elif action == "cancel":
            self.fields["reason"].label = "Why cancel?"
        else:
            done, wanted = fmt_qty(work_order.quantity_completed), fmt_qty(work_order.quantity)
            self.fields["reason"].label = f"Why complete short? ({done} of {wanted} made)"

    @property
    def needs_reason(self):
        return "reason" in self.fields


class ScrapReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class ProgressReportForm(WorkOrderActionForm):
    """Good and scrap on an operation. ``confirm`` carries the total (good + scrap) the person
    confirmed after the page warned that it is more than was left at the operation: a
    confirmation covers exactly the numbers it was given for."""

    id_prefix = "progress"
    operation = forms.TypedChoiceField(label="Operation", coerce=int, empty_value=None)
    quantity_good = _qty_field("Good")
    quantity_scrap = _qty_field("Scrap")
    scrap_reason = ScrapReasonChoiceField(
        label="Scrap reason",
        queryset=ScrapReason.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label="— with scrap: why? —",
        error_messages={"invalid_choice": "That scrap reason is no longer in use; choose another."},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)
    confirm = forms.DecimalField(required=False, max_digits=15, decimal_places=3)

    def processed(self):
        """Good + scrap as typed (cleaned), or None before the form is valid."""
        data = getattr(self, "cleaned_data", None) or {}
        if "quantity_good" not in data or "quantity_scrap" not in data:
            return None
        return (data["quantity_good"] or 0) + (data["quantity_scrap"] or 0)

    def confirmed(self):
        """Whether the person confirmed exactly this report's total."""
        confirm = self.cleaned_data.get("confirm")
        return confirm is not None and confirm == self.processed()

    @property
    def needs_confirmation(self):
        return self.is_bound and bool(self.errors.get("confirm"))

    def __init__(self, *args, current_operation=None, **kwargs):
        super().__init__(*args, **kwargs)
        operations = list(self.work_order.operations.all())
        self.fields["operation"].choices = [
            (op.sequence, f"{op.sequence} · {op.work_center.code}{f' · {op.description}' if op.description else ''}")
            for op in operations
        ]
        self.fields["operation"].error_messages["invalid_choice"] = (
            f"{self.work_order.number} has no operation %(value)s; choose one of the list."
        )
        if current_operation is not None:
            self.initial.setdefault("operation", current_operation.sequence)


class ReportReverseForm(WorkOrderActionForm):
    """Reverse one production report (its id is in the URL), with a reason."""

    reason = forms.CharField(label="Why is it wrong?", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class HoldPlaceForm(WorkOrderActionForm):
    """A hold, with what it concerns when narrower than the order: one of its operations, or a
    work center its operations pass through (both optional; it holds the whole order all the
    same). Only the kinds the person's role may place are offered (``permissions``)."""

    id_prefix = "hold"
    kind = forms.ChoiceField(label="Kind of hold", choices=[("", "Choose…"), *Hold.Kind.choices], required=False)
    operation = forms.TypedChoiceField(label="Operation (optional)", coerce=int, empty_value=None, required=False)
    work_center = forms.ChoiceField(
        label="Work center (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a work center this order passes through."},
    )
    reason = _reason_field("Why is it held?", rows=3)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            kinds = hold_kinds_placeable(user)
            self.fields["kind"].choices = [("", "Choose…"), *((k, v) for k, v in Hold.Kind.choices if k in kinds)]
        operations = list(self.work_order.operations.all())
        self.fields["operation"].choices = [
            ("", "Whole order"),
            *((op.sequence, f"{op.sequence} · {op.work_center.code}") for op in operations),
        ]
        self.fields["operation"].error_messages["invalid_choice"] = (
            f"{self.work_order.number} has no operation %(value)s; choose one of the list."
        )
        # The work centers its operations pass through (read with them: no query of its own).
        self.work_centers = {op.work_center.code: op.work_center for op in operations}
        self.fields["work_center"].choices = [
            ("", "Whole order"),
            *((code, code) for code in sorted(self.work_centers)),
        ]

    def clean_work_center(self):
        return self.work_centers.get(self.cleaned_data["work_center"]) if self.cleaned_data["work_center"] else None


class HoldReleaseForm(WorkOrderActionForm):
    """The release of one hold; a quality hold's asks for its disposition (what becomes of the parts)."""

    release_note = _reason_field("What was done to clear it?", rows=2)
    disposition = forms.ChoiceField(
        label="Disposition of the parts", choices=[("", "Choose…"), *Hold.Disposition.choices], required=False
    )

    def __init__(self, *args, hold=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hold is None or hold.kind != Hold.Kind.QUALITY:
            del self.fields["disposition"]


class PriorityChangeForm(WorkOrderActionForm):
    id_prefix = "priority"

    priority = forms.TypedChoiceField(
        label="New priority", coerce=int, choices=[(n, str(n)) for n in range(1, 6)], widget=forms.RadioSelect
    )
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("priority", self.work_order.priority)


class PlantDateTimeField(forms.DateTimeField):
    """A date and time typed on the plant's clock; one at the very edge of the calendar, which
    cannot be stored once moved to UTC, is refused here instead of failing on save."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(dt.UTC)
            except OverflowError:
                raise forms.ValidationError("Enter a date and time the plan can hold.", code="out_of_range") from None
        return result


class RescheduleForm(WorkOrderActionForm):
    """New plan dates, entered on the plant's clock (the current time zone)."""

    id_prefix = "reschedule"

    planned_start = PlantDateTimeField(
        label="Planned start",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    planned_end = PlantDateTimeField(
        label="Planned end",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    due_date = forms.DateField(
        label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = _reason_field()

    PLAN_FIELDS = ("planned_start", "planned_end", "due_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.PLAN_FIELDS:
            self.initial.setdefault(name, getattr(self.work_order, name))

    @staticmethod
    def _same(old, new):
        if old is None or new is None:
            return old is new
        if isinstance(old, dt.datetime):
            # The inputs show minutes; an untouched field must not count as a change of its seconds.
            return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
        return old == new

    def changed_plan(self):
        """Only the plan fields the person actually changed (cleared = set to none)."""
        return {
            name: self.cleaned_data[name]
            for name in self.PLAN_FIELDS
            if not self._same(getattr(self.work_order, name), self.cleaned_data[name])
        }


# --- creating a work order, and editing a draft ------------------------------------------
#
# The create and update services decide what is valid (an active item with a released routing,
# quantities, plan dates, reasons); these forms parse what was typed and show the services'
# field errors next to their fields.


def _plan_datetime_field(label):
    return PlantDateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def _due_date_field():
    return forms.DateField(label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _priority_field():
    return forms.TypedChoiceField(
        label="Priority", coerce=int, choices=[(n, str(n)) for n in range(1, 6)], widget=forms.RadioSelect, initial=3
    )


def _quantity_field():
    return forms.DecimalField(
        label="Quantity",
        max_digits=14,
        decimal_places=3,
        widget=forms.TextInput(attrs=QTY_INPUT),
        error_messages={"invalid": "Enter a number, like 12 or 2.5.", "required": "How many to make?"},
    )


def _customer_ref_field():
    return forms.CharField(label="Customer ref.", required=False, max_length=60)


class WorkOrderCreateForm(forms.Form):
    """A new draft work order, as a planner or coordinator types it. The item is picked by its SKU
    (the page suggests items as you type: its SKU or name)."""

    # Drawn by the template: a text input with its list of suggestions, fetched as one types.
    item = forms.CharField(label="Item", max_length=40, error_messages={"required": "Choose the item to make."})
    quantity = _quantity_field()
    due_date = _due_date_field()
    priority = _priority_field()
    customer_ref = _customer_ref_field()
    planned_start = _plan_datetime_field("Planned start")
    planned_end = _plan_datetime_field("Planned end")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_new_%s")
        super().__init__(*args, **kwargs)
        self.item = None

    def clean_item(self):
        from materials.models import Item

        sku = self.cleaned_data["item"].strip()
        item = Item.objects.filter(sku__iexact=sku).first()
        if item is None:
            raise forms.ValidationError(f"No item {sku}. Type part of its SKU or name and pick it from the list.")
        self.item = item
        return item


class DraftEditForm(WorkOrderActionForm):
    """A draft's quantity, customer reference, priority and plan. Fields the person's role may not
    change are shown, not editable; a priority or plan change needs a reason (the service says so)."""

    id_prefix = "edit"

    quantity = _quantity_field()
    customer_ref = _customer_ref_field()
    priority = _priority_field()
    due_date = _due_date_field()
    planned_start = _plan_datetime_field("Planned start")
    planned_end = _plan_datetime_field("Planned end")
    reason = _reason_field("Reason (for a priority or plan change)")

    FIELDS = ("quantity", "customer_ref", "priority", "due_date", "planned_start", "planned_end")

    def __init__(self, *args, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.FIELDS:
            self.initial.setdefault(name, getattr(self.work_order, name))
            if name == "quantity":  # as a person writes it: 40, not 40.000
                self.initial[name] = fmt_qty(self.initial[name])
            if editable is not None and name not in editable:
                self.fields[name].disabled = True
                self.fields[name].required = False

    def changes(self):
        """Only the fields the person changed (a cleared date counts; the seconds a plan time
        holds and the input cannot show do not)."""
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if not self.fields[name].disabled
            and not RescheduleForm._same(getattr(self.work_order, name), self.cleaned_data[name])
        }


# --- floor mode ----------------------------------------------------------------------------
#
# A shared tablet by the machine: the operator signs in with their badge and PIN, opens a work
# order by its number (typed, or scanned from the traveler), reports on its current operation and
# stops work with a hold. The same services as the work order's page decide what is valid.


class BadgeSignInForm(forms.Form):
    badge = forms.CharField(
        label="Badge number",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
        error_messages={"required": "Enter your badge number."},
    )
    pin = forms.CharField(
        label="PIN",
        max_length=8,
        strip=False,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
        error_messages={"required": "Enter your PIN.", "max_length": "A PIN is at most 8 digits."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_signin_%s")
        super().__init__(*args, **kwargs)


class FloorPickForm(forms.Form):
    """A work order's number, typed or scanned (a scanner types the traveler's barcode and Enter)."""

    number = forms.CharField(
        label="Work order number",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True, "placeholder": "WO-000123"}
        ),
        error_messages={"required": "Type or scan the work order's number."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_pick_%s")
        super().__init__(*args, **kwargs)


class FloorProgressForm(ProgressReportForm):
    """Floor mode reports on the order's current operation only: it is carried, not chosen."""

    id_prefix = "floor"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].widget = forms.HiddenInput()
        self.fields["operation"].error_messages["required"] = "This order has no operation to report on now."
        self.fields["note"].widget.attrs["autocomplete"] = "off"


class FloorHoldForm(HoldPlaceForm):
    """Stop work: a quality problem by default; the kind can be changed."""

    id_prefix = "floorhold"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kind", Hold.Kind.QUALITY)
        self.fields["reason"].label = "What is wrong?"
