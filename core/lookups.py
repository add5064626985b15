"""``field__in_ids=[…]``: membership in a long list of integers (ids) passed as one parameter.

``Ids([…])`` wraps a long list so the query builder leaves it alone (see :class:`Ids`).

``__in`` with thousands of values writes thousands of placeholders, which Django and
the driver then prepare one by one; the billing run asks for every row of a chunk of
10,000 accounts several times. PostgreSQL takes the list as one array literal (``= ANY(%s::bigint[])``, the text ``{1,2,3}``: Django binds
parameters on the client, and quoting a Python list of 10,000 ints element by element
costs more than the query); SQLite as one JSON text (``IN (SELECT value FROM json_each(%s))``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import Field, ForeignObject, Lookup


class Ids:
    """A long list of ids for ``__in_ids``, opaque to the query builder.

    Django walks a list or any iterable value element by element while building a
    filter (looking for expressions and model instances); for 10,000 ids that walk
    costs more than the query. Wrapped, the list reaches the lookup untouched.
    """

    __slots__ = ("values",)

    def __init__(self, values: Iterable[int]):
        # Kept as a list: a query may be compiled more than once (explain, a retried count).
        self.values = values if isinstance(values, list | tuple) else list(values)


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def _ints(self):
        values = self.rhs.values if isinstance(self.rhs, Ids) else self.rhs
        return map(int, values)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array = "{" + ",".join(map(str, self._ints())) + "}"
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, array]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(list(self._ints()))]


Field.register_lookup(InIds)
ForeignObject.register_lookup(InIds)  # relations take only lookups registered on them
