"""Writes of the coordination app: action items, the roster, shift handovers, and the owners'
notifications and daily digests. Each write validates, locks, writes and records its events in
one transaction; follow-up e-mails go through the outbox."""

from .action_items import (
    ACTION_ITEM_TRANSITIONS,
    action_item_close,
    action_item_create,
    action_item_delete,
    action_item_digest_send,
    action_item_digests_build,
    action_item_update,
    action_items_create,
    action_items_notify_owner,
    action_items_update,
)
from .handovers import (
    handover_item_set_critical,
    next_shift_slot,
    shift_handover_acknowledge,
    shift_handover_delete,
    shift_handover_open,
    shift_handover_refresh,
    shift_handover_submit,
    shift_handover_update,
    shift_handovers_notify_incoming,
)
from .roster import roster_entries_set, roster_entry_set

__all__ = [
    "ACTION_ITEM_TRANSITIONS",
    "action_item_close",
    "action_item_create",
    "action_item_delete",
    "action_item_digest_send",
    "action_item_digests_build",
    "action_item_update",
    "action_items_create",
    "action_items_notify_owner",
    "action_items_update",
    "handover_item_set_critical",
    "next_shift_slot",
    "roster_entries_set",
    "roster_entry_set",
    "shift_handover_acknowledge",
    "shift_handover_delete",
    "shift_handover_open",
    "shift_handover_refresh",
    "shift_handover_submit",
    "shift_handover_update",
    "shift_handovers_notify_incoming",
]
