"""Moving in, in a real browser: the head of service imports the sample file that ships with the
product, fixes a column the guess missed, maps an unknown value, previews, confirms, watches the
import's progress, and finds an imported parent by search."""

from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from imports import services
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SAMPLE = Path(services.__file__).parent / "samples" / "sample.csv"


def test_the_head_of_service_imports_the_sample_file(
    browser_page, screenshot, head, settings, tmp_path, monkeypatch
):
    settings.IMPORTS_DIR = str(tmp_path / "imports")
    settings.IMPORTS_RUN_INLINE = False  # in a thread of the server, as in production
    monkeypatch.setattr(services, "BATCH", 2)  # several batches, so there is progress to watch
    started = []
    if connection.vendor == "sqlite":
        # The live server's in-memory SQLite database is shared between threads: a second thread
        # writing would lock its tables. Here the test runs the import, while the page watches.
        monkeypatch.setattr(services, "start_in_background", started.append)
    page = browser_page
    page.set_default_timeout(30_000)  # each step reads the whole file: slower on a busy machine
    sign_in(page, head)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Import records").click()
    # The template and the samples are there to download, before any file is chosen.
    page.get_by_text("What the file should look like").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="the template").click()
    assert download.value.suggested_filename == "template.csv"
    assert Path(download.value.path()).read_bytes() == (SAMPLE.parent / "template.csv").read_bytes()
    screenshot("import-upload")
    page.get_by_label("Which system do these records come from?").fill("Sample case system")
    page.get_by_label("The file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", name="Map the columns", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="The first rows of the file")).to_contain_text("Quarrender")
    duration = page.get_by_label("Time spent (minutes)")
    expect(duration).to_have_value("")  # "Call length" was not recognised
    duration.select_option("Call length")
    screenshot("columns")
    page.get_by_role("button", name="Save and map the values").click()

    expect(page.get_by_role("heading", name="Map the values", level=1)).to_be_visible()
    page.get_by_label("“Blue badge” becomes").select_option(label="Transport")
    page.get_by_label("“Yes” becomes").select_option(label="Recorded: orally, on a phone call")
    screenshot("values")
    page.get_by_role("button", name="Save and preview the import").click()

    expect(page.get_by_role("heading", name="Preview the import", level=1)).to_be_visible()
    expect(page.locator('[data-count="parents"]')).to_have_text("4")
    expect(page.locator('[data-count="contacts"]')).to_have_text("7")
    expect(page.locator('[data-count="refused"]')).to_have_text("2")
    expect(page.get_by_role("table", name="Rows refused")).to_contain_text("looks month first")
    screenshot("preview")
    page.get_by_role("button", name="Confirm and import").click()

    expect(page.get_by_role("heading", name="Importing")).to_be_visible()
    expect(page.get_by_text("rows (")).to_be_visible()  # "n of 9 rows (p%)" beside the progress bar
    screenshot("progress")
    for run_id in started:
        services.run_import(run_id)
    expect(page.get_by_role("heading", name="Import finished", level=1)).to_be_visible(timeout=60_000)
    expect(page.locator('[data-count="contacts"]')).to_have_text("7")
    screenshot("report")

    page.get_by_role("link", name="Find a parent").click()
    page.get_by_role("searchbox").fill("Quarrender")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Ottoline Quarrender", exact=True)).to_be_visible()
