from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from qingdan import protect
from qingdan.progress import TerminalProgress


def sealed_columns():
    """``[(model, [field names])]`` of every model with sealed columns."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, protect.SealedField)]
        if names:
            found.append((model, names))
    return found


def stale_rows(model, names, current):
    """The ids of ``model``'s rows holding a value sealed under another key than ``current``: read as stored, past
    the fields' own opening."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(model._meta.pk.column)}, {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608 - names from the model
        return [row[0] for row in cursor.fetchall() if any(protect.key_id_of(v) not in ("", current) for v in row[1:])]


class Command(BaseCommand):
    help = (
        "Seal every personal-data column again with the first key of QINGDAN_DATA_KEYS (after adding a new key); "
        "values already under it are left alone, so it can be stopped and run again."
    )

    def handle(self, *args, **options):
        current = protect.current_key_id()
        changed = 0
        for model, names in sealed_columns():
            stale = stale_rows(model, names, current)
            progress = TerminalProgress(str(model._meta.verbose_name), stream=self.stderr)
            for done, pk in enumerate(stale, start=1):
                with transaction.atomic():
                    obj = model.objects.select_for_update().get(pk=pk)
                    obj.save(update_fields=names)  # the plain values, sealed again with the current key
                changed += 1
                progress(done, len(stale))
        self.stdout.write(f"Rows sealed again: {changed}")
