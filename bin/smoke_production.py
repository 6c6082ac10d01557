"""The production smoke test (bin/smoke-production runs it): the deploy/ kit as a region runs it.

nginx (deploy/nginx, TLS with a throw-away certificate) in front of two gunicorn app servers
(deploy/gunicorn.conf.py), two Celery workers and one beat (redbeat), all with production
settings (DEBUG off, real secrets, PostgreSQL, Redis) and a local SMTP sink. Through nginx: the
health checks, a referrer's referral accepted by a coordinator with a second factor and the
referrer's email arriving once; one app server killed mid-load; one worker SIGKILLed mid-sweep.
Everything it starts it stops, by pid (each in its own process group).
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from smoke_journey import Person, SmokeFailure, check  # noqa: E402
from smoke_processes import (  # noqa: E402
    APP_PORTS,
    BACKLOG,
    BIN,
    DB_NAME,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    NGINX_PORT,
    PG,
    PY,
    REDIS_URL,
    ROOT,
    SMTP_PORT,
    WORKER_CONCURRENCY,
    Processes,
    last_sweep,
    log,
    mailbox,
    reminder_counts,
    sent_email_references,
    wait_for,
)


def production_env(work: Path) -> dict[str, str]:
    base = f"https://127.0.0.1:{NGINX_PORT}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        ALLOWED_HOSTS=f"127.0.0.1,127.0.0.1:{NGINX_PORT}",
        CSRF_TRUSTED_ORIGINS=base,
        SITE_URL=base,
        BEHIND_PROXY="1",
        TRUSTED_PROXY_COUNT="1",
        VAR_DIR=str(work / "var"),
        AUDIT_CHECKPOINT_FILE=str(work / "var" / "audit-checkpoints.jsonl"),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_USE_TLS="0",
        LOG_FORMAT="json",
        METRICS_ENABLED="1",
        METRICS_TOKEN=secrets.token_urlsafe(32),
        BEAT_KEY_PREFIX="smoke-redbeat",
        # Recovery on a smoke test's clock: a dead worker's claims are taken back within
        # seconds rather than minutes (claim timeout above the task time limit, as in production).
        REMINDER_TASK_SOFT_TIME_LIMIT="8",
        REMINDER_TASK_TIME_LIMIT="10",
        REMINDER_CLAIM_TIMEOUT_SECONDS="12",
        REMINDER_PENDING_GRACE_SECONDS="12",
        REMINDER_RECOVER_EVERY_SECONDS="3",
        # Small chunks: the sweep is still creating reminders when the worker is killed.
        REMINDER_SWEEP_CHUNK_SIZE="20",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    log(f"manage.py {' '.join(args)}")
    subprocess.run([PY, "manage.py", *args], env=env, cwd=ROOT, check=True)  # noqa: S603


def fresh_database() -> None:
    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()


def self_signed_certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "tls" / "cert.pem", work / "tls" / "key.pem"
    cert.parent.mkdir()
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]  # noqa: S607
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(work: Path, cert: Path, key: Path) -> Path:
    """deploy/nginx's site, pointed at this run's ports, certificate and directories."""
    site = (ROOT / "deploy" / "nginx" / "social-prescribing.conf").read_text()
    upstreams = "\n".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in APP_PORTS
    )
    replacements = {
        "    server 127.0.0.1:8000 max_fails=1 fail_timeout=10s;": upstreams,
        "    listen 80;": f"    listen 127.0.0.1:{NGINX_PORT - 1};",
        "    listen [::]:80;\n": "",
        "    listen 443 ssl http2;": f"    listen 127.0.0.1:{NGINX_PORT} ssl http2;",
        "    listen [::]:443 ssl http2;\n": "",
        "/etc/letsencrypt/live/referrals.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/referrals.example.org/privkey.pem": str(key),
        "/srv/social-prescribing/var/staticfiles/": f"{work}/var/staticfiles/",
        "/var/log/nginx/": f"{work}/logs/nginx-",
        "/etc/nginx/snippets/social-prescribing-proxy.conf": str(
            ROOT / "deploy" / "nginx" / "social-prescribing-proxy.conf"
        ),
    }
    for old, new in replacements.items():
        check(old in site, f"deploy/nginx/social-prescribing.conf no longer has {old!r}")
        site = site.replace(old, new)
    (work / "nginx-site.conf").write_text(site)
    main = work / "nginx.conf"
    temp = work / "nginx-temp"
    temp.mkdir()
    main.write_text(
        f"""daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/logs/nginx-main-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {work}/nginx-site.conf;
}}
"""
    )
    return main


def run(work: Path, processes: Processes) -> dict:
    figures: dict = {}
    env = production_env(work)
    mail_dir = work / "mail"
    redis.Redis.from_url(REDIS_URL).flushdb()
    log(f"database {DB_NAME}, Redis {REDIS_URL}, nginx https://127.0.0.1:{NGINX_PORT}")
    fresh_database()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "check", "--deploy", "--fail-level", "ERROR")
    manage(env, "seed_demo", "--force")
    processes.start(
        "smtp",
        [PY, str(ROOT / "bin" / "smoke_smtp_sink.py"), str(SMTP_PORT), str(mail_dir), "0.03"],
        env,
    )
    for number, port in enumerate(APP_PORTS, start=1):
        processes.start(
            f"web{number}",
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_THREADS": "4",
                "GUNICORN_PROC_NAME": f"smoke-web{number}",
            },
        )
    for number in (1, 2):
        processes.start(
            f"worker{number}",
            [str(BIN / "celery"), "-A", "config", "worker", "--loglevel=INFO"]
            + [f"--concurrency={WORKER_CONCURRENCY}", f"--hostname=smoke{number}@%h"],
            env,
        )
    processes.start("beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel=INFO"], env)
    cert, key = self_signed_certificate(work)
    processes.start("nginx", ["nginx", "-c", str(nginx_config(work, cert, key))], env)

    base = f"https://127.0.0.1:{NGINX_PORT}"
    visitor = Person(base, str(cert))

    def healthy():
        try:
            return visitor.get("/healthz").status_code == 200
        except OSError as error:
            log(f"not yet: {error}")
            return False

    wait_for("/healthz 200 through nginx", healthy, timeout=60)
    for path in ("/healthz/live", "/healthz/ready"):
        check(visitor.get(path).status_code == 200, f"{path} through nginx")
    for port in APP_PORTS:  # every app server answers, not only the first
        check(
            Person(f"http://127.0.0.1:{port}", str(cert))
            .get("/healthz/live", headers={"X-Forwarded-Proto": "https"}, allow_redirects=False)
            .status_code
            == 200,
            f"app server on {port} is up",
        )
    metrics = visitor.get("/metrics", headers={"Authorization": f"Bearer {env['METRICS_TOKEN']}"})
    check(metrics.status_code == 200 and "sp_reminders" in metrics.text, "/metrics with token")
    check(visitor.get("/metrics").status_code == 401, "/metrics without the token is refused")
    log("health checks and metrics through nginx: ok")

    started = time.monotonic()
    referrer = Person(base, str(cert))
    referrer.sign_in("referrer@demo.example", DEMO_PASSWORD)
    reference = referrer.submit_referral()
    coordinator = Person(base, str(cert))
    coordinator.sign_in("coordinator@demo.example", DEMO_PASSWORD, DEMO_TOTP_SECRET)
    coordinator.accept_referral(reference)
    log(f"referral {reference} submitted by the referrer, accepted by the coordinator (TOTP)")

    def referrer_emails():
        return [
            m
            for m in mailbox(mail_dir)
            if "referrer@demo.example" in m["to"] and reference in m["subject"]
        ]

    wait_for("the referrer's email", referrer_emails, timeout=60)
    time.sleep(3)
    check(
        len(referrer_emails()) == 1, f"the referrer's email arrived {len(referrer_emails())} times"
    )
    figures["journey_seconds"] = round(time.monotonic() - started, 1)
    log("the referrer's email arrived once")

    figures["app_server_kill"] = kill_app_server_mid_load(processes, visitor)
    figures["worker_kill"] = kill_worker_mid_sweep(processes, env, mail_dir)
    return figures


def kill_app_server_mid_load(processes: Processes, visitor: Person) -> dict:
    """A bounded loop of requests from 8 clients; web1 is SIGKILLed a second in. Only requests in
    flight at that moment may fail; every request started after it must succeed."""
    clients, per_client = 8, 40
    results: list[tuple[float, float, bool]] = []
    lock = threading.Lock()
    kill_at: list[float] = []

    def client() -> None:
        person = Person(visitor.base, visitor.ca_file)
        for _ in range(per_client):
            began = time.monotonic()
            try:
                ok = person.get("/hsds/services?per_page=5").status_code == 200
            except OSError:
                ok = False
            with lock:
                results.append((began, time.monotonic(), ok))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    kill_at.append(time.monotonic())
    processes.kill("web1")
    for thread in threads:
        thread.join(timeout=120)
    moment = kill_at[0]
    in_flight = [r for r in results if r[0] <= moment <= r[1]]
    failed = [r for r in results if not r[2]]
    after = [r for r in results if r[0] > moment]
    check(len(results) == clients * per_client, "every load request finished")
    check(
        all(r[2] for r in after), f"{sum(not r[2] for r in after)} requests after the kill failed"
    )
    check(
        all(r[0] <= moment <= r[1] for r in failed),
        "a request failed that was not in flight when web1 was killed",
    )
    log(
        f"web1 killed mid-load: {len(results)} requests, {len(in_flight)} in flight, "
        f"{len(failed)} failed, {len(after)} after the kill all answered"
    )
    return {"requests": len(results), "in_flight": len(in_flight), "failed": len(failed)}


def kill_worker_mid_sweep(processes: Processes, env: dict[str, str], mail_dir: Path) -> dict:
    """The referral_waiting sweep over the backlog; worker1 is SIGKILLed once a few reminders
    have gone. Every reminder must then be sent and reach the sink; a duplicate is only allowed
    for a message the killed worker had handed to the SMTP server but not yet marked sent (the
    one window no design closes; the reminder's Message-ID lets a provider drop it)."""

    def sweep() -> int:
        """Run the sweep as beat does (a task on the queue); returns the run before it."""
        previous, _ = last_sweep()
        subprocess.run(  # noqa: S603
            [str(BIN / "celery"), "-A", "config", "call", "referrals.sweep_referral_waiting"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return previous

    def finished_after(previous: int):
        run = last_sweep()
        return run if run[0] > previous and run[1] is not None else None

    wait_for("the demo's reminders to be sent", lambda: not reminder_counts().get("pending"), 60)
    before = reminder_counts().get("sent", 0)
    # The backlog is made now, not at set-up, so that whichever sweep takes it (ours, or beat's
    # own every quarter of an hour) does so while the worker is killed.
    subprocess.run(  # noqa: S603
        [PY, str(ROOT / "bin" / "smoke_seed.py"), str(BACKLOG)], env=env, cwd=ROOT, check=True
    )
    sweep()
    wait_for(
        "the sweep's first reminders to be sent",
        lambda: reminder_counts().get("sent", 0) >= before + 10,
        timeout=90,
        interval=0.05,
    )
    at_kill = reminder_counts()
    processes.kill("worker1")
    log(f"worker1 SIGKILLed mid-sweep at {at_kill} ({before} sent before the sweep)")
    # Beat's next run of the sweep (every 15 minutes in production) finishes what a sweep killed
    # with the worker left; a sweep that survived has nothing left to do.
    previous = sweep()
    wait_for("the next sweep to finish", lambda: finished_after(previous), timeout=90, interval=0.5)

    def finished():
        counts = reminder_counts()
        return counts if not counts.get("pending") and not counts.get("claimed") else None

    counts = wait_for("every reminder to be sent after the kill", finished, timeout=120, interval=1)
    previous = sweep()
    _, created_again = wait_for(
        "a last sweep", lambda: finished_after(previous), timeout=60, interval=0.5
    )
    check(created_again == 0, f"a sweep after recovery still created {created_again} reminders")
    check(not counts.get("failed"), f"reminders failed: {counts}")
    time.sleep(2)
    references = sent_email_references()
    arrived: dict[str, int] = {}
    for message in mailbox(mail_dir):
        if message["reminder"]:
            arrived[message["reminder"]] = arrived.get(message["reminder"], 0) + 1
    missing = references - set(arrived)
    duplicates = {ref: n for ref, n in arrived.items() if n > 1}
    check(not missing, f"{len(missing)} reminders marked sent never arrived")
    check(
        len(duplicates) <= WORKER_CONCURRENCY and all(n == 2 for n in duplicates.values()),
        f"reminders sent more than once: {duplicates}",
    )
    log(
        f"after the kill: {counts}; {len(references)} reminders arrived, "
        f"{len(duplicates)} twice (handed over by the killed worker before it could mark them)"
    )
    check(counts.get("sent", 0) > at_kill.get("sent", 0), "nothing was sent after the kill")
    return {
        "email_reminders_sent": len(references),
        "sent_before_sweep": before,
        "at_kill": at_kill,
        "after": counts,
        "duplicates": len(duplicates),
    }


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="sp-smoke-"))
    (work / "logs").mkdir()
    processes = Processes(work / "logs")
    try:
        figures = run(work, processes)
    except (SmokeFailure, subprocess.CalledProcessError, OSError) as failure:
        log(f"FAILED: {failure}")
        log(f"logs kept in {work / 'logs'}")
        return 1
    finally:
        processes.stop_all()
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    log(f"passed: {json.dumps(figures)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
