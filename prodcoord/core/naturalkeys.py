"""The rule for natural keys — department, work center and shift codes, item SKUs, work-order
numbers: what people type, print on travelers as barcodes, and put in URLs.

- ASCII letters and digits, ``-`` and ``_``, starting with a letter or a digit: no spaces, no
  ``.`` or ``..`` (a key is a URL path segment), no ``/``, no control characters, and no
  letters from other alphabets — ``MACH`` and ``МАСН`` (Cyrillic) look the same on a screen
  and must not be two codes; a barcode (Code 128, Code 39) and a floor scanner's keyboard
  carry ASCII. ``PATTERN`` says the same for the API schema.
- unique regardless of case (``MACH`` and ``mach`` are one code): a unique index on the
  lower-cased key (the field itself has a plain index, for exact lookups by URL), and the
  services' set-based check, which names the key that exists.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import UniqueConstraint
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible

PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
SEPARATORS = "-_"


def _allowed(char):
    return char in SEPARATORS or (char.isascii() and char.isalnum())


def _describe(char):
    if char.isspace():
        return "spaces"
    if unicodedata.category(char).startswith("C"):
        return "control characters"
    return f"“{char}”"


def natural_key_problem(value):
    """What is wrong with ``value`` as a natural key, in words, or None."""
    if not value:
        return None
    bad = []
    for char in value:
        if not _allowed(char) and _describe(char) not in bad:
            bad.append(_describe(char))
    if bad:
        return f"Use letters A–Z, digits, - and _ only (not {', '.join(bad)})."
    if value[0] in SEPARATORS:
        return "Start with a letter or a digit."
    return None


@deconstructible
class NaturalKeyValidator(RegexValidator):
    """The rule as a validator: a model field's, a serializer field's, and (as a pattern) the schema's."""

    regex = PATTERN
    code = "invalid_natural_key"
    message = "Use letters A–Z, digits, - and _ only, starting with a letter or a digit."

    def __call__(self, value):
        problem = natural_key_problem(value)
        if problem:
            raise ValidationError(problem, code=self.code)


natural_key_validator = NaturalKeyValidator()


def unique_regardless_of_case(field):
    """The unique index on ``lower(field)`` a natural key carries (named ``<app>_<model>_<field>_ci_unique``)."""
    return UniqueConstraint(Lower(field), name=f"%(app_label)s_%(class)s_{field}_ci_unique")


def case_insensitive_fields(model):
    """The fields of ``model`` whose uniqueness ignores case (those with ``unique_regardless_of_case``)."""
    fields = []
    for constraint in model._meta.constraints:
        expressions = getattr(constraint, "expressions", ())
        if isinstance(constraint, UniqueConstraint) and len(expressions) == 1 and isinstance(expressions[0], Lower):
            (source,) = expressions[0].get_source_expressions()
            fields.append(model._meta.get_field(source.name))
    return fields
