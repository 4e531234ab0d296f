"""The terminal table of `make bench`: figures, ratios and issue 12's goals, met or missed."""

from typing import Any


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print(
        f"\n== {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"PostgreSQL {machine['postgresql']}, size {machine['size']}; ours on PostgreSQL "
        + ("with Redis" if report.get("ours_postgresql_with_redis") else "without Redis")
    )
    goals = []
    ingest = report.get("ingest")
    if ingest:
        print("\nmail ingest (medians of 3)      mails/s   CPU ms/mail  SQL/mail")
        for name, label in (
            ("ours_pg", "ours, PostgreSQL"),
            ("ours_sqlite", "ours, SQLite"),
            ("peer", "django-helpdesk 2.6.1, PG"),
            ("floor", "floor, PG"),
        ):
            row = ingest[name]
            print(
                f"  {label:28} {row['mails_per_s']:8.1f}  {row['cpu_ms_per_mail']:11.2f}  "
                f"{row['sql_per_mail']:8.2f}"
            )
        ours, peer, floor = (ingest[k]["mails_per_s"] for k in ("ours_pg", "peer", "floor"))
        print(
            f"  ours/peer {_ratio(ours, peer)}   ours/floor {_ratio(ours, floor)}   "
            f"ours SQLite/peer {_ratio(ingest['ours_sqlite']['mails_per_s'], peer)}"
        )
        goals.append(
            ("mail ingest ≥ 10× django-helpdesk", f"{ours / peer:.2f}×", ours >= 10 * peer)
        )
        goals.append(
            ("mail ingest within 3× of the floor", f"{floor / ours:.1f}× slower", ours * 3 >= floor)
        )
    http = report.get("http")
    if http:
        print(
            "\nHTTP (wrk)                            conns    req/s   p50 ms   p99 ms  status bad"
        )
        for row in http["rows"]:
            if not row["requests"]:
                print(
                    f"  {row['side']:5} {row['name']:30} {row['connections']:5}   no request "
                    f"finished within {http['seconds_per_point']} s (BENCH_SECONDS)"
                )
                continue
            print(
                f"  {row['side']:5} {row['name']:30} {row['connections']:5} {row['rps']:8.1f} "
                f"{row['p50_ms']:8.1f} {row['p99_ms']:8.1f}  {row['status']:6} {row['bad']}"
            )
        by = {(r["name"], r["connections"]): r for r in http["rows"]}
        post, peer_post = by.get(("portal create POST", 4)), by.get(("peer public form POST", 4))
        if post and peer_post:
            ratio = post["rps"] / peer_post["rps"] if peer_post["rps"] else 0
            print(f"  ticket creation at 4 connections: ours/peer {ratio:.2f}×")
            goals.append(
                ("portal creation ≥ 2× peer's public form, c=4", f"{ratio:.2f}×", ratio >= 2)
            )
            goals.append(
                (
                    "portal creation p99 < 100 ms, c=4",
                    f"{post['p99_ms']:.0f} ms",
                    post["requests"] > 0 and post["p99_ms"] < 100,
                )
            )
        queue, peer_list = by.get(("desk queue all", 4)), by.get(("peer staff ticket list", 4))
        if queue and peer_list and peer_list["rps"]:
            print(
                f"  desk queue vs peer staff list at 4 connections: "
                f"{queue['rps'] / peer_list['rps']:.2f}×"
            )
        for name in ("desk queue all", "desk search", "desk workspace"):
            row = by.get((name, 20))
            if row:
                # No request finished within wrk's window: slower than the window, not fast.
                answered = row["requests"] > 0
                figure = f"{row['p99_ms']:.0f} ms" if answered else "none within the window"
                goals.append(
                    (f"{name} p99 < 100 ms at c=20", figure, answered and row["p99_ms"] < 100)
                )
        print(f"  peak RSS per gunicorn worker (MB): {http['peak_rss_mb_per_worker']}")
    sla = report.get("sla")
    if sla:
        print(
            f"\nSLA: {sla['clocks_per_s']:,.0f} clocks/s without explanations by wall clock, "
            f"{sla['clocks_per_cpu_s']:,.0f}/s by CPU time, "
            f"{sla['clocks_explained_per_s']:,.0f}/s explained; over "
            f"{sla['open_tickets']:,} open tickets the first sweep (every notice sent) "
            f"{sla['first_sweep_s']:.1f} s, the minutely sweep {sla['steady_sweep_s']:.2f} s, a "
            f"sweep recomputing every ticket {sla['full_sweep_s']:.2f} s "
            f"({sla['full_sweep_cpu_s']:.2f} s of it our CPU); monthly report "
            f"{sla['report_month_s'] * 1000:.0f} ms, twelve months "
            f"{sla['report_year_s'] * 1000:.0f} ms over {sla['tickets']:,} tickets"
        )
        # Judged on CPU time: the clocks touch no database, so on a dedicated core the wall
        # time is the CPU time; on a shared machine the wall clock measures the neighbours.
        goals.append(
            (
                "≥ 50,000 clocks/s without explanations",
                f"{sla['clocks_per_cpu_s']:,.0f}/CPU-s ({sla['clocks_per_s']:,.0f}/s wall)",
                sla["clocks_per_cpu_s"] >= 50_000,
            )
        )
        # Judged on the sweep that recomputes every open ticket: the minutely one computes
        # only those that can need a notice, which would flatter the goal.
        per_100k = sla["full_sweep_s"] * 100_000 / max(sla["open_tickets"], 1)
        goals.append(
            (
                "sweep of 100,000 open tickets < 10 s",
                f"{per_100k:.0f} s (scaled, every ticket recomputed; "
                f"{per_100k * sla['full_sweep_cpu_s'] / sla['full_sweep_s']:.0f} s our CPU)",
                per_100k < 10,
            )
        )
    if goals:
        print("\nissue 12 goals")
        for goal, figure, ok in goals:
            print(f"  {_verdict(ok):7} {goal:48} {figure}")
