"""The query plans of the benchmark's most expensive reads: does each use an index, and does any
scan a table of more than 10k rows from end to end?"""


def explain(timed: list) -> list:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace"
        )
        sizes = dict(cursor.fetchall())
    reads = [t for t in timed if t[2].lstrip().upper().startswith("SELECT")]
    seen, worst = set(), []
    for seconds, target, sql in sorted(reads, reverse=True):
        if sql in seen:
            continue
        seen.add(sql)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
        nodes = list(_nodes(plan))
        seq = sorted(
            {
                n["Relation Name"]
                for n in nodes
                if n["Node Type"] == "Seq Scan" and sizes.get(n.get("Relation Name"), 0) > 10_000
            }
        )
        worst.append(
            {
                "target": target,
                "ms": round(seconds * 1000, 2),
                "uses_index": any("Index" in n["Node Type"] for n in nodes),
                "seq_scan_on_big_tables": seq,
                "sql": sql[:300],
            }
        )
        if len(worst) == 5:
            break
    return worst


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)
