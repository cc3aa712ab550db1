from django import forms

from materials.models import Location, Lot

MOVE_KINDS = [
    ("stage", "Stage to the line"),
    ("issue", "Issue to the order"),
    ("return", "Return from the order"),
]


class MaterialMoveForm(forms.Form):
    """Stage, issue or return one component of a work order; the ledger's service checks the rest."""

    kind = forms.ChoiceField(choices=MOVE_KINDS, label="Action")
    item = forms.ChoiceField(label="Component")
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0, label="Quantity")
    from_location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label="From")
    to_location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label="To")
    lot = forms.CharField(max_length=40, required=False, label="Lot (code)")
    note = forms.CharField(max_length=500, required=False, label="Note")

    def __init__(self, *args, requirements=(), locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(r.item.pk): r.item for r in requirements}
        self.fields["item"].choices = [(str(r.item.pk), f"{r.item.sku} — {r.item.name}") for r in requirements]
        queryset = Location.objects.filter(pk__in=[loc.pk for loc in locations]).order_by("code")
        self.fields["from_location"].queryset = queryset
        self.fields["to_location"].queryset = queryset
        self.fields["from_location"].empty_label = "—"
        self.fields["to_location"].empty_label = "—"
        self.fields["quantity"].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean_item(self):
        return self.items[self.cleaned_data["item"]]

    def clean(self):
        data = super().clean()
        code = (data.get("lot") or "").strip()
        item = data.get("item")
        data["lot"] = None
        if code and item is not None:
            lot = Lot.objects.filter(item=item, code__iexact=code).first()
            if lot is None:
                self.add_error("lot", f"{item.sku} has no lot {code}.")
            data["lot"] = lot
        return data


class ScheduleReplanForm(forms.Form):
    """Move a schedule entry to another shift, date or work center, or change its quantity: a
    schedule change with a reason (planning.services.schedule_entry_replan checks the rest)."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    shift = forms.ChoiceField(label="Shift")
    work_center = forms.ChoiceField(label="Work center")
    planned_quantity = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0, label="Planned")
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        error_messages={"required": "Say why the plan changes."},
        widget=forms.TextInput(attrs={"placeholder": "Why it changes"}),
    )

    def __init__(self, *args, entry, shifts, work_center_codes, **kwargs):
        kwargs.setdefault("auto_id", f"id_replan_{entry.pk}_%s")
        kwargs.setdefault(
            "initial",
            {
                "date": entry.date,
                "shift": entry.shift.code,
                "work_center": entry.work_center.code,
                "planned_quantity": entry.planned_quantity.normalize(),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [(s.code, f"{s.name} ({s.start_time:%H:%M}–{s.end_time:%H:%M})") for s in shifts]
        codes = sorted(set(work_center_codes) | {entry.work_center.code})
        self.fields["work_center"].choices = [(code, code) for code in codes]
        self.fields["planned_quantity"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
