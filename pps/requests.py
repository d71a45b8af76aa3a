"""Helpers about the request itself, used by the sign-in steps, the middleware and the audit
entry: who is asking (``client_ip``), where to go back to, and what a form sent. A leaf: it
imports nothing of the project, so every module of the sign-in can use it."""

import ipaddress
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR")
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def url_with_next(name: str, next_url: str = "") -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def next_for(request) -> str:
    """Where to return after a sign-in step: the page asked for, if it was a plain page load, or
    for a background (htmx) request the page it came from."""
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return urlunsplit(("", "", current.path, current.query, "")) if current.path else ""
    return request.get_full_path() if request.method == "GET" else ""


def send_to(request, name: str):
    """Redirects to the sign-in step ``name``; a background (htmx) request gets the whole page
    sent there (``HX-Redirect``) rather than the step's page swapped into a fragment."""
    url = url_with_next(name, next_for(request))
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def fields_sent(request) -> list[tuple[str, str]]:
    """What a form sent (name, value pairs, without the CSRF token): to carry it through a
    sign-in step (lock, step-up, policy agreement) so that nothing typed is lost."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
