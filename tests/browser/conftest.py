"""Fixtures of the browser tests: throw-away Jupyter servers, Debian's Chromium, failure artefacts.

Run with `make test-browser` (never part of `make test`). Nothing here is skipped: a missing
Chromium or Playwright is an error, not a skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import servers
from chromium import CHROMIUM, FLAGS as CHROMIUM_FLAGS, keep_artefacts_if_failed
from chromium import pytest_runtest_makereport  # noqa: F401 - the hook: a failed test's report on its item

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTEFACTS = REPO / "build" / "browser"


def code_cells(name: str) -> int:
    return sum(c.cell_type == "code" for c in nbformat.read(REPO / "notebooks" / name, as_version=4).cells)


def uses_sliders(name: str) -> bool:
    return "widgets" in (REPO / "notebooks" / name).read_text()


def pytest_configure(config):
    config.addinivalue_line("markers", "timing: measures speed; runs first, before other servers and kernels start")


def pytest_collection_modifyitems(items):
    """Timing tests first: later in the session the other tests' servers and kernels share the two cores."""
    items.sort(key=lambda item: item.get_closest_marker("timing") is None)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def served_notebooks(tmp_path_factory) -> Path:
    """A temporary copy of notebooks/ (the browser autosaves; the committed files stay untouched)."""
    return _copy_notebooks(tmp_path_factory)


def _copy_notebooks(tmp_path_factory, source: Path = REPO / "notebooks") -> Path:
    """A served copy of the notebooks in ``source`` (the committed ones by default), lecture_utils beside it."""
    root = tmp_path_factory.mktemp("served") / "notebooks"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.mine.ipynb"))
    # lecture_utils is installed (editable) in the venv; the copy beside the notebooks also serves
    # the set-up cell's fallback (sys.path "..").
    shutil.copytree(REPO / "lecture_utils", root.parent / "lecture_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _server(kind, served_notebooks, tmp_path_factory, notebook=None, settings=None, log_name=None):
    server = servers.start(kind, served_notebooks, tmp_path_factory.mktemp(f"{kind}-home"),
                           ARTEFACTS, notebook=notebook, settings=settings, log_name=log_name)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab_server(served_notebooks, tmp_path_factory):
    yield from _server("lab", served_notebooks, tmp_path_factory)


@pytest.fixture(scope="session")
def student_lab_server(tmp_path_factory):
    """JupyterLab with a student's settings (its defaults), on its own copy of the notebooks:
    where the slider latency is measured."""
    yield from _server("lab", _copy_notebooks(tmp_path_factory), tmp_path_factory,
                       settings=servers.STUDENT_SETTINGS, log_name="lab-student-server.log")


@pytest.fixture(scope="session")
def notebook_server(served_notebooks, tmp_path_factory):
    yield from _server("notebook", served_notebooks, tmp_path_factory)


@pytest.fixture(scope="session")
def voila_server(served_notebooks, tmp_path_factory):
    yield from _server("voila", served_notebooks, tmp_path_factory)


@pytest.fixture(scope="session")
def playwright_instance():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-browser` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright  # an ImportError here means: make test-browser
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def page(playwright_instance, tmp_path, request):
    """A page in a fresh Chromium profile; on failure a screenshot and the console log go to build/browser/."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
        args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
    page = context.pages[0] if context.pages else context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    page.console_log = console
    page.set_default_timeout(30_000)
    yield page
    keep_artefacts_if_failed(request, page, ARTEFACTS, console, full_page=True)
    context.close()
