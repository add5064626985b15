"""Demo data for the service desk: field crews and a few years of requests in the demo city.

Called by ``load_demo_city`` after the city is loaded. The volumes follow Seoul's 2017
figures (DESIGN.md §2) scaled to the city: about 0.5 requests per premise per year,
the type mix of the customer-support system with its March-April moving season, the
channel mix of 2015-2017, compound complaints sharing one visit, 96.3 % satisfied
Happy Calls and a revisit for every unsatisfied answer.

Each office gets four field crews (every skill covered twice) and two desk clerks,
the demo logins among them. Due times come from the business calendar
(``core.calendar``), exactly as at intake.

Everything is decided in Python from seeded generators and written set-based: ids and
numbers are reserved in blocks, rows are built as tuples and inserted table by table
(``core.bulk``: COPY on PostgreSQL, with indexes and foreign keys set aside as for the
city). Nothing is saved row by row: 100,000 premises (about 156,000 requests with
their visits, steps and surveys) take well under a minute.

The last days are left open as a working office would have them: fresh requests
nobody has taken yet, assigned ones, visits arranged for the coming days (some for the
demo login "crew"), a few overdue and a couple waiting for the citizen.
"""

from .loader import flush_demo_requests, load_demo_requests

__all__ = ["flush_demo_requests", "load_demo_requests"]
