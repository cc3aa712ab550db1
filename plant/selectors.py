"""Reads of the plant's master data, shaped for the API and the pages."""

from .models import Department, Shift, UserWorkCenter, WallDisplay, WorkCenter


def department_list():
    return Department.objects.order_by("code")


def work_center_list():
    return WorkCenter.objects.select_related("department").order_by("code")


def shift_list():
    return Shift.objects.order_by("start_time", "code")


def active_work_center_codes():
    """Codes of the work centers in use, for pickers."""
    return work_center_list().filter(is_active=True).values_list("code", flat=True)


def department_choices():
    """``[(code, "code · name"), …]`` of the departments, for pickers."""
    return [(code, f"{code} · {name}") for code, name in department_list().values_list("code", "name")]


def user_work_center(*, user):
    """The work center ``user`` chose to work at, or None (none chosen, or it is no longer in use)."""
    choice = UserWorkCenter.objects.select_related("work_center").filter(user_id=user.pk, work_center__is_active=True).first()
    return choice.work_center if choice is not None else None


def wall_display_for_token(token):
    """The wall display (with its department) whose token this is, revoked or not; None for a token
    that is no display's. One query; compares the token's SHA-256, never the token."""
    from .services import wall_display_token_hash

    if not token or len(token) > 200:
        return None
    return WallDisplay.objects.select_related("department").filter(token_hash=wall_display_token_hash(token)).first()
