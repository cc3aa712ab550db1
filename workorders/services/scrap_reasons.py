"""Scrap reasons: the plant's list of why parts are scrapped (master data).

Each write takes many rows and is the one path for that change; the
single-object service is a batch of one. A reason in use is retired with
``is_active`` (new scrap cannot name it); deleting one that reports name is
refused.
"""

from prodcoord.core.crud import records_create, records_delete, records_update
from prodcoord.core.rows import single

from ..models import ScrapReason

SCRAP_REASON_FIELDS = ("code", "name", "is_active")


def scrap_reasons_create(*, actor, rows):
    return records_create(actor=actor, model=ScrapReason, fields=SCRAP_REASON_FIELDS, rows=rows, verb="scrap_reason.created")


def scrap_reasons_update(*, actor, rows):
    """Rows ``{"record": scrap_reason, **changes}``."""
    return records_update(actor=actor, model=ScrapReason, fields=SCRAP_REASON_FIELDS, rows=rows, verb="scrap_reason.updated")


def scrap_reason_create(*, actor, **data):
    return single(scrap_reasons_create, data, actor=actor)


def scrap_reason_update(*, actor, scrap_reason, **data):
    return single(scrap_reasons_update, {"record": scrap_reason, **data}, actor=actor)


def scrap_reason_delete(*, actor, scrap_reason):
    """Delete a reason no report names; ``ProtectedError`` (409 in the API) otherwise: deactivate it instead."""
    records_delete(actor=actor, model=ScrapReason, records=[scrap_reason], verb="scrap_reason.deleted")
