"""Helpers shared by the API tests."""

import yaml
from django.core.management import call_command

from tests.factories import WorkCenterFactory, make_routed_item


def build_schema(tmp_path_factory, django_db_blocker):
    """The OpenAPI schema as the management command writes it, parsed.

    ``--fail-on-warn`` turns any drf-spectacular warning or error into a failure."""
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return yaml.safe_load(path.read_text())


def make_bracket():
    """BRKT-100, routed through CNC-01 (sequence 10) then PACK-01 (sequence 20)."""
    return make_routed_item(sku="BRKT-100", work_centers=[WorkCenterFactory(code="CNC-01"), WorkCenterFactory(code="PACK-01")])
