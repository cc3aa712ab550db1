"""The roles, as Django groups with model permissions.

| role        | sees     | changes                                                                 |
|-------------|----------|-------------------------------------------------------------------------|
| viewer      | all      | nothing                                                                 |
| operator    | floor    | reports progress, stops work with a hold, issues the order's material   |
|             |          | from the line and (with the permission) starts and stops downtime, in   |
|             |          | floor mode only                                                         |
|             | mode     | (badge and PIN on a shared tablet; prodcoord/core/floor_access.py)      |
| supervisor  | all      | places/releases holds (quality holds too), changes priority, reverses   |
|             |          | production reports; sets operators' badges and PINs, creates and        |
|             |          | revokes wall displays; starts, stops, corrects and deletes downtime     |
| coordinator | all      | every transition, progress (and reversing it), holds (releases all but  |
|             |          | quality holds), priority,                                               |
|             |          | reschedule; creates work orders and shapes drafts; starts, stops and    |
|             |          | corrects downtime; regenerates the morning brief                        |
|             |          | (workorders/permissions.py)                                             |
| planner     | all      | master data (items, BOMs, routings, work centers, shifts, scrap and     |
|             |          | downtime reasons, locations, lots), creates and edits work orders and the        |
|             |          | schedule, releases/cancels (not start, complete, close: those are floor |
|             |          | moves), priority, plan, expected receipts; moves stock and receives     |
|             |          | expected receipts (scripts feeding the ledger from the ERP or a WMS);   |
|             |          | acknowledges, escalates and resolves shortages (coordinators too);      |
|             |          | regenerates the morning brief                                           |
| quality     | all      | places and releases quality holds (with their disposition)              |
|             |          |                                                                         |
| action      | all      | coordinators and supervisors give, change and close anyone's; planners  |
| items       |          | and quality give them; an owner changes and closes their own            |
| shift       | all      | coordinators: written and submitted by the outgoing one, acknowledged   |
| handovers   |          | by the incoming one (the roster: coordination/services/handovers.py)    |
| materials_  | all      | moves stock (receive, stage, issue, return, transfer, scrap, adjust,    |
| handler     |          | reverse), receives expected receipts, creates lots                      |

Coordinators and planners move stock and receive expected receipts too.

Who may place and release each kind of hold is one map, ``workorders/permissions.py``
(``HOLD_PLACE_PERMISSIONS``, ``HOLD_RELEASE_PERMISSIONS``).

``sync_roles`` is idempotent and runs after every ``migrate`` (and every test
database flush), from the core app's ``post_migrate`` handler: a migration that
adds models or permissions needs nothing more than an entry here.
"""

VIEW_APPS = ("plant", "materials", "workorders", "planning", "coordination", "events", "reports")

WO = "workorders"
MASTER_DATA = [
    "materials.add_item",
    "materials.change_item",
    "materials.add_bom",
    "materials.change_bom",
    "materials.delete_bom",
    "plant.add_department",
    "plant.change_department",
    "plant.add_workcenter",
    "plant.change_workcenter",
    "plant.add_shift",
    "plant.change_shift",
    "workorders.add_routing",
    "workorders.change_routing",
    "workorders.delete_routing",
    "plant.add_downtimereason",
    "plant.change_downtimereason",
    "plant.delete_downtimereason",
    "workorders.add_scrapreason",
    "workorders.change_scrapreason",
    "workorders.delete_scrapreason",
    "materials.add_location",
    "materials.change_location",
    "materials.delete_location",
    "materials.add_lot",
    "materials.change_lot",
    "materials.delete_lot",
]
STOCK = ["materials.move_stock", "materials.receive_expectedreceipt", "materials.add_lot"]

# Starting, stopping and correcting downtime: whoever is at the work center when it stops.
DOWNTIME = ["plant.add_downtimeevent", "plant.change_downtimeevent"]

# Action items: anyone who plans or runs the floor can give one; coordinators and supervisors change
# and close anyone's (an owner always changes and closes their own: coordination/services).
ACTION_ITEMS_ADD = ["coordination.add_actionitem"]
ACTION_ITEMS_MANAGE = ["coordination.add_actionitem", "coordination.change_actionitem", "coordination.delete_actionitem"]
# Shift handovers: written and submitted by the outgoing coordinator, acknowledged by the incoming one
# (the roster decides which coordinator: coordination/services/handovers.py).
HANDOVERS = [
    "coordination.add_shifthandover",
    "coordination.change_shifthandover",
    "coordination.delete_shifthandover",
    "coordination.acknowledge_shifthandover",
]

ROLE_PERMISSIONS = {
    "viewer": [],
    "operator": [f"{WO}.report_progress", f"{WO}.place_hold", *DOWNTIME, "materials.issue_stock"],
    "supervisor": [
        f"{WO}.place_hold",
        f"{WO}.release_hold",
        f"{WO}.release_quality_hold",
        f"{WO}.change_priority",
        f"{WO}.reverse_productionreport",
        # floor mode's badges and PINs, and the wall displays (the admin, for staff)
        "core.view_operatorbadge",
        "core.add_operatorbadge",
        "core.change_operatorbadge",
        "plant.add_walldisplay",
        "plant.change_walldisplay",
        *DOWNTIME,
        "plant.delete_downtimeevent",
        *ACTION_ITEMS_MANAGE,
    ],
    "coordinator": [
        f"{WO}.add_workorder",
        f"{WO}.release_workorder",
        f"{WO}.transition_workorder",
        f"{WO}.report_progress",
        f"{WO}.reverse_productionreport",
        f"{WO}.place_hold",
        f"{WO}.release_hold",
        f"{WO}.change_priority",
        f"{WO}.reschedule_workorder",
        *STOCK,
        *DOWNTIME,
        *ACTION_ITEMS_MANAGE,
        *HANDOVERS,
        "planning.act_on_shortage",
        "reports.generate_morningbrief",
    ],
    "planner": [
        *MASTER_DATA,
        f"{WO}.add_workorder",
        f"{WO}.change_workorder",
        f"{WO}.delete_workorder",
        f"{WO}.release_workorder",
        f"{WO}.change_priority",
        f"{WO}.reschedule_workorder",
        "planning.add_scheduleentry",
        "planning.change_scheduleentry",
        "planning.delete_scheduleentry",
        "materials.add_expectedreceipt",
        "materials.change_expectedreceipt",
        "materials.delete_expectedreceipt",
        *STOCK,
        *ACTION_ITEMS_ADD,
        "planning.act_on_shortage",
        "reports.generate_morningbrief",
    ],
    # Quality owns quality holds: places them, and releases them with the disposition of the parts.
    "quality": [f"{WO}.place_quality_hold", f"{WO}.release_quality_hold", *ACTION_ITEMS_ADD],
    "materials_handler": [*STOCK, "materials.change_lot"],
}
ROLES = tuple(ROLE_PERMISSIONS)

# The page each role starts on after logging in (a URL name), the first of the person's roles
# in this order deciding; anyone else starts on the open work orders ("home").
LANDING_PAGES = {
    "coordinator": "home",
    "supervisor": "home",
    "planner": "home",
    "operator": "floor-pick",
    "quality": "home",
    "materials_handler": "home",
}
# Roles that script against the REST API: the navigation links its docs for them (and for staff).
API_ROLES = ("planner",)


def role_names(user):
    """The names of ``user``'s roles, in the order of ``ROLES``: read with their permissions and
    cached with them (``prodcoord.core.auth.user_roles``), so no query of their own."""
    from .auth import user_roles

    names = user_roles(user)
    return [role for role in ROLES if role in names] + sorted(names - set(ROLES))


def landing_page(roles):
    """The URL name of the page a person with ``roles`` starts on."""
    return next((page for role, page in LANDING_PAGES.items() if role in roles), "home")


def sync_roles(apps):
    """Create the groups and set exactly their permissions (view on every domain model + the role's own).
    A role naming a permission that does not exist is an error."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = list(Permission.objects.filter(content_type__app_label__in=VIEW_APPS, codename__startswith="view_"))
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = list(view)
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                raise LookupError(f"Role {role!r} names the permission {perm!r}, which does not exist.")
            wanted.append(found)
        group.permissions.set(wanted)
    # Historical models send no signals to the auth cache's receivers: renew its stamp here.
    from .auth import auth_stamp_renew

    auth_stamp_renew()
