"""Our own gauges for /metrics: any app registers a reading here, config.metrics exports them.

An app (or a feature above the apps, such as FHIR subscriptions) adds a gauge without importing
Prometheus or config/:

    from common.metrics import register_gauge
    register_gauge("sp_fhir_subscription_failures", "FHIR subscriptions failing", read_failures)

from its AppConfig.ready. `read` is called at each scrape (every 15-60 s, on one app server):
keep it to one cheap, indexed query. It returns a number, or a dict of label value to number for
a gauge with one label (`label` names it).
"""

from collections.abc import Callable
from dataclasses import dataclass

Reading = float | dict[str, float]


@dataclass(frozen=True)
class Gauge:
    name: str
    documentation: str
    read: Callable[[], Reading]
    label: str = ""


_gauges: dict[str, Gauge] = {}


def register_gauge(
    name: str, documentation: str, read: Callable[[], Reading], *, label: str = ""
) -> None:
    """Add (or replace, by name) a gauge read at every scrape."""
    _gauges[name] = Gauge(name, documentation, read, label)


def registered_gauges() -> list[Gauge]:
    return list(_gauges.values())
