"""The report pages timed in this process, before and after the day summaries: a quick
measure on a machine too busy for `make bench`'s load pass. `--patients` seeds BENCH_DB
(default sp_bench) if it is empty; each target is requested `--repeat` times as the scale
seed's commissioner, first with every figure counted live (no summary run), then reading
the summaries, and the median and the slowest are printed in milliseconds.

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


def timings(client, repeat: int) -> dict[str, list[float]]:
    result = {}
    for target, url in REPORT_TARGETS.items():
        client.get(url)  # warm
        spent = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            spent.append(1000 * (time.perf_counter() - started))
            if response.status_code != 200:
                raise RuntimeError(f"{target}: HTTP {response.status_code}")
        result[target] = spent
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prepare(args.patients)
    setup_django()
    from django.test import Client

    from accounts.models import User
    from bench.scale_rows import SCALE_EMAIL_DOMAIN
    from reports.models import SummaryRun
    from reports.services import refresh_report_summaries

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=f"commissioner@{SCALE_EMAIL_DOMAIN}"))
    SummaryRun.objects.all().delete()
    before = timings(client, args.repeat)
    run = refresh_report_summaries()
    after = timings(client, args.repeat)
    print(f"Rebuild: {run.seconds:.1f} s. Target: {REPORT_P95_MS} ms. Milliseconds:")
    print(
        f"{'target':32} {'live median':>12} {'live max':>9} {'summ. median':>13} {'summ. max':>10}"
    )
    for target in REPORT_TARGETS:
        b, a = before[target], after[target]
        print(
            f"{target:32} {statistics.median(b):12.0f} {max(b):9.0f} "
            f"{statistics.median(a):13.0f} {max(a):10.0f}"
        )


if __name__ == "__main__":
    main()
