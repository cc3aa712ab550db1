"""``attach_service_errors``: a service's refusal lands on the form field it names."""

from django import forms
from django.core.exceptions import ValidationError

from prodcoord.core.form_errors import attach_service_errors


class MoveForm(forms.Form):
    quantity = forms.IntegerField()
    source = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def bound():
    form = MoveForm({"quantity": "1", "source": "RACK-1", "version": "3"})
    assert form.is_valid()
    return form


def test_each_field_on_its_own_the_rest_form_wide():
    form = bound()
    error = ValidationError({"quantity": ["Only 6 there."], "from_location": ["Not on the line."], "work_order": ["Closed."]})
    attach_service_errors(form, error, rename={"from_location": "source"})
    assert form.errors["quantity"] == ["Only 6 there."]
    assert form.errors["source"] == ["Not on the line."]
    assert form.non_field_errors() == ["Closed."]


def test_a_hidden_field_is_said_form_wide():
    form = bound()
    attach_service_errors(form, ValidationError({"version": ["Changed by someone else."]}), form_wide=("version",))
    assert "version" not in form.errors and form.non_field_errors() == ["Changed by someone else."]


def test_an_error_for_no_field_is_form_wide():
    form = bound()
    attach_service_errors(form, ValidationError("The order is on hold."))
    assert form.non_field_errors() == ["The order is on hold."]
