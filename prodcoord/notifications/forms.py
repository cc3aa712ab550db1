from django import forms

from prodcoord.core.access import CodeChoiceField
from prodcoord.events.presenters import verb_choices

from .kinds import FOLLOW_VERBS, NOTIFY_VERBS
from .models import Email, NotificationSettings, Subscription


def _related(field):
    return Subscription._meta.get_field(field).related_model  # plant's and workorders' models, never imported here


class SubscriptionAddForm(forms.Form):
    """Follow something. The service checks the target; its refusal is shown on the field that named it."""

    kind = forms.ChoiceField(choices=Subscription.Kind.choices, label="Follow a")
    target = forms.CharField(
        required=False,
        max_length=60,
        label="Code or number",
        help_text="A department or work center code, or a work order number.",
    )
    event_kind = forms.ChoiceField(required=False, label="Kind of event")
    verbs = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Only these kinds (none ticked: all of them)"
    )
    email = forms.ChoiceField(choices=Email.choices, initial=Email.NONE, label="E-mail")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_kind"].choices = [("", "—"), *verb_choices(FOLLOW_VERBS)]
        self.fields["verbs"].choices = verb_choices(NOTIFY_VERBS)
        self.fields["kind"].widget.attrs["data-subscription-kind"] = ""

    def clean(self):
        data = super().clean()
        if data.get("kind") == Subscription.Kind.EVENT:
            if not data.get("event_kind"):
                self.add_error("event_kind", "Choose the kind of event to follow.")
            if data.get("verbs"):
                self.add_error("verbs", "A kind of event is followed as it is: tick none.")
        elif data.get("kind") and not (data.get("target") or "").strip():
            self.add_error("target", "Name what to follow: a code or a work order number.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        event = data["kind"] == Subscription.Kind.EVENT
        return {
            "kind": data["kind"],
            "target": data["event_kind"] if event else data["target"],
            "verbs": [] if event else data["verbs"],
            "email": data["email"],
        }

    def target_field(self):
        return "event_kind" if self.cleaned_data.get("kind") == Subscription.Kind.EVENT else "target"


class SubscriptionChangeForm(forms.Form):
    email = forms.ChoiceField(choices=Email.choices, label="E-mail")


class DepartmentForm(forms.Form):
    department = CodeChoiceField(queryset=None, to_field_name="code", required=False, empty_label="Not set", label="Department")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            NotificationSettings._meta.get_field("department").related_model.objects.filter(is_active=True).order_by("code")
        )
        self.fields["department"].label_from_instance = lambda department: f"{department.code} · {department.name}"
