from django.utils.functional import SimpleLazyObject

from .selectors import pending_handover_for


def handover_banner(request):
    """``pending_handover``: the submitted, unacknowledged handover for the person's department and
    shift (the roster) — the first thing the incoming shift sees on every page. Read (one indexed
    query) only when a template shows it."""
    user = getattr(request, "user", None)
    return {"pending_handover": SimpleLazyObject(lambda: pending_handover_for(user))}
