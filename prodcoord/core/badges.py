"""Badges and PINs: how an operator signs in on a shared floor tablet (floor mode).

- ``operator_badges_set`` gives people a badge number and a PIN (or a new PIN): the one write
  path for the admin, ``manage.py setbadge`` and ``seed_demo``. The PIN is hashed with Django's
  password hashers (``make_password``); what was typed is never stored or logged.
- ``BadgePinBackend`` is the authentication backend that checks a badge and PIN. Floor mode calls
  ``authenticate(request, username="badge:<badge>", badge=…, pin_secret=…)``: django-axes counts
  failures by that username and the client address like any login, so repeated wrong PINs lock
  that badge on that tablet for ``LOGIN_LOCKOUT_MINUTES``. ``pin_secret`` is named so that
  Django's failed-login signal masks it.
- A floor-mode sign-in marks its session (``FLOOR_SESSION``): it ends after
  ``FLOOR_IDLE_TIMEOUT_SECONDS`` without a request (``sessions.py``) and reaches floor mode only
  (``floor_only``).

A badge and PIN is a person's credential, not a record of the plant: setting one writes no
event (the admin's own log records who changed a badge in the admin).
"""

import re

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from .models import OperatorBadge
from .naturalkeys import natural_key_problem
from .rows import RowErrors, single

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
BADGE_USERNAME_PREFIX = "badge:"
FLOOR_SESSION = "prodcoord_floor"
# The roles that may use floor mode only: a person whose roles are all among these (and who has the
# operator role) reaches floor mode and nothing else, however they signed in.
FLOOR_ROLES = {"operator", "viewer"}
MANAGE_PERMISSION = "core.change_operatorbadge"


def pin_problem(pin):
    if not pin:
        return "Enter a PIN of 4 to 8 digits."
    if not PIN_PATTERN.match(pin):
        return "A PIN is 4 to 8 digits (0–9), nothing else."
    if len(set(pin)) == 1:
        return "Choose a PIN that is not one digit repeated."
    return None


def badges_taken(badges):
    """``{lower-cased badge: user id}`` for those of ``badges`` someone has (one query)."""
    wanted = [str(b).strip().lower() for b in badges if b is not None]
    if not wanted:
        return {}
    return {b.badge.lower(): b.user_id for b in OperatorBadge.objects.annotate(lower=Lower("badge")).filter(lower__in=wanted)}


def operator_badge_problems(*, user, badge=None, pin=None, has_badge, taken=None):
    """What is wrong with giving ``user`` this badge and/or PIN: ``{field: message}`` (empty: nothing).
    ``badge``/``pin`` None: left as they are (a person without a badge needs both)."""
    problems = {}
    if taken is None:
        taken = badges_taken([badge])
    if badge is not None:
        badge = str(badge).strip()
        problem = natural_key_problem(badge) if badge else "Enter the badge number."
        if problem is None and len(badge) > 20:
            problem = "At most 20 characters."
        owner = taken.get(badge.lower())
        if problem is None and owner is not None and owner != user.pk:
            problem = f"Badge {badge} is someone else's already."
        if problem:
            problems["badge"] = problem
    elif not has_badge:
        problems["badge"] = "Enter the badge number."
    if pin is not None or not has_badge:
        problem = pin_problem(pin)
        if problem:
            problems["pin"] = problem
    if not user.is_active:
        problems["user"] = f"{user} cannot sign in (inactive)."
    return problems


def _may_manage(actor):
    return actor is None or actor.is_superuser or actor.has_perm(MANAGE_PERMISSION)


@transaction.atomic
def operator_badges_set(*, actor, rows):
    """Give each row's person a badge and PIN: rows ``{"user", "badge"?, "pin"?}``.

    A person without a badge needs both; one who has a badge may change either (a row with only
    ``pin`` resets the PIN). Badges are unique regardless of case. Only someone allowed to manage
    badges (``core.change_operatorbadge``: supervisors, administrators) or the system
    (``actor=None``) may set them. All or nothing; returns the badges in row order."""
    if not _may_manage(actor):
        raise PermissionDenied("Your role does not allow setting badges and PINs.")
    rows = list(rows)
    errors = RowErrors()
    users = [row["user"] for row in rows]
    current = {b.user_id: b for b in OperatorBadge.objects.select_for_update().filter(user__in=users).order_by("pk")}
    taken = badges_taken(row.get("badge") for row in rows)
    now = timezone.now()
    result, seen = {}, {}
    for index, row in enumerate(rows):
        user = row["user"]
        badge = current.get(user.pk) or result.get(user.pk)
        new_badge = row.get("badge")
        pin = row.get("pin")
        problems = operator_badge_problems(user=user, badge=new_badge, pin=pin, has_badge=badge is not None, taken=taken)
        if new_badge is not None and "badge" not in problems:
            new_badge = str(new_badge).strip()
            if seen.get(new_badge.lower(), user.pk) != user.pk:
                problems["badge"] = f"Badge {new_badge} is given to two people in this batch."
            else:
                seen[new_badge.lower()] = user.pk
        for field, message in problems.items():
            errors.add(index, field, message)
        if index in errors:
            continue
        if badge is None:
            badge = OperatorBadge(user=user, created_at=now)
        badge.updated_at = now
        if new_badge is not None:
            badge.badge = str(new_badge).strip()
        if pin is not None:
            badge.pin_hash = make_password(pin)
            badge.pin_set_at = now
            badge.pin_set_by = actor if actor is not None and actor.is_authenticated else None
        result[user.pk] = badge
    errors.raise_if_any()
    OperatorBadge.objects.bulk_create(
        result.values(),
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["badge", "pin_hash", "pin_set_at", "pin_set_by", "updated_at"],
    )
    return [result[row["user"].pk] for row in rows]


def operator_badge_set(*, actor, user, badge=None, pin=None):
    row = {"user": user}
    if badge is not None:
        row["badge"] = badge
    if pin is not None:
        row["pin"] = pin
    return single(operator_badges_set, row, actor=actor)


def badge_username(badge):
    """The name a badge's sign-in attempts are counted under (django-axes)."""
    return f"{BADGE_USERNAME_PREFIX}{(badge or '').strip().lower()[:40]}"


class BadgePinBackend(BaseBackend):
    """A badge number and PIN: the person whose badge it is, if the PIN is theirs and they may
    sign in. Checks nothing else (``username``/``password`` sign-ins are the other backends'), and
    answers no permission question (the role backend does)."""

    def authenticate(self, request, badge=None, pin_secret=None, **kwargs):
        if badge is None or pin_secret is None:
            return None
        badge = str(badge).strip()
        record = (
            OperatorBadge.objects.select_related("user").filter(badge__iexact=badge).first()
            if badge and natural_key_problem(badge) is None
            else None
        )
        if record is None:
            make_password(pin_secret)  # the same time as a wrong PIN: does not tell which badges exist
            return None
        if check_password(pin_secret, record.pin_hash) and record.user.is_active:
            return record.user
        return None

    def get_user(self, user_id):
        # Sessions name the backend that signed them in; the role backend reads the user (and the
        # auth stamp) in one statement.
        from .auth import RoleBackend

        return RoleBackend().get_user(user_id)


def floor_only(user, session=None):
    """Whether ``user`` reaches floor mode only: a floor-mode (badge) sign-in, or a person whose
    roles are operator (and perhaps viewer) and nothing more. Staff and superusers never."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    if session is not None and session.get(FLOOR_SESSION):
        return True
    from .auth import user_roles

    roles = user_roles(user)
    return "operator" in roles and roles <= FLOOR_ROLES
