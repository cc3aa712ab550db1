"""The roles exist as groups with exactly the documented permissions."""

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from prodcoord.core.roles import ROLE_PERMISSIONS, ROLES, VIEW_APPS, sync_roles

pytestmark = pytest.mark.django_db


def _perms(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def _view_perms():
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=VIEW_APPS, codename__startswith="view_")
    }


def test_the_six_roles_exist():
    assert ROLES == ("viewer", "operator", "supervisor", "coordinator", "planner", "quality", "materials_handler")
    assert set(ROLES) <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_role_has_exactly_view_plus_its_documented_permissions(role):
    group = Group.objects.get(name=role)
    assert _perms(group) == _view_perms() | set(ROLE_PERMISSIONS[role])


def test_documented_table():
    wo = "workorders"
    assert set(ROLE_PERMISSIONS["viewer"]) == set()
    downtime = {"plant.add_downtimeevent", "plant.change_downtimeevent"}
    # coordinators and supervisors give, change and close anyone's action items
    action_items = {"coordination.add_actionitem", "coordination.change_actionitem", "coordination.delete_actionitem"}
    # operators report, stop work (a hold) and issue the order's material from the line in floor mode,
    # and reach nothing else
    assert set(ROLE_PERMISSIONS["operator"]) == {f"{wo}.report_progress", f"{wo}.place_hold", *downtime, "materials.issue_stock"}
    assert set(ROLE_PERMISSIONS["supervisor"]) == {
        f"{wo}.place_hold",
        f"{wo}.release_hold",
        f"{wo}.release_quality_hold",
        f"{wo}.change_priority",
        f"{wo}.reverse_productionreport",
        # floor mode's badges and PINs, and the wall displays
        "core.view_operatorbadge",
        "core.add_operatorbadge",
        "core.change_operatorbadge",
        "plant.add_walldisplay",
        "plant.change_walldisplay",
        *downtime,
        "plant.delete_downtimeevent",
        *action_items,
    }
    assert set(ROLE_PERMISSIONS["coordinator"]) == {
        f"{wo}.add_workorder",
        f"{wo}.release_workorder",
        f"{wo}.transition_workorder",
        f"{wo}.report_progress",
        f"{wo}.reverse_productionreport",
        f"{wo}.place_hold",
        f"{wo}.release_hold",
        f"{wo}.change_priority",
        f"{wo}.reschedule_workorder",
        "materials.move_stock",
        "materials.receive_expectedreceipt",
        "materials.add_lot",
        *downtime,
        *action_items,
        # the shift handover: written, submitted and acknowledged by coordinators (the roster decides which)
        "coordination.add_shifthandover",
        "coordination.change_shifthandover",
        "coordination.delete_shifthandover",
        "coordination.acknowledge_shifthandover",
        "planning.act_on_shortage",
        "reports.generate_morningbrief",
    }
    assert set(ROLE_PERMISSIONS["materials_handler"]) == {
        "materials.move_stock",
        "materials.receive_expectedreceipt",
        "materials.add_lot",
        "materials.change_lot",
    }
    # quality owns quality holds: places them and releases them (with the disposition), nothing else
    assert set(ROLE_PERMISSIONS["quality"]) == {
        f"{wo}.place_quality_hold",
        f"{wo}.release_quality_hold",
        "coordination.add_actionitem",  # gives action items (a hold's follow-up), changes only their own
    }
    # the coordinator keeps the floor moving but does not decide what becomes of suspect parts
    assert f"{wo}.release_quality_hold" not in ROLE_PERMISSIONS["coordinator"]
    planner = set(ROLE_PERMISSIONS["planner"])
    for perm in (
        "materials.add_item",
        "materials.add_bom",
        "workorders.add_routing",
        "plant.add_workcenter",
        "plant.add_shift",
        f"{wo}.add_workorder",
        f"{wo}.change_workorder",
        f"{wo}.delete_workorder",
        f"{wo}.release_workorder",
        f"{wo}.change_priority",
        f"{wo}.reschedule_workorder",
        "planning.add_scheduleentry",
        "planning.act_on_shortage",
        f"{wo}.add_scrapreason",
        f"{wo}.change_scrapreason",
        f"{wo}.delete_scrapreason",
        "materials.add_location",
        "materials.add_expectedreceipt",
        "materials.move_stock",  # scripts feed the ledger (receipts from the ERP, moves from a WMS)
        "materials.receive_expectedreceipt",
        "plant.add_downtimereason",
        "plant.change_downtimereason",
        "planning.change_scheduleentry",  # only planners move the plan attainment is measured against
        "planning.act_on_shortage",
        "coordination.add_actionitem",
        "reports.generate_morningbrief",
    ):
        assert perm in planner
    assert not planner & downtime  # the planner does not stand at the machine
    # the planner plans: it releases and cancels, but does not start, complete or close
    # work, report progress or hold work on the floor
    assert not planner & {
        f"{wo}.transition_workorder",
        f"{wo}.report_progress",
        f"{wo}.reverse_productionreport",
        f"{wo}.place_hold",
        f"{wo}.release_hold",
    }


def test_every_role_can_see_every_domain_model():
    views = _view_perms()
    for app in VIEW_APPS:
        for model in global_apps.get_app_config(app).get_models():
            if model._meta.default_permissions and "view" in model._meta.default_permissions:
                assert f"{app}.view_{model._meta.model_name}" in views
    for role in ROLES:
        assert views <= _perms(Group.objects.get(name=role))


def test_users_in_a_role_get_its_permissions(make_user):
    operator = make_user("operator")
    viewer = make_user("viewer")
    assert operator.has_perm("workorders.report_progress")
    assert not operator.has_perm("workorders.release_hold")
    assert viewer.has_perm("workorders.view_workorder")
    assert not viewer.has_perm("workorders.report_progress")


def test_sync_roles_is_idempotent_and_repairs_drift():
    before = {g.name: _perms(g) for g in Group.objects.filter(name__in=ROLES)}
    group_count = Group.objects.count()
    # drift: someone adds and removes permissions by hand
    viewer = Group.objects.get(name="viewer")
    viewer.permissions.add(Permission.objects.get(codename="delete_workorder"))
    Group.objects.get(name="operator").permissions.remove(Permission.objects.get(codename="report_progress"))

    sync_roles(global_apps)
    sync_roles(global_apps)

    assert Group.objects.count() == group_count
    assert {g.name: _perms(g) for g in Group.objects.filter(name__in=ROLES)} == before
