"""Figures kept ahead of time, so that a province's figures add up rows instead of 2,000,000 items.

- ``ItemTally``: per responsible unit, issuing office, category and month of issue, what the figures
  page counts (issued, applied, closed, first pass, urgings, rectifications, satisfaction).
- ``UnitLoad``: per unit and month, what it received (lists, items, urging notices, documents).

Every change adds its difference in its own transaction: ``issued`` when lists are issued,
``changed`` when the workflow saves an item, ``document_issued`` when a document is numbered. The
difference is added by an upsert (``count = count + excluded.count``), so two transactions at once
both count. So that they never wait on each other in a cycle, every transaction writes its
``UnitLoad`` rows before its ``ItemTally`` rows (the workflow numbers a document before it saves the
item; an import writes once, at its end), each set in key order.
``rebuild`` computes both tables again from the records (``manage.py rebuild_tallies``); ``drift``
lists where they differ from the records, and the tests check it after every test.
"""

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.utils import timezone

from checklists.models import DocumentKind, ItemStatus, ItemTally, UnitLoad

TALLY_KEY = ("responsible_unit_id", "issuing_unit_id", "category_key", "month")
TALLY_COUNTS = ("issued", "applied", "closed", "first_pass", "urgings", "rectifications", "satisfaction_sum", "rated")
LOAD_KEY = ("unit_id", "month")
RATE_SCALE = 10000  # a satisfaction rate (kept to four places) in ten-thousandths
LOAD_COUNTS = ("lists", "items", "urgings", "documents")


def month_of(day):
    return day.replace(day=1)


def key_of(checklist):
    """The ``ItemTally`` row of a list's items (an item's responsible unit is its list's)."""
    return (
        checklist.responsible_unit_id,
        checklist.issuing_unit_id,
        checklist.category_id or 0,
        month_of(checklist.issued_on),
    )


def counted(item):
    """What one item adds to its ``ItemTally`` row, in ``TALLY_COUNTS`` order."""
    closed = item.status == ItemStatus.CLOSED
    return (
        1,
        int(item.applications > 0),
        int(closed),
        int(closed and item.rectifications == 0),
        item.urgings,
        item.rectifications,
        _scaled(item.satisfaction),
        int(item.satisfaction is not None),
    )


def _scaled(rate):
    return 0 if rate is None else round(rate * RATE_SCALE)


def _sum(rows):
    """``{key: counts}`` with the counts of equal keys added up."""
    sums = {}
    for key, counts in rows:
        before = sums.get(key)
        sums[key] = counts if before is None else tuple(a + b for a, b in zip(before, counts, strict=True))
    return sums


def _add(model, key, counts, rows):
    """Add ``rows`` (``(key, counts)`` pairs) to the model's table, creating the rows it lacks."""
    rows = sorted((k, c) for k, c in _sum(rows).items() if any(c))
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(name) for name in (*key, *counts))
    marks = ", ".join(["%s"] * (len(key) + len(counts)))
    increments = ", ".join(f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in counts)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 - the model's own table and columns
        f"ON CONFLICT ({', '.join(quote(name) for name in key)}) DO UPDATE SET {increments}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*k, *c) for k, c in rows])


def issued(lists):
    """Count newly issued lists: ``lists`` holds ``(checklist, number of items, co-unit ids)``. A new
    item counts as issued and nothing else."""
    tally, load = [], []
    for checklist, items, co_unit_ids in lists:
        month = month_of(checklist.issued_on)
        tally.append((key_of(checklist), (items, 0, 0, 0, 0, 0, 0, 0)))
        load.append(((checklist.responsible_unit_id, month), (1, items, 0, 0)))
        load.extend(((unit_id, month), (1, 0, 0, 0)) for unit_id in co_unit_ids)
    _add(UnitLoad, LOAD_KEY, LOAD_COUNTS, load)
    _add(ItemTally, TALLY_KEY, TALLY_COUNTS, tally)


def changed(item, before):
    """Count the change of a saved item; ``before`` is ``counted(item)`` as it was read."""
    after = counted(item)
    _add(
        ItemTally,
        TALLY_KEY,
        TALLY_COUNTS,
        [(key_of(item.checklist), tuple(a - b for a, b in zip(after, before, strict=True)))],
    )


def document_issued(document):
    """Count an official document (an urging notice counts as an urging too) against its item's unit."""
    month = month_of(timezone.localdate(document.created_at))
    urging = int(document.kind == DocumentKind.URGING)
    _add(UnitLoad, LOAD_KEY, LOAD_COUNTS, [((document.item.responsible_unit_id, month), (0, 0, urging, 1))])


# --- computed again from the records ---------------------------------------------------------


def _tally_rows(models):
    rows = (
        models.get_model("checklists", "Item")
        .objects.values_list(
            "responsible_unit_id",
            "checklist__issuing_unit_id",
            Coalesce("checklist__category_id", 0),
            TruncMonth("checklist__issued_on"),
        )
        .annotate(
            issued=Count("id"),
            applied=Count("id", filter=Q(applications__gt=0)),
            closed=Count("id", filter=Q(status=ItemStatus.CLOSED)),
            first_pass=Count("id", filter=Q(status=ItemStatus.CLOSED, rectifications=0)),
            urgings=Sum("urgings"),
            rectifications=Sum("rectifications"),
            satisfaction_sum=Coalesce(Sum(Round(F("satisfaction") * RATE_SCALE)), 0.0),
            rated=Count("satisfaction"),
        )
        .order_by()
    )
    return {tuple(row[:4]): tuple(row[4:]) for row in rows}


def _load_rows(models):
    def per_month(rows, position):
        for unit_id, month, n in rows:
            counts = [0, 0, 0, 0]
            counts[position] = n
            yield (unit_id, month), tuple(counts)

    def grouped(queryset, unit, day, position):
        rows = queryset.values_list(unit, TruncMonth(day)).annotate(n=Count("pk")).order_by()
        return per_month(rows, position)

    checklists = models.get_model("checklists", "Checklist").objects
    documents = models.get_model("checklists", "Document").objects.annotate(day=TruncMonth("created_at"))  # local
    parts = [
        grouped(checklists, "responsible_unit_id", "issued_on", 0),
        grouped(checklists.model.co_units.through.objects, "orgunit_id", "checklist__issued_on", 0),
        grouped(models.get_model("checklists", "Item").objects, "responsible_unit_id", "checklist__issued_on", 1),
        per_month(_local_months(documents.filter(kind=DocumentKind.URGING)), 2),
        per_month(_local_months(documents), 3),
    ]
    return _sum(row for part in parts for row in part)


def _local_months(documents):
    """``(unit id, month, count)`` of documents by the local month they were created in."""
    rows = documents.values_list("item__responsible_unit_id", "day").annotate(n=Count("pk")).order_by()
    for unit_id, day, n in rows:
        yield unit_id, timezone.localdate(day), n


def rebuild(models=apps, batch=5000):
    """Compute both tables again from the items, lists and documents; returns their row counts.
    ``models``: the app registry (a migration passes its own). On PostgreSQL both tables are locked
    first, so a change made meanwhile waits and is then added to the new rows, never lost."""
    tally_model, load_model = models.get_model("checklists", "ItemTally"), models.get_model("checklists", "UnitLoad")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                tables = ", ".join(quote(m._meta.db_table) for m in (load_model, tally_model))
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        tally, load = _tally_rows(models), _load_rows(models)
        tally_model.objects.all().delete()
        load_model.objects.all().delete()
        for model, key, counts, rows in (
            (tally_model, TALLY_KEY, TALLY_COUNTS, tally),
            (load_model, LOAD_KEY, LOAD_COUNTS, load),
        ):
            model.objects.bulk_create(
                (model(**dict(zip(key + counts, (*k, *c), strict=True))) for k, c in rows.items()), batch_size=batch
            )
    return len(tally), len(load)


def drift():
    """Where the stored rows differ from the records: ``[(table, key, stored, computed)]``."""
    differences = []
    for name, model, key, counts, computed in (
        ("tally", ItemTally, TALLY_KEY, TALLY_COUNTS, _tally_rows(apps)),
        ("load", UnitLoad, LOAD_KEY, LOAD_COUNTS, _load_rows(apps)),
    ):
        stored = {tuple(row[: len(key)]): tuple(row[len(key) :]) for row in model.objects.values_list(*key, *counts)}
        for k in sorted(set(stored) | set(computed)):
            zero = (0,) * len(counts)
            have, want = stored.get(k, zero), computed.get(k, zero)
            if have != want:
                differences.append((name, k, have, want))
    return differences
