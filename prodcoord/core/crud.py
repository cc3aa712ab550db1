"""The one write path of simple master data (departments, work centers, shifts,
items) and of revisioned documents (BOMs, routings): validate every row, write
them together, record one event per change — all in the caller's transaction.

Each function takes many rows (``prodcoord.core.rows``); an app's single-object
service is a batch of one. Apps supply what differs: the model, the fields a
caller may set, the verbs, and, for revisions, their content (``RevisionKind``).
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError, TransitionError
from prodcoord.events.services import EventBatch, diff

from .constraints import check_constraints_validate
from .integrity import constraint_key
from .naturalkeys import case_insensitive_fields
from .rows import RowErrors, columns_update, lock_by_pk

BATCH_SIZE = 1000


def _strip(data):
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


def _snapshot(obj, fields):
    return {f: getattr(obj, f) for f in fields}


def _no_scope(obj):
    return ()


def full_clean(obj, *, exclude=None, validate_unique=True):
    """``obj.full_clean`` with the errors re-raised as a field → messages dict.

    A foreign key that holds a saved instance is not looked up again, and the
    model's check constraints are checked in Python (``constraints``): a row costs no query."""
    exclude = set(exclude or ())
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None and related.pk is not None:
                exclude.add(field.name)
    errors = {}
    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    try:  # check constraints in Python: no query per row
        check_constraints_validate(obj, exclude=exclude | set(errors), unique=validate_unique)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _unique_fields(model):
    """Fields unique on their own: ``unique=True``, or a natural key unique regardless of case."""
    ignoring_case = case_insensitive_fields(model)
    return [f for f in model._meta.concrete_fields if (f.unique and not f.primary_key) or f in ignoring_case]


def unique_check(model, objs, errors, *, rows=None):
    """Row errors for unique fields that are already taken (by another record) or repeated
    within the batch; one query per unique field, whatever the number of rows. A natural key
    (``unique_regardless_of_case``) is compared regardless of case, and the error names the
    key that exists."""
    rows = list(range(len(objs))) if rows is None else rows
    ignoring_case = {f.name for f in case_insensitive_fields(model)}
    for field in _unique_fields(model):
        fold = field.name in ignoring_case

        def key(value, fold=fold):
            return value.lower() if fold and isinstance(value, str) else value

        values = {getattr(obj, field.attname) for obj in objs} - {None, ""}
        if not values:
            continue
        if fold:
            found = model.objects.annotate(_key=Lower(field.attname)).filter(_key__in={key(v) for v in values})
        else:
            found = model.objects.filter(**{f"{field.attname}__in": values})
        taken = {key(value): (value, pk) for value, pk in found.values_list(field.attname, "pk")}
        seen = {}
        for row, obj in zip(rows, objs, strict=True):
            value = getattr(obj, field.attname)
            if value in (None, ""):
                continue
            existing = taken.get(key(value))
            if existing is not None and existing[1] != obj.pk:
                message = obj.unique_error_message(model, (field.name,)).messages[0]
                if existing[0] != value:
                    message = f"{message[:-1]} (as “{existing[0]}”; {field.verbose_name}s are unique regardless of case)."
                errors.add(row, field.name, message)
            elif key(value) in seen:
                errors.add(row, field.name, f"Same {field.verbose_name} as row {seen[key(value)]}.")
            else:
                seen[key(value)] = row


def _unknown(errors, row, data, fields, message):
    for field in sorted(set(data) - set(fields)):
        errors.add(row, field, message)


@transaction.atomic
def records_create(*, actor, model, fields, rows, verb, scope=_no_scope, at=None):
    """Create one record per row (a dict of ``fields``); returns them in row order."""
    rows = list(rows)
    errors = RowErrors()
    objs = []
    for index, data in enumerate(rows):
        _unknown(errors, index, data, fields, "This field cannot be set.")
        obj = model(**{k: v for k, v in _strip(data).items() if k in fields})
        errors.check(index, full_clean, obj, validate_unique=False)
        objs.append(obj)
    unique_check(model, objs, errors)
    errors.raise_if_any()
    if len(objs) == 1:
        objs[0].save(force_insert=True)
    else:
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    events = EventBatch(actor=actor, at=at)
    for obj in objs:
        events.add(verb=verb, subject=obj, changes=diff({}, _snapshot(obj, fields)), scope=scope(obj))
    events.save()
    return objs


@transaction.atomic
def records_update(*, actor, model, fields, rows, verb, scope=_no_scope, at=None):
    """Change records: rows ``{"record": obj, **changes}``, applied in order. A row that changes
    nothing records nothing. Returns the records, re-read under a row lock and changed."""
    rows = list(rows)
    locked = lock_by_pk(model.objects.all(), [row["record"].pk for row in rows])
    errors = RowErrors()
    events = EventBatch(actor=actor, at=at)
    changed, written, last_row = {}, set(), {}
    for index, row in enumerate(rows):
        obj = locked[row["record"].pk]
        data = {k: v for k, v in row.items() if k != "record"}
        _unknown(errors, index, data, fields, "This field cannot be changed.")
        before = _snapshot(obj, fields)
        for field, value in _strip(data).items():
            if field in fields:
                setattr(obj, field, value)
        errors.check(index, full_clean, obj, validate_unique=False)
        if index in errors:
            continue
        last_row[obj.pk] = index
        changes = diff(before, _snapshot(obj, fields))
        if changes:
            events.add(verb=verb, subject=obj, changes=changes, scope=scope(obj))
            changed[obj.pk] = obj
            written |= set(changes)
    unique_check(model, [locked[pk] for pk in last_row], errors, rows=list(last_row.values()))
    errors.raise_if_any()
    columns_update(model, changed.values(), [*sorted(written), "updated_at"])
    events.save()
    return [locked[row["record"].pk] for row in rows]


@transaction.atomic
def records_delete(*, actor, model, records, verb, scope=_no_scope):
    """Delete records nothing refers to; ``ProtectedError`` (and nothing deleted, no event) otherwise."""
    records = list(records)
    events = EventBatch(actor=actor)
    for obj in records:
        events.add(verb=verb, subject=obj, scope=scope(obj))
    events.save()
    model.objects.filter(pk__in=[obj.pk for obj in records]).delete()


# --- revisions (BOMs, routings) ----------------------------------------------------------


@dataclass(frozen=True)
class RevisionKind:
    """What a revisioned document (BOM, routing) adds to the shared revision rules.

    ``content``: the name of its lines ("lines", "steps"); ``validate(item, rows)``
    cleans them (raises a field error under ``content``); ``line(revision, cleaned)``
    builds one unsaved line; ``describe(cleaned)`` and ``describe_saved(revision)``
    write them for the event log; ``scope(revision, cleaned)`` names what they concern.
    """

    model: Any
    line_model: Any
    content: str
    verb_prefix: str
    validate: Any
    line: Any
    describe: Any
    describe_saved: Any
    scope: Any = None


def revision_check(*, model, item, revision, taken):
    """The cleaned revision name; a field error when it is empty, too long or in ``taken``
    (the item's revisions already in use)."""
    revision = (revision or "").strip()
    if not revision:
        raise ValidationError({"revision": ["This field is required."]})
    max_length = model._meta.get_field("revision").max_length
    if len(revision) > max_length:
        raise ValidationError({"revision": [f"Use at most {max_length} characters."]})
    if revision in taken:
        raise ValidationError({"revision": [f"{item} already has revision {revision}."]})
    return revision


def _taken_revisions(model, item_ids):
    """item id → {revision: pk} of the revisions that exist."""
    taken = defaultdict(dict)
    for item_id, revision, pk in model.objects.filter(item_id__in=item_ids).values_list("item_id", "revision", "pk"):
        taken[item_id][revision] = pk
    return taken


def _scope(kind, revision, cleaned):
    return kind.scope(revision, cleaned) if kind.scope else ()


def _lines_write(kind, revisions_and_lines):
    kind.line_model.objects.bulk_create(
        [kind.line(revision, line) for revision, lines in revisions_and_lines for line in lines], batch_size=BATCH_SIZE
    )


@transaction.atomic
def revisions_create(kind, *, actor, rows, at=None):
    """Create draft revisions: rows ``{"item", "revision", <content>: [...]}``; returns them."""
    rows = list(rows)
    model = kind.model
    errors = RowErrors()
    taken = _taken_revisions(model, {row["item"].pk for row in rows})
    cleaned = []
    for index, row in enumerate(rows):
        item = row["item"]
        _unknown(errors, index, row, ("item", "revision", kind.content), "This field cannot be set.")
        name = errors.check(index, revision_check, model=model, item=item, revision=row.get("revision"), taken=taken[item.pk])
        lines = errors.check(index, kind.validate, item, row.get(kind.content) or [])
        if name is not None:
            taken[item.pk][name] = None
        cleaned.append((item, name, lines or []))
    errors.raise_if_any()
    revisions = [model(item=item, revision=name) for item, name, _ in cleaned]
    if len(revisions) == 1:
        revisions[0].save(force_insert=True)
    else:
        model.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
    _lines_write(kind, [(revision, lines) for revision, (_, _, lines) in zip(revisions, cleaned, strict=True)])
    events = EventBatch(actor=actor, at=at)
    for revision, (_, _, lines) in zip(revisions, cleaned, strict=True):
        events.add(
            verb=f"{kind.verb_prefix}.created",
            subject=revision,
            changes={kind.content: [None, kind.describe(lines)]},
            scope=_scope(kind, revision, lines),
        )
    events.save()
    return revisions


def revision_require_draft(obj):
    if obj.status != type(obj).Status.DRAFT:
        raise ConflictError(f"{obj} is {obj.get_status_display().lower()}; only a draft can be changed. Create a new revision.")


def revision_require_same_item(obj, item):
    """A revision belongs to its item for good; ``item=None`` leaves it as it is."""
    if item is not None and item.pk != obj.item_id:
        label = obj._meta.verbose_name
        raise ValidationError({"item": [f"A {label}'s item cannot change; create a {label} for the other item."]})


@transaction.atomic
def revisions_update(kind, *, actor, rows, at=None):
    """Change draft revisions: rows ``{"record": revision, "item"?, "revision"?, <content>?}``,
    ``None`` (or absent) leaving a part as it is. Returns the revisions."""
    rows = list(rows)
    model = kind.model
    locked = lock_by_pk(model.objects.select_related("item"), [row["record"].pk for row in rows])
    taken = _taken_revisions(model, {obj.item_id for obj in locked.values()})
    errors = RowErrors()
    events = EventBatch(actor=actor, at=at)
    renamed, new_content = {}, {}
    for index, row in enumerate(rows):
        obj = locked[row["record"].pk]
        errors.check(index, revision_require_draft, obj)
        if index in errors:
            continue
        errors.check(index, revision_require_same_item, obj, row.get("item"))
        changes = {}
        name = row.get("revision")
        if name is not None and name.strip() != obj.revision:
            others = {r for r, pk in taken[obj.item_id].items() if pk != obj.pk}
            name = errors.check(index, revision_check, model=model, item=obj.item, revision=name, taken=others)
            if name is not None:
                changes["revision"] = [obj.revision, name]
                taken[obj.item_id].pop(obj.revision, None)
                taken[obj.item_id][name] = obj.pk
                obj.revision = name
                renamed[obj.pk] = obj
        content = row.get(kind.content)
        lines = None
        if content is not None:
            lines = errors.check(index, kind.validate, obj.item, content)
            if lines is not None:
                old = kind.describe(new_content[obj.pk]) if obj.pk in new_content else kind.describe_saved(obj)
                changes[kind.content] = [old, kind.describe(lines)]
                new_content[obj.pk] = lines
        if changes and index not in errors:
            events.add(
                verb=f"{kind.verb_prefix}.updated",
                subject=obj,
                changes=changes,
                scope=_scope(kind, obj, lines if lines is not None else ()),
            )
    errors.raise_if_any()
    columns_update(model, renamed.values(), ["revision", "updated_at"])
    if new_content:
        kind.line_model.objects.filter(**{f"{_line_parent(kind)}__in": list(new_content)}).delete()
        _lines_write(kind, [(locked[pk], lines) for pk, lines in new_content.items()])
    events.save()
    return [locked[row["record"].pk] for row in rows]


def _line_parent(kind):
    """The name of the line's foreign key to its revision (``bom``, ``routing``)."""
    fields = kind.line_model._meta.concrete_fields
    return next(f.name for f in fields if isinstance(f, models.ForeignKey) and f.related_model is kind.model)


@transaction.atomic
def revisions_release(kind, *, actor, rows, check=None, at=None):
    """Release draft revisions: rows ``{"record": revision, "reason"?, "at"?}``, applied in order,
    as if released one after another. Each needs content; ``check(index, revision, errors)``
    adds the document's own rules (a BOM cycle). The item's released revision becomes obsolete.
    """
    rows = list(rows)
    model = kind.model
    at = at or timezone.now()
    locked = lock_by_pk(model.objects.select_related("item"), [row["record"].pk for row in rows])
    has_content = set(
        kind.line_model.objects.filter(**{f"{_line_parent(kind)}__in": list(locked)})
        .values_list(_line_parent(kind), flat=True)
        .distinct()
    )
    current = {
        revision.item_id: revision
        for revision in model.objects.select_for_update()
        .filter(item_id__in={obj.item_id for obj in locked.values()}, status=model.Status.RELEASED)
        .order_by("pk")
    }
    errors = RowErrors()
    events = EventBatch(actor=actor, at=at)
    statuses = {}
    for index, row in enumerate(rows):
        obj = locked[row["record"].pk]
        when = row.get("at") or at
        if obj.status != model.Status.DRAFT:
            errors.add_error(
                index, TransitionError(f"{obj} is {obj.get_status_display().lower()}; only a draft can be released.")
            )
            continue
        if obj.pk not in has_content:
            noun = model._meta.verbose_name
            errors.add(index, kind.content, f"A {noun} needs at least one {kind.content[:-1]} before it can be released.")
            continue
        if check is not None:
            check(index, obj, errors)
            if index in errors:
                continue
        previous = current.get(obj.item_id)
        if previous is not None:
            previous.status = model.Status.OBSOLETE
            statuses[previous.pk] = previous
            events.add(
                verb=f"{kind.verb_prefix}.obsoleted",
                subject=previous,
                changes={"status": ["released", "obsolete"]},
                reason=f"superseded by revision {obj.revision}",
                at=when,
            )
        obj.status = model.Status.RELEASED
        obj.released_at = when
        statuses[obj.pk] = obj
        current[obj.item_id] = obj
        events.add(
            verb=f"{kind.verb_prefix}.released",
            subject=obj,
            changes={"status": ["draft", "released"]},
            reason=row.get("reason", ""),
            at=when,
        )
    errors.raise_if_any()
    # Obsolete first: at no moment may an item have two released revisions.
    columns_update(model, [r for r in statuses.values() if r.status == model.Status.OBSOLETE], ["status", "updated_at"])
    released = [r for r in statuses.values() if r.status == model.Status.RELEASED]
    try:
        with transaction.atomic():
            columns_update(model, released, ["status", "released_at", "updated_at"])
    except IntegrityError as exc:
        if constraint_key(exc) != f"{model._meta.app_label}_{model._meta.model_name}_one_released_per_item":
            raise
        raise ConflictError("Another revision of the same item was released at the same moment; reload and try again.") from None
    events.save()
    return [locked[row["record"].pk] for row in rows]


@transaction.atomic
def revisions_delete(kind, *, actor, records):
    """Delete draft or obsolete revisions; the released one stays (release a newer one first)."""
    records = list(records)
    for obj in records:
        if obj.status == kind.model.Status.RELEASED:
            raise ConflictError(f"{obj} is released; release a newer revision first, then delete this one.")
    records_delete(actor=actor, model=kind.model, records=records, verb=f"{kind.verb_prefix}.deleted")
