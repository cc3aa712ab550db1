from django import forms

from .models import WorkOrder


class WorkOrderOpenFilterForm(forms.Form):
    """Filters for the open work-order list on the home page."""

    STATUS_CHOICES = [("", "All open"), *[(s.value, s.label) for s in WorkOrder.OPEN_STATUSES]]
    HOLD_CHOICES = [("", "Any"), ("yes", "On hold"), ("no", "Not on hold")]

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    on_hold = forms.ChoiceField(label="Hold", choices=HOLD_CHOICES, required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def filter(self, queryset):
        """The queryset narrowed by the valid filters (invalid ones are ignored)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["on_hold"] == "yes":
            queryset = queryset.filter(active_hold_count__gt=0)
        elif data["on_hold"] == "no":
            queryset = queryset.filter(active_hold_count=0)
        if data["overdue"]:
            queryset = queryset.filter(is_overdue=True)
        return queryset

    @property
    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())
