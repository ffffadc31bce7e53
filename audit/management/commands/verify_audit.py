from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = (
        "Check that the audit trail is whole: seal the events committed since the last seal (as their commits "
        "would have), then check that every seal follows the one before it, every sealed event is there and "
        "matches its seal, and no event is left without one. Names the first broken event and exits with status "
        "1. Note the head it prints: seals cut off the end are found by giving it to a later run (--kept-head)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kept-head",
            metavar="SEQ:HASH",
            help="a head printed by an earlier run, kept elsewhere: check that the chain still holds it",
        )

    def handle(self, *args, kept_head=None, **options):
        kept = self._kept(kept_head)
        verdict = chain.check(kept=kept)
        if verdict.broken is not None:
            raise CommandError(
                f"The audit trail is broken at {verdict.broken} ({verdict.count} seals before it hold).", returncode=1
            )
        if verdict.kept_head is not None:
            raise CommandError(
                f"The audit trail is not the one whose head was kept: seal {kept[0]} "
                f"{'is gone' if verdict.kept_head == 'gone' else 'has another hash'}. Seals were cut off the end, "
                "or the chain was written again from an earlier place.",
                returncode=1,
            )
        head = f"{verdict.head_seq}:{verdict.head_hash}" if verdict.head_seq else "(empty)"
        self.stdout.write(f"The audit trail is whole: {verdict.count} events sealed, head {head}.")

    def _kept(self, value):
        if value is None:
            return None
        seq, _colon, wanted = value.partition(":")
        if not seq.isdigit() or len(wanted) != 64:
            raise CommandError("--kept-head takes SEQ:HASH as printed after 'head' by an earlier run.")
        return int(seq), wanted.lower()
