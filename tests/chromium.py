"""Debian's Chromium for the browser and site tests: where it is, how it starts, what a failing test leaves.

Imported by tests/browser/conftest.py and tests/site/conftest.py (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell after the test whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def keep_artefacts_if_failed(request, page, folder: Path, console: list[str], full_page: bool = False) -> None:
    """After a failed test: its page's screenshot and console log in ``folder``, named after the test."""
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    folder.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
    try:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
    except Exception as error:  # noqa: BLE001 - the artefact is best effort, the failure is reported anyway
        console.append(f"[screenshot failed] {error}")
    (folder / f"{name}.console.txt").write_text("\n".join(console) + "\n")
