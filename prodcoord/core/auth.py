"""Who is asking and what they may do, at the cost of one small query per request.

Every API request authenticates and checks role permissions. Read as Django and DRF
read them, that is two ORM queries (the token with its user, then the user's own and
role permissions) and the ORM's work to build them. Here:

- **The auth stamp.** One row (``core.AuthStamp``) holds a random value that is
  replaced whenever anything that decides what a user may do changes: a user's
  roles (groups) or own permissions, a role's permissions, a user saved (superuser,
  active), a user, role or permission deleted. It is replaced in the same
  transaction as the change, so the new stamp and the change become visible
  together, to every process at once.
- **A token request reads one row** (``token_row``): the token, its user and the
  stamp, in one statement of plain SQL. A deleted (revoked, rotated) token, an
  inactive user and an expired token are refused right there; nothing about the
  token or the user is cached, so nothing about them can be stale.
- **A user's permissions are cached** in Django's cache under ``(stamp, user id)``
  (``permissions_for``): the first request after a change reads them again (one
  query), every other request takes them from the cache. An entry under an old
  stamp is never read again and expires. The stamp is random, not a counter, so a
  restored backup or a second deployment sharing the cache never meets an entry
  written for other data.
- A page (session) request reads its user with the stamp in one statement too
  (``RoleBackend.get_user``), and its permissions from the same cache.

The receivers at the end replace the stamp. They are cache invalidation, not
business logic: they write nothing but the stamp, and watch only Django's own
models (users, groups, permissions), which have no service layer of ours to call.
A change made behind the ORM's back (``QuerySet.update()`` of ``is_superuser``, raw
SQL on the group tables) must call ``auth_stamp_renew()`` itself; ``sync_roles``
does.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from .models import AuthStamp

CACHE_SECONDS = 3600
NO_STAMP = "-"  # the stamp row is missing (a flushed database): still one value, replaced by the next change


# --- the stamp ------------------------------------------------------------------------


def auth_stamp():
    """The current stamp (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {AuthStamp._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else NO_STAMP


def auth_stamp_renew():
    """Give the stamp a new value: every cached user and permission set is read again on its next use."""
    table = AuthStamp._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, value) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            [uuid.uuid4().hex],
        )


ROLE_PREFIX = "role"  # the user's roles ride in the cached set as "role.<name>" (no model has that label)


def _permissions_read(user_obj):
    fields = ("content_type__app_label", "codename")
    if user_obj.is_superuser:
        rows = Permission.objects.values_list(*fields).order_by()
    else:
        own = Permission.objects.filter(user=user_obj).values_list(*fields).order_by()
        via_roles = Permission.objects.filter(group__user=user_obj).values_list(*fields).order_by()
        # The person's roles, in the same statement: floor mode's access rule (badges.floor_only) reads them.
        roles = (
            Group.objects.filter(user=user_obj)
            .annotate(prefix=Value(ROLE_PREFIX, output_field=CharField()))
            .values_list("prefix", "name")
            .order_by()
        )
        rows = own.union(via_roles, roles).order_by()
    return frozenset(f"{app_label}.{codename}" for app_label, codename in rows)


def user_roles(user_obj):
    """The names of ``user_obj``'s roles, from the cached permission set (no query once cached)."""
    if not user_obj.is_authenticated or not user_obj.is_active:
        return frozenset()
    prefix = f"{ROLE_PREFIX}."
    perms = RoleBackend().get_all_permissions(user_obj)
    return frozenset(p[len(prefix) :] for p in perms if p.startswith(prefix))


def permissions_for(user_obj, stamp):
    """The user's permissions (own and their roles') as of ``stamp``: from the cache, or read
    in one query and cached."""
    key = f"auth:perms:{stamp}:{user_obj.pk}"
    perms = cache.get(key)
    if perms is None:
        perms = _permissions_read(user_obj)
        cache.set(key, perms, CACHE_SECONDS)
    return perms


def _user_select():
    """``u.<column>, …`` for every concrete field of the user model, and the attribute names in that order."""
    User = get_user_model()
    fields = User._meta.concrete_fields
    return ", ".join(f"u.{f.column}" for f in fields), [f.attname for f in fields]


def _user_from_row(values, names, stamp):
    """A user model instance from its columns, converted as the ORM converts them (SQLite's booleans
    and naive datetimes)."""
    User = get_user_model()
    values = list(values)
    for index, field in enumerate(User._meta.concrete_fields):
        col = field.get_col(User._meta.db_table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            values[index] = convert(values[index], col, connection)
    user = User.from_db(connection.alias, names, values)
    user._auth_stamp = stamp or NO_STAMP
    return user


def user_with_stamp(user_id):
    """The user and the current auth stamp, in one statement; None when there is no such user."""
    User = get_user_model()
    columns, names = _user_select()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, s.value FROM {User._meta.db_table} u "
            f"LEFT JOIN {AuthStamp._meta.db_table} s ON s.id = 1 WHERE u.{User._meta.pk.column} = %s",
            [user_id],
        )
        row = cursor.fetchone()
    return _user_from_row(row[:-1], names, row[-1]) if row else None


class RoleBackend(ModelBackend):
    """Django's ModelBackend, with the user read together with the auth stamp, and their
    permissions (own and their roles') read in one query and cached until the stamp changes."""

    def get_user(self, user_id):
        # A session's user: the same one query as before, the stamp read with it.
        user = user_with_stamp(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            stamp = getattr(user_obj, "_auth_stamp", None) or auth_stamp()
            user_obj._perm_cache = permissions_for(user_obj, stamp)
        return user_obj._perm_cache


# --- API tokens ---------------------------------------------------------------------------


def token_lifetime():
    """How long a token lasts (``API_TOKEN_LIFETIME_DAYS``); None: forever."""
    days = settings.API_TOKEN_LIFETIME_DAYS
    return dt.timedelta(days=days) if days else None


def token_expires_at(created):
    lifetime = token_lifetime()
    return created + lifetime if lifetime else None


def token_row(key):
    """``(user, created)`` for a token key, or None: the token, its user and the auth stamp in one statement."""
    User = get_user_model()
    columns, names = _user_select()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.created, s.value, {columns} FROM {Token._meta.db_table} t "
            f"JOIN {User._meta.db_table} u ON u.{User._meta.pk.column} = t.user_id "
            f"LEFT JOIN {AuthStamp._meta.db_table} s ON s.id = 1 WHERE t.key = %s",
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    created, stamp = row[0], row[1]
    if timezone.is_naive(created):  # SQLite hands back naive UTC
        created = timezone.make_aware(created, dt.UTC)
    return _user_from_row(row[2:], names, stamp), created


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``: DRF's token, refused once it is older than the configured
    lifetime, read in one statement with the auth stamp; the user comes from the cache."""

    def authenticate_credentials(self, key):
        if len(key) > Token._meta.get_field("key").max_length or "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid token.")
        row = token_row(key)
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, created = row
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        expires_at = token_expires_at(created)
        if expires_at is not None and expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                f"This API token expired at {expires_at.isoformat(timespec='seconds')} (tokens last "
                f"{settings.API_TOKEN_LIFETIME_DAYS} days). Get a new one: POST /api/v1/auth/token/ "
                "with your username and password.",
                code="token_expired",
            )
        return user, Token(key=key, user=user, created=created)


# --- what renews the stamp ------------------------------------------------------------------


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        auth_stamp_renew()


def _user_saved(sender, update_fields=None, **kwargs):
    # Logging in saves last_login only: nothing that decides permissions.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    auth_stamp_renew()


def _deleted(sender, **kwargs):
    auth_stamp_renew()


def connect_receivers():
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"auth-stamp-m2m-{through._meta.label}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="auth-stamp-user-saved")
    for model in (User, Group, Permission):
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"auth-stamp-deleted-{model._meta.label}")
