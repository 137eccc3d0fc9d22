"""The app's connection pool as the operator's scrape sees it: read from the engine at
scrape time (no bookkeeping per checkout), so the figures are the pool's own.

One collector per process, registered once; the app hands it its engine when it starts and
takes it back when it stops (tests start many apps in one process: their pools are summed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

GAUGES = {
    "gis_db_pool_size": "Connections the pool keeps open (pool_size).",
    "gis_db_pool_checked_out": "Connections in use by requests now.",
    "gis_db_pool_overflow": "Connections open beyond pool_size (negative: slots not yet open).",
    "gis_db_pool_max_overflow": "Most connections allowed beyond pool_size.",
}


class PoolCollector(Collector):
    """Gauges of the watched engines' pools (QueuePool; other pools report nothing)."""

    def __init__(self) -> None:
        self._engines: list[Engine] = []
        self._lock = threading.Lock()

    def watch(self, engine: Engine) -> None:
        with self._lock:
            self._engines.append(engine)

    def forget(self, engine: Engine) -> None:
        with self._lock:
            self._engines = [e for e in self._engines if e is not engine]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            pools = [e.pool for e in self._engines if isinstance(e.pool, QueuePool)]
        values = {
            "gis_db_pool_size": sum(p.size() for p in pools),
            "gis_db_pool_checked_out": sum(p.checkedout() for p in pools),
            "gis_db_pool_overflow": sum(p.overflow() for p in pools),
            "gis_db_pool_max_overflow": sum(p._max_overflow for p in pools),  # noqa: SLF001 (no public getter)
        }
        for name, help_text in GAUGES.items():
            yield GaugeMetricFamily(name, help_text, value=values[name])


POOLS = PoolCollector()
REGISTRY.register(POOLS)
