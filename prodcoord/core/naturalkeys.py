"""The rule for natural keys — department, work center and shift codes, item SKUs, work-order
numbers: what people type, read off a traveler, and put in URLs.

- letters, digits, ``-`` and ``_`` only, starting with a letter or a digit: no spaces, no
  ``.`` or ``..`` (a key is a URL path segment), no ``/``, no control characters;
- the letters all of one script: ``MACH`` and ``МАСН`` (Cyrillic) look the same on a
  screen and must not both exist as different codes;
- digits are the ASCII ones, for the same reason;
- unique regardless of case (``MACH`` and ``mach`` are one code): a unique index on the
  lower-cased key (the field itself has a plain index, for exact lookups by URL), and the
  services' set-based check, which names the key that exists.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible

SEPARATORS = "-_"


def _script(char):
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


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
        allowed = char in SEPARATORS or (char.isascii() and char.isdigit()) or char.isalpha()
        if not allowed and _describe(char) not in bad:
            bad.append(_describe(char))
    if bad:
        return f"Use letters, digits, - and _ only (not {', '.join(bad)})."
    if value[0] in SEPARATORS:
        return "Start with a letter or a digit."
    scripts = sorted({_script(char) for char in value if char.isalpha()})
    if len(scripts) > 1:
        return (
            f"Use the letters of one alphabet only, not {' and '.join(s.title() for s in scripts)} mixed: "
            "letters that look alike would make two different keys read the same."
        )
    return None


@deconstructible
class NaturalKeyValidator:
    code = "invalid_natural_key"

    def __call__(self, value):
        problem = natural_key_problem(value)
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NaturalKeyValidator)

    def __hash__(self):
        return hash(self.code)


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
