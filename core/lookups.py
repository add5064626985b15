"""``field__in_ids=[…]``: membership in a long list of integers (ids) passed as one parameter.

``__in`` with thousands of values writes thousands of placeholders, which Django and
the driver then prepare one by one; the billing run asks for every row of a chunk of
10,000 accounts several times. PostgreSQL takes the list as one array
(``= ANY(%s)``); SQLite as one JSON text (``IN (SELECT value FROM json_each(%s))``).
"""

from __future__ import annotations

import json

from django.db.models import Field, ForeignObject, Lookup


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [int(v) for v in self.rhs]]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [
            *lhs_params,
            json.dumps([int(v) for v in self.rhs]),
        ]


Field.register_lookup(InIds)
ForeignObject.register_lookup(InIds)  # relations take only lookups registered on them
