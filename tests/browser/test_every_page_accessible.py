"""Every page each role can reach, forms in their error state included, in a real browser:
no WCAG 2.2 A or AA violation that axe-core finds, and nothing scrolls sideways at 320 CSS
pixels (a phone, and 400% zoom of a 1,280-pixel window).

One browser; each role is signed in once (a session made as ``client_for`` makes it) and walks
the URL patterns with the records of ``tests/pps/test_every_url.py``. A page is checked once,
by the first role that reaches it, except the pages whose content differs by role.
``axe.min.js`` is axe-core, vendored for this test only (Mozilla Public License 2.0, its header
kept).
"""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.pps.test_every_url import PATTERNS, records, url_for  # noqa: F401 - records is a fixture

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
NARROW = 320

ROLES = ["caseworker", "senior", "head", "coordinator", "maintainer"]
#: Pages whose content differs by role: checked for every role that reaches them.
EVERY_ROLE = {"cases:dashboard", "cases:case_detail", "cases:parent_detail", "account", "manage"}
#: Files, not pages, and signing out.
NOT_PAGES = {
    "cases:case_timeline",
    "logout",
    "csp_report",
    "reports:statistics_export",
    "rights:download",
    "rights:legal_download",
}

#: Forms sent empty (or with their first answer missing), to check their error state: (role, URL
#: name, the name of the button that sends it, or None for the page's first primary button).
ERROR_STATES = [
    ("caseworker", "cases:contact_log", None),
    ("caseworker", "cases:parent_new", None),
    ("caseworker", "cases:case_contact_log", None),
    ("caseworker", "cases:contact_correct", None),
    ("caseworker", "cases:parent_edit", None),
    ("caseworker", "cases:child_edit", None),
    ("caseworker", "cases:case_close", None),
    ("caseworker", "cases:case_open", None),
    ("caseworker", "consent:consent_record", None),
    ("caseworker", "consent:disclosure_record", None),
    ("caseworker", "safeguarding:concern_raise", None),
    ("senior", "cases:contact_move", None),
    ("senior", "cases:case_detail", "Link the other parent's case"),
    ("senior", "cases:case_detail", "Put on the case"),
    ("senior", "safeguarding:concern_detail", "Record discussion"),
]


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map("
        "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))",
        AXE_TAGS,
    )
    return found


#: The innermost elements that reach past the right edge: named in the message, to find them.
WIDEST = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const out = e => e.getBoundingClientRect().right > edge;
  const classes = e => (e.className ? '.' + String(e.className).split(' ').join('.') : '');
  const name = e => e.tagName.toLowerCase() + classes(e);
  return [...document.querySelectorAll('body *')]
    .filter(e => out(e) && !e.closest('.app-table-scroll') && ![...e.children].some(out))
    .slice(0, 3).map(name);
}"""


def sideways_at_320(page) -> tuple[int, list[str]]:
    """How many pixels the page scrolls sideways at 320 pixels wide (0 when it fits), and the
    elements that stick out."""
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    widest = page.evaluate(WIDEST) if overflow > 0 else []
    page.set_viewport_size(size)
    return overflow, widest


def check(page, where: str, problems: list[str]) -> None:
    for violation in axe_violations(page):
        problems.append(f"{where}: {violation}")
    overflow, widest = sideways_at_320(page)
    if overflow > 0:
        problems.append(f"{where}: scrolls sideways by {overflow} px at {NARROW} px ({', '.join(widest)})")


def signed_in_context(chromium, live_server, user):
    client = client_for(user)
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
        bypass_csp=True,  # for axe's script only; the pages' own CSP is tested elsewhere
    )
    context.set_default_timeout(15_000)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def test_every_page_passes_axe_and_fits_320_pixels(request, chromium, live_server, transactional_db, records):  # noqa: F811
    problems: list[str] = []
    checked: set[str] = set()
    anonymous = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    page = anonymous.new_page()
    page.goto(reverse("login"))
    check(page, "sign-in", problems)
    page.get_by_role("button", name="Sign in").click()
    check(page, "sign-in (error)", problems)
    anonymous.close()

    for role in ROLES:
        user = request.getfixturevalue(role)
        context = signed_in_context(chromium, live_server, user)
        page = context.new_page()
        for name, pattern in PATTERNS:
            if name in NOT_PAGES or (name in checked and name not in EVERY_ROLE):
                continue
            url = url_for(name, pattern, records)
            answer = context.request.get(url, max_redirects=0)
            if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            checked.add(name)
            page.goto(url)
            check(page, f"{role} {name}", problems)
        for who, name, button in ERROR_STATES:
            if who != role:
                continue
            page.goto(url_for(name, dict(PATTERNS)[name], records))
            # Until the answer has loaded, its scripts (which move the focus) may not have run.
            with page.expect_navigation(wait_until="load"):
                if button:
                    page.get_by_role("button", name=button).click()
                else:
                    page.locator(
                        "main form[method=post] button.govuk-button:not(.govuk-button--secondary)"
                    ).first.click()
            summary = page.locator(".govuk-error-summary")
            if not summary.count():
                problems.append(f"{role} {name}: sent empty, it showed no error summary")
                continue
            if not page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null"):
                problems.append(f"{role} {name}: the error summary does not take focus")
            check(page, f"{role} {name} (error)", problems)
        context.close()
    assert len(checked) > 40  # the walk reached the pages
    assert problems == [], "\n".join(problems)
