"""Summarise locust's ``--csv`` statistics: throughput, p50/p95/p99 and error share per page, and the pages whose
p95 misses the goal. Run by bench/load_test.sh:  python bench/load_summary.py var/load/run_stats.csv [--goal 500]"""

import argparse
import csv
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stats", help="the <prefix>_stats.csv locust wrote")
    parser.add_argument("--goal", type=float, default=500.0, help="p95 goal in milliseconds (default 500)")
    args = parser.parse_args(argv)
    with open(args.stats, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        print(f"{args.stats}: no requests recorded", file=sys.stderr)
        return 2
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    pages.sort(key=lambda r: -float(r["95%"] or 0))
    width = max(len(f"{r['Type']} {r['Name']}") for r in rows)
    print(f"{'page':<{width}} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7}")
    missed = []
    for row in [*pages, *([total] if total else [])]:
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        p95 = float(row["95%"] or 0)
        name = f"{row['Type']} {row['Name']}".strip()
        mark = " *" if row is not total and p95 >= args.goal else ""
        if mark:
            missed.append(name)
        print(
            f"{name:<{width}} {count:>8,} {float(row['Requests/s']):>7.2f} {row['50%']:>6} {row['95%']:>6}"
            f" {row['99%']:>6} {failures / max(count, 1):>6.1%}{mark}"
        )
    print(f"\nmilliseconds; * p95 at or above {args.goal:.0f} ms: {len(missed)} of {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
