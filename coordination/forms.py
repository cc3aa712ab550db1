from django import forms
from django.contrib.auth import get_user_model

from plant.models import Department
from prodcoord.core.access import CodeChoiceField
from prodcoord.core.plant_time import plant_today

from .models import ActionItem


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class ActionItemForm(forms.Form):
    """A new action item (or an edit of one): what, who, by when. Where it came from travels in hidden
    fields (``source``, ``hold``, ``downtime_event``, ``work_order``, ``source_reference``), read by the
    view from the records they name."""

    title = forms.CharField(max_length=200, label="What is to be done")
    owner = OwnerChoiceField(queryset=get_user_model().objects.none(), label="Owner")
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    is_critical = forms.BooleanField(required=False, label="Critical")
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Note")
    department = CodeChoiceField(
        queryset=Department.objects.none(),
        required=False,
        to_field_name="code",
        label="Department",
        empty_label="— its source's, or the owner's —",
    )

    def __init__(self, *args, owners, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["department"].queryset = departments
        if not self.is_bound and "due_date" not in self.initial:
            self.initial["due_date"] = plant_today()


class ActionItemCloseForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)
    closing_note = forms.CharField(required=False, max_length=2000, label="What became of it")


class HandoverNotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Notes for the incoming shift",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
