"""The plant's master data services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from plant import services as plant_services

pytestmark = pytest.mark.django_db


def test_shift_cannot_end_when_it_starts():
    with pytest.raises(ValidationError) as exc:
        plant_services.shift_create(actor=None, code="X", name="x", start_time=dt.time(6), end_time=dt.time(6))
    assert "end_time" in exc.value.message_dict
