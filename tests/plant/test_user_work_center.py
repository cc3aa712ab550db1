"""The work center a person works at, remembered for "My work center"."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plant import selectors, services
from plant.models import UserWorkCenter
from tests.factories import WorkCenterFactory

pytestmark = pytest.mark.django_db


def test_a_person_chooses_and_changes_their_work_center(make_user):
    operator = make_user("operator")
    saw, cnc = WorkCenterFactory(code="SAW-01"), WorkCenterFactory(code="CNC-01")
    assert selectors.user_work_center(user=operator) is None
    services.user_work_center_set(actor=operator, user=operator, work_center=saw)
    assert selectors.user_work_center(user=operator) == saw
    services.user_work_center_set(actor=operator, user=operator, work_center=cnc)
    assert selectors.user_work_center(user=operator) == cnc
    assert UserWorkCenter.objects.count() == 1


def test_a_work_center_out_of_use_is_refused_and_forgotten(make_user):
    operator = make_user("operator")
    old = WorkCenterFactory(code="OLD-01", is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.user_work_center_set(actor=operator, user=operator, work_center=old)
    assert refused.value.message_dict == {"work_center": ["OLD-01 is not in use any more; choose another work center."]}
    with pytest.raises(ValidationError):
        services.user_work_center_set(actor=operator, user=operator, work_center=None)
    chosen = WorkCenterFactory(code="NEW-01")
    services.user_work_center_set(actor=operator, user=operator, work_center=chosen)
    chosen.is_active = False
    chosen.save()
    assert selectors.user_work_center(user=operator) is None


def test_only_their_own_unless_superuser(make_user):
    operator, other = make_user("operator"), make_user("coordinator")
    saw = WorkCenterFactory()
    with pytest.raises(PermissionDenied):
        services.user_work_center_set(actor=other, user=operator, work_center=saw)
    services.user_work_center_set(actor=make_user(is_superuser=True), user=operator, work_center=saw)
    assert selectors.user_work_center(user=operator) == saw


def test_a_batch_sets_many_and_the_last_row_for_a_person_wins(make_user):
    first, second = make_user("operator"), make_user("operator")
    a, b = WorkCenterFactory(), WorkCenterFactory()
    services.user_work_centers_set(
        actor=None,
        rows=[{"user": first, "work_center": a}, {"user": second, "work_center": a}, {"user": first, "work_center": b}],
    )
    assert selectors.user_work_center(user=first) == b
    assert selectors.user_work_center(user=second) == a
