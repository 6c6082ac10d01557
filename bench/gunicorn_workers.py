"""Which gunicorn shape serves this app best on this machine: requests per second and p95 latency
for sync and gthread workers at a few counts, under the same concurrent load.

    .venv/bin/python bench/gunicorn_workers.py [--seconds 10] [--clients 16]

Runs deploy/gunicorn.conf.py with production settings against the smoke test's database
(sp_smoke, made by bin/smoke-production: the demo data and its directory), on 127.0.0.1:18199.
The load is the public directory feed (a real query and JSON) and a signed-out page, from
threads in this process. Results go to bench/results/gunicorn-<time>.json.
"""

import argparse
import datetime
import json
import os
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = 18199
SHAPES = [
    ("sync", 5, 1),  # gunicorn's rule of thumb: 2 x cores + 1
    ("gthread", 2, 4),  # one process per core, 4 threads each (the default in deploy/)
    ("gthread", 2, 8),
    ("gthread", 4, 4),
]
PATHS = ["/hsds/services?per_page=20", "/hsds/taxonomy_terms", "/accounts/login/"]


def _environment(kind: str, workers: int, threads: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sp_smoke"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(ROOT / "var" / "bench-gunicorn"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKER_CLASS": kind,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }


_SECRETS = {"SECRET_KEY": secrets.token_urlsafe(50), "AUDIT_HMAC_KEY": secrets.token_urlsafe(48)}


def _start(kind: str, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {**_environment(kind, workers, threads), **_SECRETS}
    return subprocess.Popen(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _load(seconds: float, clients: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        session = requests.Session()
        session.trust_env = False
        i = number
        while time.monotonic() < stop:
            path = PATHS[i % len(PATHS)]
            i += 1
            began = time.perf_counter()
            try:
                ok = (
                    session.get(
                        f"http://127.0.0.1:{PORT}{path}",
                        headers={"X-Forwarded-Proto": "https"},
                        timeout=30,
                    ).status_code
                    == 200
                )
            except requests.RequestException:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p95_ms": round(ordered[int(0.95 * len(ordered))] * 1000, 1) if ordered else None,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()
    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env={**_environment("sync", 1, 1), **_SECRETS},
        check=True,
    )
    rows = []
    for kind, workers, threads in SHAPES:
        server = _start(kind, workers, threads, log)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    requests.get(
                        f"http://127.0.0.1:{PORT}/healthz/live",
                        headers={"X-Forwarded-Proto": "https"},
                        timeout=2,
                    )
                    break
                except requests.RequestException:
                    time.sleep(0.5)
            _load(2, options.clients)  # warm-up: imports, connections, template caches
            row = {"worker_class": kind, "workers": workers, "threads": threads}
            row.update(_load(options.seconds, options.clients))
            rows.append(row)
            print(row, flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    report = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "clients": options.clients,
        "seconds": options.seconds,
        "shapes": rows,
    }
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%S")
    target = ROOT / "bench" / "results" / f"gunicorn-{stamp}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
