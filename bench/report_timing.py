"""The report pages timed in this process, before and after the day summaries: a quick
measure on a machine too busy for `make bench`'s load pass. `--patients` seeds BENCH_DB
(default sp_bench) if it is empty; each target is requested `--repeat` times as the scale
seed's commissioner, first with every figure counted live (no summary run), then reading
the summaries, and the median and the slowest are printed in milliseconds. The rebuild is
followed by what its Celery task enqueues, the warming of the pages readers open first
(`--cold`: not); the first request after it ("summ. first") is timed apart: unwarmed, it
counts what the figures cache (`reports.pages`) keeps until the next rebuild.
`--skip-live` leaves out the live pass (minutes at 100k patients).

    BENCH_DB=sp_bench_mine .venv/bin/python bench/report_timing.py --patients 20000
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.report_targets import REPORT_P95_MS, REPORT_TARGETS  # noqa: E402
from bench.run import prepare, setup_django  # noqa: E402


def _get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return 1000 * (time.perf_counter() - started)


def timings(client, repeat: int, first: dict | None = None) -> dict[str, list[float]]:
    result = {}
    for target, url in REPORT_TARGETS.items():
        spent_first = _get(client, url)  # warm
        if first is not None:
            first[target] = spent_first
        result[target] = [_get(client, url) for _ in range(repeat)]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--cold", action="store_true", help="no warming after the rebuild")
    args = parser.parse_args()
    prepare(args.patients)
    setup_django()
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import User
    from bench.scale_rows import SCALE_EMAIL_DOMAIN
    from reports.models import SummaryRun
    from reports.services import refresh_report_summaries, warm_report_figures

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=f"commissioner@{SCALE_EMAIL_DOMAIN}"))
    SummaryRun.objects.all().delete()
    cache.clear()  # BENCH_REDIS_URL's database: nothing drawn or counted before this run
    before = None if args.skip_live else timings(client, args.repeat)
    run = refresh_report_summaries()
    started = time.perf_counter()
    kept = 0 if args.cold else warm_report_figures()
    print(f"Warmed {kept} pages after the rebuild in {time.perf_counter() - started:.1f} s.")
    first: dict[str, float] = {}
    after = timings(client, args.repeat, first)
    print(f"Rebuild: {run.seconds:.1f} s. Target: {REPORT_P95_MS} ms. Milliseconds:")
    print(
        f"{'target':32} {'live median':>12} {'live max':>9} {'summ. first':>12} "
        f"{'summ. median':>13} {'summ. p95':>10}"
    )
    for target in REPORT_TARGETS:
        b, a = (before or {}).get(target, [0.0]), sorted(after[target])
        p95 = a[min(len(a) - 1, round(0.95 * (len(a) - 1)))]
        print(
            f"{target:32} {statistics.median(b):12.0f} {max(b):9.0f} {first[target]:12.0f} "
            f"{statistics.median(a):13.0f} {p95:10.0f}"
        )


if __name__ == "__main__":
    main()
