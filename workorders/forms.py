from django import forms

from .models import WorkCenter, WorkOrder


class WorkOrderOpenFilterForm(forms.Form):
    """The filter bar of the open work-order list.

    Its field names and values are those of ``filters.WorkOrderFilter`` (the
    API's FilterSet), which does the filtering; this form only draws the
    controls a person needs on the page: open statuses only, a work-center
    picker, yes/no for holds.
    """

    STATUS_CHOICES = [("", "All open"), *[(s.value, s.label) for s in WorkOrder.OPEN_STATUSES]]
    HOLD_CHOICES = [("", "Any"), ("true", "On hold"), ("false", "Not on hold")]

    search = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, SKU, customer ref."}),
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    work_center = forms.ChoiceField(label="Work center", required=False)
    on_hold = forms.ChoiceField(label="Hold", choices=HOLD_CHOICES, required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False, widget=forms.CheckboxInput(attrs={"value": "true"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_center"].choices = [
            ("", "All"),
            *((code, code) for code in WorkCenter.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)),
        ]

    @property
    def is_filtered(self):
        return self.is_bound and any(str(self.data.get(name, "")).strip() for name in self.fields)
