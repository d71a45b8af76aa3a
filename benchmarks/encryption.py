"""The cost of encryption at rest: decrypting a case page and a list of 50 cases, and searching
among many parents through blind indexes.

    .venv/bin/python benchmarks/encryption.py                     # 100,000 parents, SQLite, temp dir
    .venv/bin/python benchmarks/encryption.py --parents 20000     # quicker
    createdb -h 127.0.0.1 -U postgres pps_crypto_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_crypto_bench .venv/bin/python benchmarks/encryption.py
    dropdb -h 127.0.0.1 -U postgres pps_crypto_bench

Figures are medians of repeated runs, in milliseconds, as a senior manager (who reaches every case
of the service, so lists and searches run over the whole service).
"""

import argparse
import time

from _setup import benchmark_django, median_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=100_000)
    args = parser.parse_args()

    with benchmark_django():
        from django.db import connection

        from cases import services
        from cases.models import Case, Parent
        from demo import data as demo
        from pps.models import User

        if not demo.is_loaded():
            started = time.monotonic()
            demo.load(parents=args.parents, contacts=args.parents, progress=lambda *_: None)
            print(f"loaded the demo data in {time.monotonic() - started:.0f} s")
        senior = User.objects.get(username="kw.senior")
        case = Case.objects.visible_to(senior).order_by("-opened_at").first()
        surname = case.parent.last_name

        def case_page():
            fresh = Case.objects.select_related("parent").get(pk=case.pk)
            texts = [fresh.summary, fresh.parent.full_name, fresh.parent.phone, fresh.parent.address]
            texts += [c.notes for c in fresh.contacts.all()]
            texts += [child.full_name for child in fresh.parent.children.all()]
            return texts

        def case_list():
            page = Case.objects.visible_to(senior).select_related("parent").order_by("-opened_at")[:50]
            return [(c.summary, c.parent.full_name) for c in page]

        def case_list_undecrypted():
            return list(Case.objects.visible_to(senior).select_related("parent").order_by("-opened_at")[:50])

        print(f"{connection.vendor}: {Parent.objects.count():,} parents, {Case.objects.count():,} cases")
        print(f"case page, everything decrypted:         {median_ms(case_page):7.1f} ms")
        print(f"list of 50 cases, not decrypted:         {median_ms(case_list_undecrypted):7.1f} ms")
        print(f"list of 50 cases, names and summaries:   {median_ms(case_list):7.1f} ms")
        for query in (surname, surname[:3], f"{case.parent.first_name[:2]} {surname[:2]}", case.parent.phone):
            found = len(services.find_parents(senior, query, record=False))
            timing = median_ms(lambda query=query: services.find_parents(senior, query, record=False))
            print(f"search {len(query):>2}-character query ({found:>2} found):  {timing:7.1f} ms")


if __name__ == "__main__":
    main()
