"""Does the time of a search tell whether a parent exists somewhere the searcher cannot reach?
(issue 10, item 3). Interleaves searches, as a caseworker of one demo service, for parents of the
other service, and for names that exist nowhere, and compares the medians (and a z-score).

    .venv/bin/python benchmarks/search_timing.py                    # 5,000 parents, SQLite
    .venv/bin/python benchmarks/search_timing.py --parents 20000 --rounds 200

A z-score well under 2 means the two kinds of search cannot be told apart by their time.
"""

import argparse
import statistics
import time

from _setup import benchmark_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=80)
    args = parser.parse_args()

    with benchmark_django():
        from cases import services
        from cases.models import Parent
        from demo import data as demo
        from pps.models import User

        if not demo.is_loaded():
            demo.load(parents=args.parents, contacts=args.parents, progress=lambda *_: None)
        searcher = User.objects.get(username="kw.caseworker")
        # Phone numbers and email addresses are unique to a parent (names are shared by many
        # parents of every service, so a name search rightly costs more where the name is common).
        others = [p for p in Parent.objects.exclude(service_id=searcher.service_id).order_by("pk")[:200]]
        unreachable = [p.phone for p in others if p.phone][:20] + [p.email for p in others if p.email][:20]
        unused = [f"07000 {n:06d}" for n in range(20)] + [f"nobody{n}@example.invalid" for n in range(20)]

        def timed(query) -> float:
            started = time.perf_counter()
            services.find_parents(searcher, query, record=False)
            return (time.perf_counter() - started) * 1000

        reachable = set(Parent.objects.visible_to(searcher).values_list("pk", flat=True))
        colleagues = [
            p
            for p in Parent.objects.filter(service_id=searcher.service_id).order_by("pk")[:400]
            if p.pk not in reachable
        ]
        colleague = [p.phone for p in colleagues if p.phone][:20] + [p.email for p in colleagues if p.email][
            :20
        ]

        def compare(label, these):
            for query in these[:5] + unused[:5]:  # warm up
                timed(query)
            a, b = [], []
            for n in range(args.rounds):
                a.append(timed(these[n % len(these)]))
                b.append(timed(unused[n % len(unused)]))
            spread = (statistics.pvariance(a) / len(a) + statistics.pvariance(b) / len(b)) ** 0.5 or 1e-9
            z = (statistics.mean(a) - statistics.mean(b)) / spread
            print(
                f"{label}: median {statistics.median(a):6.2f} ms against {statistics.median(b):6.2f} ms "
                f"for one that exists nowhere, z = {z:+.2f}"
            )

        print(f"{Parent.objects.count():,} parents; {args.rounds} interleaved searches of each kind")
        compare("another service's parent (phone, email)", unreachable)
        compare("a colleague's parent, same service     ", colleague)


if __name__ == "__main__":
    main()
