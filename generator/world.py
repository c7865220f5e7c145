"""The domains of the simulated county beyond the roster's households, work, training and
loans (``population.py``): each simulates its part of the world once, plants its
disagreements, and lays out its ledgers.

A domain module offers:

* ``simulate(county, stream)`` — builds its world into ``county.world[<name>]`` from the
  county's households and persons (``stream(name)`` gives a random stream of its own, so
  changing one domain does not reshuffle another);
* ``plant(planter)`` — its planted disagreements (``defects._Planter``: the random stream,
  ``protect``, ``counts``, ``pick``), recorded on its world or on ``county.defects``;
* ``LEDGERS`` — ``{source: function(county, index) -> list[Record]}``.

Domains run in the order listed: a later one may read an earlier one's world.
"""

from __future__ import annotations

from . import housing, posts, projects, reported, water, welfare
from .shard import ONCE_SOURCES

# welfare first: housing and posts read its households in care.
DOMAINS: tuple = (welfare, posts, housing, water, projects, reported)


def domains_of(county) -> tuple:
    """The domains a county (or shard) simulates: a shard other than the first leaves out
    those whose ledgers are all places (``shard.ONCE_SOURCES``: water, reported)."""
    if county.shard.writes_once_sources:
        return DOMAINS
    return tuple(d for d in DOMAINS if not set(d.LEDGERS) <= ONCE_SOURCES)
