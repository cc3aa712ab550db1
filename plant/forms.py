"""Forms of the plant's pages: starting and stopping downtime."""

from django import forms

# Choices are read once per page (selectors.active_downtime_reasons) and handed to every
# work center's form: no query per form.


class DowntimeStartForm(forms.Form):
    work_center = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.ChoiceField(label="Why is it down?", error_messages={"required": "Say why it stopped: choose a reason."})
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.TextInput(attrs={"placeholder": "What happened"})
    )

    def __init__(self, *args, reasons=(), work_center=None, **kwargs):
        if work_center is not None:
            kwargs.setdefault("auto_id", f"id_start_{work_center.pk}_%s")
            kwargs.setdefault("initial", {"work_center": work_center.code})
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "Choose…"), *((r.code, r.label) for r in reasons)]


class DowntimeStopForm(forms.Form):
    note = forms.CharField(
        label="What was done", required=False, max_length=2000, widget=forms.TextInput(attrs={"placeholder": "Optional"})
    )

    def __init__(self, *args, event=None, **kwargs):
        if event is not None:
            kwargs.setdefault("auto_id", f"id_stop_{event.pk}_%s")
        super().__init__(*args, **kwargs)
