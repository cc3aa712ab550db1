"""Master data: items, BOM revisions (one released per item, no cycles) and routings."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from materials import services
from materials.models import BOM, Item
from prodcoord.core.exceptions import ConflictError, TransitionError
from prodcoord.events.models import Event
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def line(component, qty="1", scrap=None):
    data = {"component": component, "quantity_per": Decimal(qty)}
    if scrap is not None:
        data["scrap_pct"] = Decimal(scrap)
    return data


def released_bom(item, *components, revision="A"):
    bom = services.bom_create(actor=None, item=item, revision=revision, lines=[line(c) for c in components])
    return services.bom_release(actor=None, bom=bom)


# --- items -----------------------------------------------------------------------


def test_item_create_validates_and_records(make_user):
    actor = make_user("planner")
    item = services.item_create(actor=actor, sku=" BRK-100 ", name="Bracket", kind="component", uom="ea")
    assert item.sku == "BRK-100"
    event = Event.objects.get(verb="item.created")
    assert event.actor == actor
    assert event.changes["sku"] == [None, "BRK-100"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sku": "", "name": "x", "kind": "raw"}, "sku"),
        ({"sku": "X1", "name": "x", "kind": "gadget"}, "kind"),
        ({"sku": "X1", "name": "x", "kind": "raw", "safety_stock": Decimal("-1")}, "safety_stock"),
        ({"sku": "X1", "name": "x", "kind": "raw", "price": 3}, "price"),
    ],
)
def test_item_create_field_errors(data, field):
    with pytest.raises(ValidationError) as exc:
        services.item_create(actor=None, **data)
    assert field in exc.value.message_dict
    assert not Item.objects.filter(sku="X1").exists()


def test_item_sku_is_unique():
    services.item_create(actor=None, sku="DUP", name="a", kind="raw")
    with pytest.raises(ValidationError) as exc:
        services.item_create(actor=None, sku="DUP", name="b", kind="raw")
    assert "sku" in exc.value.message_dict


def test_item_update_records_only_real_changes():
    item = services.item_create(actor=None, sku="U1", name="old", kind="raw")
    services.item_update(actor=None, item=item, name="new", lead_time_days=4)
    event = Event.objects.get(verb="item.updated")
    assert event.changes == {"name": ["old", "new"], "lead_time_days": [0, 4]}
    services.item_update(actor=None, item=item, name="new")
    assert Event.objects.filter(verb="item.updated").count() == 1


# --- BOM content rules -----------------------------------------------------------


def test_bom_create_records_lines():
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    bom = services.bom_create(actor=None, item=item, revision=" A ", lines=[line(raw, "2.5", "3")])
    assert bom.revision == "A"
    assert bom.status == BOM.Status.DRAFT
    assert [(bl.component, bl.quantity_per, bl.scrap_pct) for bl in bom.lines.all()] == [(raw, Decimal("2.5"), Decimal("3"))]
    assert Event.objects.get(verb="bom.created").changes == {"lines": [None, [f"2.5 × {raw.sku}"]]}


def test_self_component_is_refused():
    item = ItemFactory()
    with pytest.raises(ValidationError) as exc:
        services.bom_create(actor=None, item=item, revision="A", lines=[line(item)])
    assert "itself" in exc.value.message_dict["lines[0].component"][0]
    assert not BOM.objects.exists()


def test_duplicate_component_is_refused():
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    with pytest.raises(ValidationError) as exc:
        services.bom_create(actor=None, item=item, revision="A", lines=[line(raw), line(raw, "2")])
    assert exc.value.message_dict == {"lines[1].component": [f"{raw.sku} appears more than once; combine the lines."]}
    assert not BOM.objects.exists()


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_quantity_per_must_be_positive(qty):
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    with pytest.raises(ValidationError) as exc:
        services.bom_create(actor=None, item=item, revision="A", lines=[line(raw, qty)])
    assert "lines[0].quantity_per" in exc.value.message_dict
    assert not BOM.objects.exists()


@pytest.mark.parametrize("qty", [None, "lots"])
def test_missing_or_non_numeric_quantity_per_is_a_line_error(qty):
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    with pytest.raises(ValidationError) as exc:
        services.bom_create(actor=None, item=item, revision="A", lines=[{"component": raw, "quantity_per": qty}])
    assert "lines[0].quantity_per" in exc.value.message_dict
    assert not BOM.objects.exists()


@pytest.mark.parametrize("scrap", [Decimal("-1"), Decimal("100"), "much"])
def test_scrap_pct_range(scrap):
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    with pytest.raises(ValidationError) as exc:
        services.bom_create(
            actor=None, item=item, revision="A", lines=[{"component": raw, "quantity_per": 1, "scrap_pct": scrap}]
        )
    assert "lines[0].scrap_pct" in exc.value.message_dict


def test_revision_required_unique_and_within_length():
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    services.bom_create(actor=None, item=item, revision="A", lines=[line(raw)])
    for revision, text in (("", "required"), ("  ", "required"), ("A", "already has revision A"), ("R" * 11, "10")):
        with pytest.raises(ValidationError) as exc:
            services.bom_create(actor=None, item=item, revision=revision, lines=[line(raw)])
        assert text in exc.value.message_dict["revision"][0]
    assert BOM.objects.count() == 1


# --- draft-only editing ------------------------------------------------------------


def test_draft_bom_can_be_edited_and_change_is_recorded():
    item, raw1, raw2 = ItemFactory(), ItemFactory(kind="raw"), ItemFactory(kind="raw")
    bom = services.bom_create(actor=None, item=item, revision="A", lines=[line(raw1)])
    services.bom_update(actor=None, bom=bom, revision="B", lines=[line(raw2, "3")])
    bom.refresh_from_db()
    assert bom.revision == "B"
    assert [(bl.component, bl.quantity_per) for bl in bom.lines.all()] == [(raw2, 3)]
    assert Event.objects.get(verb="bom.updated").changes == {
        "revision": ["A", "B"],
        "lines": [[f"1.000 × {raw1.sku}"], [f"3 × {raw2.sku}"]],
    }


@pytest.mark.parametrize("status", ["released", "obsolete"])
def test_only_a_draft_bom_can_be_edited(status):
    item, raw, other = ItemFactory(), ItemFactory(kind="raw"), ItemFactory(kind="raw")
    bom = released_bom(item, raw)
    if status == "obsolete":
        released_bom(item, other, revision="B")
    bom.refresh_from_db()
    assert bom.status == status
    with pytest.raises(ConflictError) as exc:
        services.bom_update(actor=None, bom=bom, lines=[line(other)])
    assert "only a draft can be changed" in str(exc.value)
    assert list(bom.lines.values_list("component", flat=True)) == [raw.pk]


def test_bom_update_validates_lines_and_keeps_old_ones():
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    bom = services.bom_create(actor=None, item=item, revision="A", lines=[line(raw)])
    with pytest.raises(ValidationError):
        services.bom_update(actor=None, bom=bom, lines=[line(item)])
    assert list(bom.lines.values_list("component", flat=True)) == [raw.pk]


# --- release ----------------------------------------------------------------------


def test_release_needs_lines():
    bom = services.bom_create(actor=None, item=ItemFactory(), revision="A")
    with pytest.raises(ValidationError) as exc:
        services.bom_release(actor=None, bom=bom)
    assert "lines" in exc.value.message_dict
    bom.refresh_from_db()
    assert bom.status == "draft"


def test_releasing_rev_b_obsoletes_rev_a(make_user):
    actor = make_user("planner")
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    rev_a = released_bom(item, raw)
    rev_b = services.bom_create(actor=None, item=item, revision="B", lines=[line(raw, "2")])
    services.bom_release(actor=actor, bom=rev_b, reason="new supplier spec")
    rev_a.refresh_from_db()
    rev_b.refresh_from_db()
    assert rev_a.status == "obsolete"
    assert rev_b.status == "released"
    assert rev_b.released_at is not None
    assert BOM.objects.filter(item=item, status="released").count() == 1
    obsoleted = Event.objects.get(verb="bom.obsoleted")
    assert obsoleted.object_id == str(rev_a.pk)
    assert obsoleted.changes == {"status": ["released", "obsolete"]}
    assert obsoleted.reason == "superseded by revision B"
    released = Event.objects.filter(verb="bom.released", object_id=str(rev_b.pk)).get()
    assert released.actor == actor
    assert released.reason == "new supplier spec"


@pytest.mark.parametrize("status", ["released", "obsolete"])
def test_only_a_draft_can_be_released(status):
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    bom = released_bom(item, raw)
    if status == "obsolete":
        released_bom(item, raw, revision="B")
    events = Event.objects.count()
    with pytest.raises(TransitionError):
        services.bom_release(actor=None, bom=bom)
    assert Event.objects.count() == events


def test_direct_cycle_is_refused():
    a, b = ItemFactory(kind="subassembly"), ItemFactory(kind="subassembly")
    released_bom(a, b)  # A contains B
    b_bom = services.bom_create(actor=None, item=b, revision="A", lines=[line(a)])  # B would contain A
    events = Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.bom_release(actor=None, bom=b_bom)
    assert "cycle" in exc.value.message_dict["lines"][0]
    b_bom.refresh_from_db()
    assert b_bom.status == "draft"
    assert Event.objects.count() == events


def test_deep_cycle_is_refused_but_a_diamond_is_fine():
    a, b, c, d = (ItemFactory(kind="subassembly") for _ in range(4))
    released_bom(a, b, c)  # A → B, C
    released_bom(b, d)  # B → D
    released_bom(c, d)  # C → D (a diamond, not a cycle)
    d_bom = services.bom_create(actor=None, item=d, revision="A", lines=[line(a)])
    with pytest.raises(ValidationError):
        services.bom_release(actor=None, bom=d_bom)  # D → A would close A→B→D→A


def test_new_revision_replacing_the_cycle_path_is_allowed():
    a, b, raw = ItemFactory(kind="subassembly"), ItemFactory(kind="subassembly"), ItemFactory(kind="raw")
    released_bom(a, b)
    # B's own structure never referencing A: fine
    bom = released_bom(b, raw)
    assert bom.status == "released"
