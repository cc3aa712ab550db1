"""The API reads JSON bodies only, within limits, and safely.

Python's ``json`` recurses once per nested array or object, so a body nested
100,000 deep exhausts the stack before any serializer sees it. The nesting is
therefore measured first, by a linear scan that does not recurse, and a body
deeper than ``API_MAX_JSON_DEPTH`` is refused (400) before it is parsed. A body
larger than ``API_MAX_BODY_BYTES`` is refused with 413 while it is read.
"""

import json
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .limits import RequestBodyTooLarge

# A complete JSON string (escapes included), an opening or closing bracket, or a quote
# that opens a string never closed. Possessive, so a scan never backtracks.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]|"', re.DOTALL)
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


def json_depth_exceeds(text, limit):
    """Whether arrays and objects in ``text`` nest deeper than ``limit``. Brackets inside
    strings do not count; the scan stops at the first string that never closes (the
    parser refuses that body anyway, without nesting any deeper)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif token in _CLOSING:
            depth -= 1
        elif token == '"':
            return False
    return False


def depth_message(limit=None):
    limit = settings.API_MAX_JSON_DEPTH if limit is None else limit
    return f"JSON nested deeper than the limit of {limit} levels (API_MAX_JSON_DEPTH)."


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    """``application/json``, at most ``API_MAX_BODY_BYTES`` long and ``API_MAX_JSON_DEPTH`` deep."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestBodyTooLarge()
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}: {exc}")
        if json_depth_exceeds(text, settings.API_MAX_JSON_DEPTH):
            raise ParseError(depth_message())
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}")
