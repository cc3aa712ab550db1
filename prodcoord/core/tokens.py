"""API tokens: issued, renewed once expired, rotated on request.

A token is DRF's ``Token`` (one per user); it expires ``API_TOKEN_LIFETIME_DAYS`` after
it was issued (``prodcoord.core.auth.ExpiringTokenAuthentication`` refuses it then).
Rotating replaces the key: the old one is refused from the next request on, in every
process, because each request reads its token from the database.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .auth import token_expires_at


def token_is_expired(token, *, now=None):
    expires_at = token_expires_at(token.created)
    return expires_at is not None and expires_at <= (now or timezone.now())


def _lock_user(user):
    # Two requests issuing or rotating one user's token serialize here instead of racing
    # into Token's one-per-user constraint.
    User = get_user_model()
    User._default_manager.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def token_for(*, user):
    """The user's token: the current one, or a new one when they have none or it has expired."""
    _lock_user(user)
    token = Token.objects.filter(user=user).first()
    if token is not None and not token_is_expired(token):
        return token
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_rotate(*, user):
    """A new token for the user; the old one stops working at once."""
    _lock_user(user)
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
