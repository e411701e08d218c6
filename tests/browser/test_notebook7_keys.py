"""Arrow keys on a focused slider in Notebook 7 move the slider, not the notebook's cursor.

Notebook 7 (unlike JupyterLab 4) handles its keyboard shortcuts before the focused element sees the
key, so its command-mode arrow bindings take the keys from a focused slider handle (servers.py,
SLIDER_ARROW_KEYS, says which and why). With the shortcut settings of SLIDER_ARROW_KEYS the handle
keeps them: ArrowRight three times moves notebook 01's γ₀ by three steps and the active cell stays.
Without them the same keys leave the slider where it was (the upstream behaviour, checked so that
a fix upstream is noticed).
"""

from __future__ import annotations

import pytest

import servers
import ui
from conftest import _copy_notebooks, _server
from test_notebooks_in_browser import FIRST, open_and_run


@pytest.fixture(scope="module")
def notebook7_fixed(tmp_path_factory):
    settings = {**servers.USER_SETTINGS, **servers.SLIDER_ARROW_KEYS}
    yield from _server("notebook", _copy_notebooks(tmp_path_factory), tmp_path_factory, settings=settings,
                       log_name="notebook7-keys-server.log")


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


def test_arrow_keys_move_a_focused_slider_with_the_shortcut_settings(page, notebook7_fixed):
    open_and_run(page, notebook7_fixed, f"notebooks/{FIRST}", FIRST)
    before, after, cell_before, cell_after = press_arrows_on_gamma(page)
    assert float(after) == pytest.approx(float(before) + 0.03, abs=1e-6), (before, after)
    assert cell_after == cell_before


def test_without_them_notebook7_takes_the_arrow_keys(page, notebook_server):
    """Upstream (notebook 7.6.5): with its default shortcuts a focused slider does not move."""
    open_and_run(page, notebook_server, f"notebooks/{FIRST}", FIRST)
    before, after, cell_before, cell_after = press_arrows_on_gamma(page)
    assert after == before, "Notebook 7 no longer takes the arrow keys: SLIDER_ARROW_KEYS may go"
