"""Where a form sends the person back to: the page it came from (``next``), when that is one of
this site's own pages — never another site's (an open redirect), never a bare word that is no URL."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback=None, *, within="/"):
    """The ``next`` the form posted (or the URL carried) when it is a path on this site under
    ``within``; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith(within)
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return fallback
