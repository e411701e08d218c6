"""Fixtures of the static-site tests: the built site, Debian's Chromium offline, failure artefacts.

Run with `make test-site` (it builds build/site first). Every request that is not file:// is
aborted and recorded: a page that tries the network fails its test.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from chromium import CHROMIUM, FLAGS, keep_artefacts_if_failed
from chromium import pytest_runtest_makereport  # noqa: F401 - the hook: a failed test's report on its item

REPO = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SITE_DIR", REPO / "build" / "site"))  # another build to test, for development
ARTEFACTS = REPO / "build" / "site-tests"
CHROMIUM_FLAGS = [*FLAGS, "--allow-file-access-from-files"]  # the site's pages load their data from file://
sys.path.insert(0, str(REPO / "tools" / "site"))
# Only `make test-site` (which builds the site first) runs these: `make test` collects tests/ too.
if not os.environ.get("SITE_TESTS"):
    collect_ignore_glob = ["test_*.py"]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "budgets.json").exists():
        pytest.fail(f"{SITE} is not built: run `make test-site` (or `make site`)")
    return SITE


@pytest.fixture(scope="session")
def budgets(site) -> dict:
    return json.loads((site / "budgets.json").read_text())


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-site` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_page(browser, viewport=(1366, 768)):
    """A page in a fresh context; non-file requests aborted and listed in page.blocked, console in page.console_log."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    blocked: list[str] = []

    def route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    page.on("requestfailed", lambda r: console.append(f"[requestfailed] {r.url}"))
    page.console_log = console
    page.blocked = blocked
    page.set_default_timeout(20_000)
    return page


@pytest.fixture
def page(browser, request):
    page = open_page(browser)
    yield page
    keep_artefacts_if_failed(request, page, ARTEFACTS, page.console_log)
    page.context.close()
