"""The cost of permission checks and audit writes on a list of 50 cases, with many cases stored.

    .venv/bin/python benchmarks/list_page.py                       # 100,000 cases, SQLite in a temp dir
    .venv/bin/python benchmarks/list_page.py --parents 20000       # quicker
    createdb -h 127.0.0.1 -U postgres pps_list_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_list_bench .venv/bin/python benchmarks/list_page.py
    dropdb -h 127.0.0.1 -U postgres pps_list_bench

It loads the demo data (about 1.3 cases per parent), puts one caseworker on 300 cases, and then
times, for that caseworker (object permissions) and for a senior manager (whole service):
- the access query alone (``Case.objects.visible_to(user)``, one page of 50);
- writing the 50 ACCESS entries for that page (``record_access``);
- the whole case list page through Django's test client, with its query count.
Figures are medians of repeated runs, in milliseconds.
"""

import argparse
import time

from _setup import benchmark_django, median_ms

from cases import access as cases_access

ROUNDS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=77_000, help="77,000 parents give about 100,000 cases")
    args = parser.parse_args()

    with benchmark_django():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext, setup_test_environment
        from django.urls import reverse

        from cases.models import Case
        from demo import data as demo
        from pps.audit import record_access
        from pps.models import User
        from tests.conftest import client_for

        setup_test_environment()
        if not demo.is_loaded():
            started = time.monotonic()
            demo.load(parents=args.parents, contacts=args.parents, progress=lambda *_: None)
            print(f"loaded the demo data in {time.monotonic() - started:.0f} s")
        caseworker = User.objects.get(username="kw.caseworker")
        senior = User.objects.get(username="kw.senior")
        for case in Case.objects.filter(service=caseworker.service).exclude(
            pk__in=Case.objects.visible_to(caseworker)
        )[:300]:
            cases_access.assign_to_case(caseworker, case)

        print(f"{connection.vendor}: {Case.objects.count():,} cases in the database")
        header = ("who", "visible cases", "access query", "50 ACCESS rows", "page", "queries")
        print("{:<12} {:>13} {:>13} {:>15} {:>8} {:>8}".format(*header))
        for user in (caseworker, senior):
            visible = Case.objects.visible_to(user).count()

            def page_query(user=user):
                return list(
                    Case.objects.visible_to(user).select_related("parent").order_by("-opened_at")[:50]
                )

            shown = page_query()
            query_ms = median_ms(page_query, ROUNDS)
            audit_ms = median_ms(
                lambda user=user, shown=shown: record_access(user, shown, how="benchmark"), ROUNDS
            )
            client = client_for(user)
            url = reverse("cases:case_list") + "?status=all"
            response = client.get(url, secure=True)
            assert response.status_code == 200, f"the case list answered {response.status_code}"
            page_ms = median_ms(lambda client=client, url=url: client.get(url, secure=True), rounds=10)
            with CaptureQueriesContext(connection) as captured:
                client.get(url, secure=True)
            print(
                f"{user.role:<12.12} {visible:>13,} {query_ms:>10.1f} ms {audit_ms:>12.1f} ms "
                f"{page_ms:>5.0f} ms {len(captured):>8}"
            )


if __name__ == "__main__":
    main()
