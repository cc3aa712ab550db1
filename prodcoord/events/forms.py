import datetime as dt

from django import forms
from django.contrib.auth import get_user_model

from prodcoord.core.access import CodeChoiceField

from .models import EventScope
from .presenters import verb_choices


def _related(field):
    return EventScope._meta.get_field(field).related_model  # plant's models, never imported here


class ActivityFilterForm(forms.Form):
    """The activity feed's filters; read into ``EventFilter``'s terms, the API's (``filter_data``)."""

    department = CodeChoiceField(queryset=None, to_field_name="code", required=False, empty_label="Any department")
    work_center = CodeChoiceField(queryset=None, to_field_name="code", required=False, empty_label="Any work center")
    kind = forms.ChoiceField(required=False)
    person = CodeChoiceField(queryset=None, to_field_name="username", required=False, empty_label="Anyone")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _related("department").objects.order_by("code")
        self.fields["work_center"].queryset = _related("work_center").objects.order_by("code")
        self.fields["kind"].choices = [("", "Any kind"), *verb_choices()]
        self.fields["person"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end comes before the start.")
        return data

    @property
    def filtered(self):
        return any(
            self.cleaned_data.get(name) for name in ("department", "work_center", "kind", "person", "date_from", "date_to")
        )

    def filter_data(self):
        """The cleaned filters as ``EventFilter`` terms (dates as whole plant days)."""
        data, terms = self.cleaned_data, {}
        if data.get("department"):
            terms["department"] = data["department"].code
        if data.get("work_center"):
            terms["work_center"] = data["work_center"].code
        if data.get("kind"):
            terms["verb"] = data["kind"]
        if data.get("person"):
            terms["actor"] = data["person"].username
        if data.get("date_from"):
            terms["since"] = f"{data['date_from'].isoformat()}T00:00:00"
        if data.get("date_to"):
            terms["until"] = f"{(data['date_to'] + dt.timedelta(days=1)).isoformat()}T00:00:00"
        return terms
