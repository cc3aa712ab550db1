from django.db import transaction

from .models import NumberSequence


def sequence_next(*, name, count=1):
    """Reserve ``count`` consecutive values of the named sequence; return the first.

    Runs inside the caller's transaction (or its own) and locks the counter row,
    so two concurrent callers never get the same value.
    """
    with transaction.atomic():
        NumberSequence.objects.get_or_create(name=name)
        seq = NumberSequence.objects.select_for_update().get(name=name)
        first = seq.last_value + 1
        seq.last_value += count
        seq.save(update_fields=["last_value"])
    return first
