import pytest

from prodcoord.core.models import NumberSequence
from prodcoord.core.sequences import sequence_next

pytestmark = pytest.mark.django_db


def test_sequence_starts_at_one_and_counts_up():
    assert [sequence_next(name="test-seq") for _ in range(3)] == [1, 2, 3]
    assert NumberSequence.objects.get(name="test-seq").last_value == 3


def test_blocks_are_consecutive_and_never_overlap():
    first = sequence_next(name="blocks", count=5)
    second = sequence_next(name="blocks", count=3)
    third = sequence_next(name="blocks")
    assert (first, second, third) == (1, 6, 9)
    block1, block2 = set(range(first, first + 5)), set(range(second, second + 3))
    assert not block1 & block2
    assert NumberSequence.objects.get(name="blocks").last_value == 9


def test_named_sequences_are_independent():
    sequence_next(name="a", count=10)
    assert sequence_next(name="b") == 1
    assert sequence_next(name="a") == 11


def test_work_order_numbers_come_from_the_work_order_sequence(shifts):
    from tests.factories import make_work_order

    wo = make_work_order()
    last = NumberSequence.objects.get(name="work_order").last_value
    assert wo.number == f"WO-{last:06d}"
    assert sequence_next(name="work_order") == last + 1
