"""The login page: Django's, with each role starting on its own page."""

from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url

from .roles import landing_page, role_names


class LoginView(auth_views.LoginView):
    """After logging in, a person goes where they were going; with nowhere in particular to go
    (no ``next``, or the site's front page, where every login starts) they go to the page their
    role starts on (``roles.LANDING_PAGES``): an operator to what is at their work center."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url == resolve_url("home") else url

    def get_default_redirect_url(self):
        if self.next_page:
            return resolve_url(self.next_page)
        return resolve_url(landing_page(role_names(self.request.user)))
