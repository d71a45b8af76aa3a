"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the tests use /usr/bin/chromium (bin/test
installs it with apt-get when run as root). Without it the tests are skipped with a reason,
except under CI=true, where they must run.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from pps import otp, services

PASSWORD = "correct horse battery staple"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"}


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        message = (
            f"needs Debian's Chromium at {CHROMIUM}: run `bash bin/test` as root, or apt-get install chromium"
        )
        if _in_ci():
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API runs an event loop in this thread, so while the browser is open
        # Django's "async-unsafe" guard would refuse the ORM calls that the tests and their
        # fixtures make. Nothing here is async code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server, transactional_db):
    """A fresh page (its own cookies) in a desktop-sized window, in the service's time zone."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(browser_page, request):
    """``screenshot("dashboard")`` saves a full-page picture to var/screenshots/<test>-<n>-dashboard.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(name: str) -> Path:
        taken.append(name)
        path = SCREENSHOTS / f"{request.node.name}-{len(taken):02d}-{name}.png"
        browser_page.screenshot(path=path, full_page=True)
        return path

    return take


def sign_in(page, user, password: str = PASSWORD) -> None:
    """Signs in as a person would: username and password, then the code their app shows now.
    (Their app and their agreement to the confidentiality policy are set up beforehand.)"""
    from playwright.sync_api import expect

    if otp.confirmed_device(user) is None:
        otp.create_demo_device(user)
    if policy := services.policy_to_agree(user):
        services.agree_to_policy(user, policy)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter the 6-digit code", level=1)).to_be_visible()
    page.get_by_label("Code").fill(otp.code_for(otp.confirmed_device(user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def set_up_authenticator(page) -> None:
    """On "Set up your authenticator app": types the shown key into a pretend app and its code back."""
    from base64 import b32decode

    from django_otp.oath import TOTP
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Set up your authenticator app", level=1)).to_be_visible()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="Continue").click()


def agree_to_the_policy(page) -> None:
    """On the confidentiality policy page: "I have read and agree"."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Confidentiality policy", level=1)).to_be_visible()
    page.get_by_role("button", name="I have read and agree").click()


@pytest.fixture
def lead_page(chromium, live_server):
    """A second browser, with cookies of its own, for the designated lead."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def lead_screenshot(lead_page, request):
    """Like ``screenshot``, for the lead's browser: var/screenshots/<test>-lead-<n>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(name: str):
        taken.append(name)
        path = SCREENSHOTS / f"{request.node.name}-lead-{len(taken):02d}-{name}.png"
        lead_page.screenshot(path=path, full_page=True)
        return path

    return take


def fill_date(page, label: str, when) -> None:
    """Types ``when`` (a date, or an aware datetime for a date and time) into the GOV.UK date
    input labelled ``label``, box by box, as a person would."""
    import datetime as dt

    group = page.get_by_role("group", name=label)
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when)
        group.get_by_label("Time").fill(when.strftime("%H:%M"))
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))
