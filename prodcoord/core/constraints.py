"""A model's check constraints, checked against a row in Python before it is written.

Django checks a ``CheckConstraint`` with a query (``SELECT 1 WHERE …``, in a
savepoint): three statements per row, which a batch of thousands cannot
afford. The conditions our models declare are simple comparisons of a field
with a value or another field, combined with AND, OR and NOT; those are
evaluated here with SQL's rules (a comparison with NULL is unknown, and a
CHECK passes unless its condition is false). Anything else is left to Django's
own check, so the constraint stays the one statement of the rule.
"""

import operator

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
UNSUPPORTED = object()


def _value(obj, name):
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return UNSUPPORTED
    return getattr(obj, field.attname)


def _lookup(obj, key, expected):
    name, _, lookup = key.partition("__")
    lookup = lookup or "exact"
    left = _value(obj, name)
    if left is UNSUPPORTED:
        return UNSUPPORTED
    if lookup == "isnull":
        return (left is None) is bool(expected)
    if lookup == "in" and isinstance(expected, list | tuple | set | frozenset):
        return None if left is None else left in expected
    if lookup not in COMPARE:
        return UNSUPPORTED
    if isinstance(expected, F):
        right = _value(obj, expected.name)
        if right is UNSUPPORTED:
            return UNSUPPORTED
    elif hasattr(expected, "resolve_expression"):
        return UNSUPPORTED
    else:
        right = expected
    if left is None or right is None:
        return None  # unknown
    try:
        return COMPARE[lookup](left, right)
    except TypeError:
        return UNSUPPORTED


def evaluate(condition, obj):
    """``True``, ``False`` or ``None`` (unknown) for ``condition`` on ``obj``; ``UNSUPPORTED`` if it
    uses something this does not evaluate."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            result = evaluate(child, obj)
        elif isinstance(child, tuple) and len(child) == 2:
            result = _lookup(obj, *child)
        else:  # an expression (a function, a subquery…)
            return UNSUPPORTED
        if result is UNSUPPORTED:
            return UNSUPPORTED
        results.append(result)
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        return UNSUPPORTED
    if condition.negated and result is not None:
        result = not result
    return result


def check_constraints_validate(obj, *, exclude=(), unique=True):
    """Raise the ``ValidationError`` Django's ``validate_constraints`` would for ``obj``'s check
    constraints — in Python where the condition allows, through Django otherwise. Unique
    constraints are validated by Django as usual, unless ``unique=False`` (the caller checks
    uniqueness itself, for a whole batch at once)."""
    errors = {}
    model = type(obj)
    for constraint in model._meta.constraints:
        if not unique and isinstance(constraint, UniqueConstraint):
            continue
        if isinstance(constraint, CheckConstraint):
            if any(name in exclude for name in _fields_of(constraint.condition)):
                continue
            result = evaluate(constraint.condition, obj)
            if result is False:
                message = constraint.get_violation_error_message()
                errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(message, code=constraint.violation_error_code))
                continue
            if result is not UNSUPPORTED:
                continue
        try:
            constraint.validate(model, obj, exclude=exclude)
        except ValidationError as exc:  # as Django's Model.validate_constraints files it
            if getattr(exc, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                errors.setdefault(constraint.fields[0], []).append(exc)
            else:
                errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _fields_of(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from _fields_of(child)
        elif isinstance(child, tuple) and len(child) == 2:
            key, value = child
            yield key.partition("__")[0]
            if isinstance(value, F):
                yield value.name
