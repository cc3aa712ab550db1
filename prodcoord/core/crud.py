"""Shared write paths for simple master data (departments, work centers, shifts,
items) and for revisioned documents (BOMs, routings): validate, write, record
the event, all in the caller's transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError, TransitionError
from prodcoord.events.services import diff, event_record


def _snapshot(obj, fields):
    return {f: getattr(obj, f) for f in fields}


def full_clean(obj, *, exclude=None, validate_unique=True):
    """``obj.full_clean`` with the errors re-raised as a field → messages dict."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _strip(data):
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def record_create(*, actor, model, fields, data, verb):
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({f: ["This field cannot be set."] for f in unknown})
    obj = model(**_strip(data))
    full_clean(obj)
    obj.save()
    event_record(actor=actor, verb=verb, subject=obj, changes=diff({}, _snapshot(obj, fields)))
    return obj


@transaction.atomic
def record_update(*, actor, obj, fields, data, verb):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({f: ["This field cannot be changed."] for f in unknown})
    before = _snapshot(obj, fields)
    for field, value in _strip(data).items():
        setattr(obj, field, value)
    full_clean(obj)
    changes = diff(before, _snapshot(obj, fields))
    if changes:
        obj.save()
        event_record(actor=actor, verb=verb, subject=obj, changes=changes)
    return obj


@transaction.atomic
def record_delete(*, actor, obj, verb):
    """Delete a record nothing refers to; ``ProtectedError`` (and no event) otherwise."""
    event_record(actor=actor, verb=verb, subject=obj, changes={})
    obj.delete()


def revision_delete(*, actor, obj, verb):
    """Delete a draft or obsolete revision (BOM, routing); the released one stays."""
    if obj.status == type(obj).Status.RELEASED:
        raise ConflictError(f"{obj} is released; release a newer revision first, then delete this one.")
    record_delete(actor=actor, obj=obj, verb=verb)


def revision_release(*, actor, obj, verb_prefix, reason="", at=None):
    """Release a draft revision (BOM, routing): the item's released one becomes obsolete.

    The caller has locked ``obj`` and checked its content; runs in its transaction.
    """
    model = type(obj)
    if obj.status != model.Status.DRAFT:
        raise TransitionError(f"{obj} is {obj.get_status_display().lower()}; only a draft can be released.")
    previous = model.objects.select_for_update().filter(item=obj.item, status=model.Status.RELEASED).first()
    if previous is not None:
        previous.status = model.Status.OBSOLETE
        previous.save(update_fields=["status", "updated_at"])
        event_record(
            actor=actor,
            verb=f"{verb_prefix}.obsoleted",
            subject=previous,
            changes={"status": ["released", "obsolete"]},
            reason=f"superseded by revision {obj.revision}",
            at=at,
        )
    obj.status = model.Status.RELEASED
    obj.released_at = at or timezone.now()
    try:
        with transaction.atomic():
            obj.save(update_fields=["status", "released_at", "updated_at"])
    except IntegrityError:
        raise ConflictError(f"{obj.item} already has a released revision.") from None
    event_record(
        actor=actor, verb=f"{verb_prefix}.released", subject=obj, changes={"status": ["draft", "released"]}, reason=reason, at=at
    )
    return obj


def revision_check(*, model, item, revision, taken):
    """The cleaned revision name; a field error when it is empty, too long or in ``taken``
    (a container of the item's existing revisions — a queryset or, for bulk paths, a set)."""
    revision = (revision or "").strip()
    if not revision:
        raise ValidationError({"revision": ["This field is required."]})
    max_length = model._meta.get_field("revision").max_length
    if len(revision) > max_length:
        raise ValidationError({"revision": [f"Use at most {max_length} characters."]})
    if revision in taken:
        raise ValidationError({"revision": [f"{item} already has revision {revision}."]})
    return revision


def revision_check_unique(*, model, item, revision, exclude_pk=None):
    qs = model.objects.filter(item=item)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    taken = qs.filter(revision=(revision or "").strip()).values_list("revision", flat=True)
    return revision_check(model=model, item=item, revision=revision, taken=set(taken))


def revision_require_draft(obj):
    if obj.status != type(obj).Status.DRAFT:
        raise ConflictError(f"{obj} is {obj.get_status_display().lower()}; only a draft can be changed. Create a new revision.")


def revision_require_same_item(obj, item):
    """A revision belongs to its item for good; ``item=None`` leaves it as it is."""
    if item is not None and item.pk != obj.item_id:
        label = obj._meta.verbose_name
        raise ValidationError({"item": [f"A {label}'s item cannot change; create a {label} for the other item."]})
