"""Arrow keys on a focused slider in Notebook 7 move the slider, not the notebook's cursor.

Notebook 7 (unlike JupyterLab 4) handles its keyboard shortcuts before the focused element sees the
key, so its command-mode arrow bindings take the keys from a focused slider handle (servers.py,
SLIDER_ARROW_KEYS, says which and why). With the shortcut settings of SLIDER_ARROW_KEYS the handle
keeps them: ArrowRight three times moves notebook 01's γ₀ by three steps and the active cell stays.
`make lab` installs them for students through the venv's overrides.json (tools/lab_overrides.json),
which the test servers read too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import servers
import ui
from test_notebooks_in_browser import FIRST, open_and_run


def press_arrows_on_gamma(page) -> tuple[str, str, int, int]:
    """Focus γ₀'s handle, press ArrowRight three times: (readout before, after, active cell before, after)."""
    index = next(s["index"] for s in page.evaluate(ui.SLIDERS) if s["label"].startswith("γ"))
    slider = page.locator(".jp-OutputArea-output .widget-slider").nth(index)
    handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
    ui.settle_into_view(handle)
    handle.focus()
    active = "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))"
    before, cell_before = readout.text_content(), page.evaluate(active)  # (aria-valuenow has one decimal)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
    page.wait_for_timeout(700)
    return before, readout.text_content(), cell_before, page.evaluate(active)


def test_make_lab_installs_the_shortcut_settings():
    """tools/lab_overrides.json (copied by make lab into the venv's overrides.json) holds SLIDER_ARROW_KEYS."""
    overrides = json.loads((Path(__file__).parents[2] / "tools" / "lab_overrides.json").read_text())
    (settings,) = servers.SLIDER_ARROW_KEYS.values()
    assert overrides["@jupyterlab/shortcuts-extension:shortcuts"] == settings


def test_arrow_keys_move_a_focused_slider_with_the_installed_settings(page, notebook_server):
    """The server reads the venv's overrides.json, as a student's `make lab` does."""
    open_and_run(page, notebook_server, f"notebooks/{FIRST}", FIRST)
    before, after, cell_before, cell_after = press_arrows_on_gamma(page)
    assert float(after) == pytest.approx(float(before) + 0.03, abs=1e-6), (before, after)
    assert cell_after == cell_before
