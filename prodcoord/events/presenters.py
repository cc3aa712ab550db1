"""Events as people read them: one presenter for every page that shows the log
(a work order's history today; the activity feed and notifications next).

- ``verb_label``: "Hold placed" for ``hold.placed``. Apps name their verbs
  with ``register_verbs`` (from their ``AppConfig.ready``); an unnamed verb is
  written from its last part.
- ``subject_labels``: a short description of each event's subject, for the
  subjects whose app registered one with ``register_subject`` (a schedule
  entry: "Sat Nov 28 · Day shift · LASER-01") — one query per kind of subject.
- ``change_rows``: the old → new values, written according to their stored
  type (``values``): quantities without trailing zeros, dates and times in
  plant time, choices by their label.
"""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from prodcoord.core.quantities import fmt_qty

_verb_labels: dict[str, str] = {}
_subject_describers: dict[str, object] = {}


def register_verbs(labels):
    """``{"hold.placed": "Hold placed", …}``: how the pages name these verbs."""
    _verb_labels.update(labels)


def register_subject(model_label, describe):
    """``describe(ids) -> {id: text}`` describes subjects of ``model_label`` (``"planning.scheduleentry"``)
    in one query; ids of records that no longer exist are simply left out."""
    _subject_describers[model_label.lower()] = describe


def verb_label(verb):
    return _verb_labels.get(verb) or verb.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _model_label(event):
    return f"{event.object_type.app_label}.{event.object_type.model}"


def subject_labels(events):
    """``{event.pk: text}`` for the events whose subject has a registered describer."""
    wanted = defaultdict(set)
    for event in events:
        if _model_label(event) in _subject_describers and str(event.object_id).isdigit():
            wanted[_model_label(event)].add(int(event.object_id))
    described = {label: _subject_describers[label](ids) for label, ids in wanted.items()}
    return {
        event.pk: described[_model_label(event)].get(int(event.object_id)) for event in events if _model_label(event) in described
    }


def _choice_label(event, field, value):
    model = event.object_type.model_class()
    try:
        choices = dict(model._meta.get_field(field).flatchoices) if model is not None else {}
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def display_value(kind, value, *, event=None, field=None):
    """One stored value written for a person, by its type."""
    if value is None:
        return None
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "decimal":
        return fmt_qty(value)
    if kind == "date":
        return date_format(dt.date.fromisoformat(value), "D M j, Y")
    if kind == "datetime":
        instant = dt.datetime.fromisoformat(value)
        if timezone.is_aware(instant):
            instant = timezone.localtime(instant)
        return date_format(instant, "D M j, Y H:i")
    if kind == "time":
        return dt.time.fromisoformat(value).strftime("%H:%M")
    if kind == "choice" and event is not None:
        return _choice_label(event, field, value)
    if kind == "list":
        return ", ".join(str(v) for v in value) or "—"
    return value


def change_rows(event):
    """``[{"field", "old", "new"}]`` for the template, in the order recorded."""
    types = event.change_types or {}
    rows = []
    for field, values in (event.changes or {}).items():
        old, new = (list(values) + [None, None])[:2]
        kind = types.get(field, "str")
        rows.append(
            {
                "field": field.replace("_", " "),
                "old": display_value(kind, old, event=event, field=field),
                "new": display_value(kind, new, event=event, field=field),
            }
        )
    return rows


def present(events):
    """Events as rows for a page: when, who, what (label, subject), old → new, why."""
    events = list(events)
    subjects = subject_labels(events)
    return [
        {
            "at": event.at,
            "label": verb_label(event.verb),
            "verb": event.verb,
            "actor": event.actor,
            "subject": subjects.get(event.pk),
            "changes": change_rows(event),
            "reason": event.reason,
        }
        for event in events
    ]


def event_url(event):
    """The page of what an event is about: its work order's (the subject, or the order the hold, report or
    schedule entry belongs to), by URL name (the pages belong to the apps above); ``None`` for an event about
    master data. ``event.work_order`` should be selected with the event."""
    work_order = event.work_order if event.work_order_id is not None else None
    if work_order is None:  # none, or a deleted draft's (the log outlives it)
        return None
    return reverse("work-order-detail", kwargs={"number": work_order.number})


def verb_choices(verbs=None):
    """``[(verb, label)]`` of the registered verbs (or of ``verbs``), by label: a page's "kind" choices."""
    return sorted(((verb, verb_label(verb)) for verb in (verbs if verbs is not None else _verb_labels)), key=lambda c: c[1])
