"""A service's refusal, said on the page's form: one rule for every view that calls a service."""


def attach_service_errors(form, error, *, rename=None, form_wide=()):
    """Put a service's ``ValidationError`` on ``form``: each field's messages on the form's field of
    that name (``rename``: the service's field name → the form's), form-wide when the form has no such
    field or it is one the person does not see (``form_wide``: hidden fields such as ``version``)."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        field = rename.get(field, field)
        form.add_error(field if field in form.fields and field not in form_wide else None, messages)
