"""Who may open the pages (every app's views use ``login_required`` from here), and a choice field they share."""

import functools

from django import forms
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django_htmx.http import HttpResponseClientRedirect


def login_required(view):
    """Django's login_required; an htmx request whose session has expired is sent to the login page as a
    whole page (instead of the login form being swapped into a fragment)."""
    protected = django_login_required(view)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.path
            return HttpResponseClientRedirect(redirect_to_login(back)["Location"])
        return protected(request, *args, **kwargs)

    return wrapped


class CodeChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField``, where a value holding a NUL is refused as an invalid choice (PostgreSQL
    refuses to even compare one, which would be a 500)."""

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)
