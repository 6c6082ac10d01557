"""The query plans of the benchmark's reads (the five most expensive, or all of a target's): does
each use an index, and does any scan a table of more than 10k rows from end to end?"""


def explain(timed: list) -> list:
    """The five most expensive distinct reads."""
    return explain_all(sorted(timed, reverse=True), limit=5)


def explain_all(timed: list, limit: int | None = None) -> list:
    """Each distinct read of `timed` ((seconds, target, sql) in the order given), EXPLAINed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace"
        )
        sizes = dict(cursor.fetchall())
    reads = [t for t in timed if t[2].lstrip().upper().startswith("SELECT")]
    seen, plans = set(), []
    for seconds, target, sql in reads:
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
        plans.append(
            {
                "target": target,
                "ms": round(seconds * 1000, 2),
                "uses_index": any("Index" in n["Node Type"] for n in nodes),
                "seq_scan_on_big_tables": seq,
                "sql": sql[:300],
            }
        )
        if len(plans) == limit:
            break
    return plans


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)
