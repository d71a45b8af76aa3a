"""The application's URLs plus the baselines the suite compares pages with, served through the
same middleware: a case page's template rendered from a context kept in memory, and a bare view
that inserts a contact and redirects."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from pps.urls import urlpatterns as application

#: Filled in by the suite: the template and context of one real case page, every query evaluated.
FROM_MEMORY = {}


def case_page_from_memory(request):
    return render(request, FROM_MEMORY["template"], FROM_MEMORY["context"])


def bare_contact_insert(request, case_id):
    from cases.models import Contact, Outcome

    Contact.objects.create(
        outcome=Outcome.objects.filter(service_id=request.user.service_id).first(),
        service_id=request.user.service_id,
        case_id=case_id,
        occurred_at=timezone.now(),
        channel="phone",
        direction="in",
        duration_minutes=10,
        notes="Benchmark",
        logged_by=request.user,
    )
    return redirect("cases:case_detail", case_id=case_id)


urlpatterns = [
    *application,
    path("bench/case-from-memory/", case_page_from_memory),
    path("bench/bare-contact/<uuid:case_id>/", bare_contact_insert),
]
