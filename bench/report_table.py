"""The table bench/run.py prints at the end: each load pass's targets, the query plans, the
report recount, the reminder sweep and the FHIR notification latency."""

import json

from bench.fhir_explain import print_fhir_explain
from bench.fhir_notification import summary
from bench.report_targets import REPORT_P95_MS, REPORT_TARGETS
from bench.targets import TARGETS


def print_table(result: dict) -> None:
    for users, load in result["load"].items():
        if users == "reports":
            print(f"\nReports: 2 users (one per gunicorn worker), p95 target {REPORT_P95_MS} ms")
            for target in REPORT_TARGETS:
                entry = load.get(target, {})
                verdict = {True: "met", False: "MISSED"}.get(entry.get("met"), "-")
                print(
                    f"{target:<28}{result['queries'].get(target, '-')!s:>8}"
                    f"{entry.get('p50_ms', '-')!s:>8}{entry.get('p95_ms', '-')!s:>8}"
                    f"{entry.get('p99_ms', '-')!s:>8}{entry.get('rps', '-')!s:>8}  {verdict}"
                )
            continue
        print(f"\nLoad: {users} users on 2 gunicorn workers, {result['duration_seconds']} s")
        print(
            f"{'target':<26}{'queries':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}"
            f"{'×floor':>8}  target"
        )
        for target in TARGETS:
            entry = load.get(target, {})
            verdict = {True: "met", False: "MISSED"}.get(entry.get("met"), "-")
            print(
                f"{target:<26}{result['queries'].get(target, '-')!s:>8}"
                f"{entry.get('p50_ms', '-')!s:>8}{entry.get('p95_ms', '-')!s:>8}"
                f"{entry.get('p99_ms', '-')!s:>8}{entry.get('rps', '-')!s:>8}"
                f"{entry.get('p95_vs_floor', '-')!s:>8}  {verdict}"
            )
    print("\nFive most expensive queries (test-client pass):")
    for q in result["explain"]:
        print(
            f"  {q['ms']:>8} ms  index={q['uses_index']!s:<5} seq-scans>10k="
            f"{','.join(q['seq_scan_on_big_tables']) or 'none'}  [{q['target']}] {q['sql'][:90]}"
        )
    print_fhir_explain(result["fhir_explain"])
    print("\nReports against a direct SQL recount:", json.dumps(result["recount"]))
    if result.get("sweep"):
        print("\nReminder sweep:", json.dumps(result["sweep"]))
    if result.get("fhir_notification"):
        print("\n" + summary(result["fhir_notification"]))
