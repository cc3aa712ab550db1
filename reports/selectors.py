"""Reads of the stored reports, shaped for the API and the pages."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Sum

from .models import AttainmentSnapshot, MorningBrief

# group_by → (the columns grouped by, how a row's key is written)
GROUPS = {
    "day": (("date",), lambda row: row["date"].isoformat()),
    "shift": (("date", "shift__code"), lambda row: f"{row['date'].isoformat()} {row['shift__code']}"),
    "department": (("work_center__department__code",), lambda row: row["work_center__department__code"]),
    "work_center": (("work_center__code",), lambda row: row["work_center__code"]),
}
HUNDRED = Decimal("100")


def percent(part, whole):
    """``part / whole × 100`` to one decimal (None without a plan)."""
    if not whole:
        return None
    return (part / whole * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def attainment_rows(*, date_from, date_to, group_by="day", department=None, work_center=None):
    """Schedule and volume attainment over the stored snapshots of ``date_from``–``date_to``,
    grouped (one query): ``[{key, planned, actual, capped_actual, attainment_pct,
    volume_attainment_pct, entries}]`` in key order."""
    columns, key_of = GROUPS[group_by]
    snapshots = AttainmentSnapshot.objects.filter(date__gte=date_from, date__lte=date_to)
    if department is not None:
        snapshots = snapshots.filter(work_center__department=department)
    if work_center is not None:
        snapshots = snapshots.filter(work_center=work_center)
    grouped = (
        snapshots.values(*columns)
        .annotate(planned_sum=Sum("planned"), actual_sum=Sum("actual"), capped_sum=Sum("capped_actual"), entry_sum=Sum("entries"))
        .order_by(*[F(c).asc() for c in columns])
    )
    rows = []
    for row in grouped:
        planned, actual, capped = row["planned_sum"], row["actual_sum"], row["capped_sum"]
        rows.append(
            {
                "key": key_of(row),
                "planned": planned,
                "actual": actual,
                "capped_actual": capped,
                "attainment_pct": percent(capped, planned),
                "volume_attainment_pct": percent(actual, planned),
                "entries": row["entry_sum"],
            }
        )
    return rows


def morning_brief_for(date=None):
    """The stored brief of the morning ``date`` (the latest one when ``None``), with who generated it;
    ``None`` if there is none (one query)."""
    briefs = MorningBrief.objects.select_related("generated_by")
    if date is None:
        return briefs.order_by("-date").first()
    return briefs.filter(date=date).first()


def morning_brief_neighbours(date):
    """``(earlier, later)``: the mornings of the nearest stored briefs before and after ``date``
    (``None`` where there is none; two queries)."""
    dates = MorningBrief.objects.values_list("date", flat=True)
    earlier = dates.filter(date__lt=date).order_by("-date").first()
    later = dates.filter(date__gt=date).order_by("date").first()
    return earlier, later
