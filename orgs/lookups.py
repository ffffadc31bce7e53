"""``field__among=<a queryset of unit ids>``: the unit in ``field`` is one of them (registered on foreign keys).

On PostgreSQL the ids are gathered once into an array (``= ANY(ARRAY(…))``), so the index on ``field`` finds the
rows. ``field__in=`` the same queryset, or a join with the units, is planned as a join: for a county's demands it
read all 100,000 of the province (51 ms against 10 ms, bench/README.md). Elsewhere it is ``IN (…)``.

Use it where the field has an index of its own and the ids are a county's or a city's: an array of a whole
province's 300,000 ids costs more than the join (``orgs.queries.among_subtree`` keeps the join for a root).
"""

from django.db.models import Lookup


class Among(Lookup):
    lookup_name = "among"

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
