from decimal import Decimal

from tests.factories import make_work_order


def test_work_order_created_with_operations_from_routing(db, shifts):
    wo = make_work_order(quantity=Decimal("10"), status="released")
    assert wo.number.startswith("WO-")
    assert [op.sequence for op in wo.operations.all()] == [10, 20]
    assert wo.status == "released"
