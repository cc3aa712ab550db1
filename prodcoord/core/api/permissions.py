from rest_framework.permissions import BasePermission

from ..badges import floor_only

DEFAULT_ACTION_PERMS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
    "metadata": "view",
}


def required_permissions(view):
    """The permissions ``view.action`` needs: the viewset's ``action_permissions``
    entry, or the model's view/add/change/delete permission.

    An entry may be a dict by HTTP method, for an action that answers several
    (``{"GET": [...view...], "POST": [...place...]}``).
    """
    action = getattr(view, "action", None)
    explicit = getattr(view, "action_permissions", {})
    if action in explicit:
        perms = explicit[action]
        if isinstance(perms, dict):
            request = getattr(view, "request", None)
            method = request.method if request is not None else "GET"
            perms = perms.get("GET" if method in ("HEAD", "OPTIONS") else method, perms.get("GET", ()))
        return list(perms)
    kind = DEFAULT_ACTION_PERMS.get(action)
    if kind is None:
        return None
    model = view.get_queryset().model
    return [f"{model._meta.app_label}.{kind}_{model._meta.model_name}"]


class RolePermission(BasePermission):
    """Authenticated, and holding the role permissions the action needs."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if floor_only(user, getattr(request._request, "session", None)):
            # Operators use floor mode, not the API (prodcoord/core/floor_access.py).
            self.message = "Operators use floor mode, not the API."
            return False
        perms = required_permissions(view)
        if perms is None:
            # Non-viewset API views declare ``required_perms`` themselves.
            perms = list(getattr(view, "required_perms", ()))
        return user.has_perms(perms)
