"""After Run All, every live panel shows the state its code set, and a chooser moved in the page
reshapes its slider without a late echo.

A range and a value that change together used to reach the browser as separate messages; the
browser clamped its handle to the intermediate range and sent that value back, and it landed
after the cells' own ``set()`` (all of Run All's cells are queued before any message from the
page), so the panel ended in another state than its code set (01's decay panel at rate 0.50).

The kernel is asked through its connection file (a second client beside the page). Before Run
All a hook is installed there that keeps, after every cell, each panel's ``summary()`` and
``state_code()``, and logs every message from the page that changed a control's value. After Run
All and a pause that lets any late message land:
- the page sent no value at all (each slider is given a value its track keeps as it is, see
  widgets.core.page_slider_value), and no message from the page changed a control;
- each panel's summary() and state are those at the end of the last cell;
- each panel in the page shows, item by item, what the kernel holds: every slider's label and
  readout, every chooser's choice, every text readout, every button's label and state, and the
  picture (the same PNG).
"""

from __future__ import annotations

import json
import time
import urllib.error

import pytest

import ui
from conftest import code_cells

# Installed in the kernel before Run All (a second client). Names start with "_" so that the
# panels' listing (ui.KERNEL_PANELS) never takes them for the notebook's own variables.
INSTALL_WATCH = r"""
import ipywidgets as _w
from IPython import get_ipython as _get_ipython

_page_changes = []
_after_cells = {}

def _is_panel(_v):
    return any(_c.__name__ == "Panel" and _c.__module__ == "lecture_utils.widgets.core" for _c in type(_v).__mro__)

def _snapshot(_result=None):
    _ns = _get_ipython().user_ns
    _after_cells.clear()
    _after_cells.update({_k: [_v.state_code(_k), _v.summary()] for _k, _v in list(_ns.items())
                         if not _k.startswith("_") and _is_panel(_v) and getattr(_v, "widget", None) is not None})

_original_set_state = _w.Widget.set_state

def _watched_set_state(self, sync_data):  # called for every 'update' message from the page
    _before = {_k: getattr(self, _k, None) for _k in sync_data}
    _original_set_state(self, sync_data)
    for _k in sync_data:
        if _k in ("value", "index") and _before[_k] != getattr(self, _k, None):
            _page_changes.append([getattr(self, "description", type(self).__name__), _k,
                                  repr(_before[_k]), repr(getattr(self, _k, None))])

_page_messages = []
_original_handle_msg = _w.Widget._handle_msg

def _watched_handle_msg(self, msg):  # every message from the page, before a slider decides what to take
    _state = msg["content"]["data"].get("state", {})
    if msg["content"]["data"].get("method") == "update" and ({"value", "index"} & set(_state)):
        _page_messages.append([getattr(self, "description", type(self).__name__),
                               repr({_k: _v for _k, _v in _state.items() if _k in ("value", "index")})])
    return _original_handle_msg(self, msg)

_w.Widget.set_state = _watched_set_state
_w.Widget._handle_msg = _watched_handle_msg
_get_ipython().events.register("post_run_cell", _snapshot)
"""

REPORT_WATCH = r"""
import json as _json
print(_json.dumps({"page_changes": _page_changes, "page_messages": _page_messages, "after_cells": _after_cells}))
"""


def running_kernels(server) -> list:
    try:
        return server.api("kernels")
    except urllib.error.HTTPError:  # the server may answer 500 while the kernel starts
        return []


def open_run_watched(page, server, name: str) -> None:
    """Open ``name`` in JupyterLab on a fresh kernel, install the watch, Run All, wait for the panels."""
    for kernel in server.api("kernels"):  # one notebook, one kernel at a time
        server.api(f"kernels/{kernel['id']}", method="DELETE")
    page.goto(server.url(f"lab/tree/{name}?reset"))
    ui.wait_for_idle_kernel(page)
    deadline = time.monotonic() + 60
    while not running_kernels(server) and time.monotonic() < deadline:  # the page starts it
        time.sleep(0.25)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state="attached")
    ui.kernel_run(server, INSTALL_WATCH)
    numbers = ui.run_all(page, timeout=180_000)
    assert sorted(numbers) == list(range(1, code_cells(name) + 1)), numbers
    ui.wait_for_widgets(page)
    assert page.evaluate(ui.BAD_OUTPUTS) == []


def wait_for_page_to_match(page, kernel: list[dict], timeout: float = 10.0) -> list:
    """The page's panels, once they show what the kernel holds (pictures arrive last), or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        on_page = page.evaluate(ui.PAGE_PANELS)
        if on_page == [p["items"] for p in kernel] or time.monotonic() > deadline:
            return on_page
        page.wait_for_timeout(250)


def check_panels_show_the_state_their_code_set(page, lab_server, name):
    """Run by test_notebooks_in_browser.test_jupyterlab right after open_run_watched (one Run All per notebook)."""
    time.sleep(2.0)  # a late message from the page would land by now
    watch = json.loads(ui.kernel_run(lab_server, REPORT_WATCH))
    kernel = ui.kernel_panels(lab_server)
    assert kernel, f"{name}: no live panel in the kernel"
    for p in kernel:
        print(f"{name}: {p['state']}")
    assert watch["page_messages"] == [], f"the page sent values nobody chose: {watch['page_messages']}"
    assert watch["page_changes"] == [], f"messages from the page changed controls after the code: {watch['page_changes']}"
    now = {p["name"]: [p["state"], p["summary"]] for p in kernel}
    assert now == watch["after_cells"], "a panel's state changed after the last cell ran"
    on_page = wait_for_page_to_match(page, kernel)
    assert len(on_page) == len(kernel), f"{len(on_page)} panels in the page, {len(kernel)} in the kernel"
    for shown, p in zip(on_page, kernel):
        assert shown == p["items"], f"{p['name']} in the page differs from the kernel's"


# A chooser moved in the page (not by code): the observer reshapes another slider. Each step picks an
# option and names the slider it reshapes, with the readout it must then show in the page and hold in the kernel.
CHOOSERS = {
    "01_gradient_descent_1d.ipynb": ("decay_panel", "schedule", "decay", [
        ("inverse-time", "0.20"), ("exponential", "0.90"), ("step", "0.50"), ("inverse-time", "0.20"),
        ("constant", "0.90")]),
    "02_taylor_expansion.ipynb": ("panel", "objective", "w0", [
        ("(w - 6)^2", "23.00"), ("non-convex quartic", "1.50"), ("(w - 6)^2", "23.00")]),
}


@pytest.mark.parametrize("name", sorted(CHOOSERS))
def test_a_chooser_moved_in_the_page_reshapes_its_slider_once(page, lab_server, name):
    """Choosing options in the page's drop-down: the reshaped slider ends at the option's default in the
    page and in the kernel, and no message from the page moved it after the kernel did."""
    panel_name, chooser, reshaped, steps = CHOOSERS[name]
    open_run_watched(page, lab_server, name)
    index = [p["name"] for p in ui.kernel_panels(lab_server)].index(panel_name)
    area = page.locator('.jp-OutputArea-output:has(img.widget-image)').nth(index)
    select = area.locator(".widget-dropdown select").first
    for option, readout in steps:
        ui.kernel_run(lab_server, "_page_changes.clear(); _page_messages.clear()")
        select.scroll_into_view_if_needed()
        select.select_option(label=option)
        time.sleep(1.5)  # the kernel's reshaping and any message back from the page
        watch = json.loads(ui.kernel_run(lab_server, REPORT_WATCH))
        changed = [c for c in watch["page_changes"] if c[1] == "value" and c[0] != chooser]
        assert changed == [], f"after choosing {option!r} the page moved {changed}"
        sent = [m for m in watch["page_messages"] if m[0] != chooser]
        assert sent == [], f"after choosing {option!r} the page sent {sent}"
        kernel = ui.kernel_panels(lab_server)
        panel = kernel[index]
        assert wait_for_page_to_match(page, kernel) == [p["items"] for p in kernel]
        slider = next(item for item in panel["items"] if item[0] == "slider" and
                      item[1] == ui.kernel_run(lab_server, f"print({panel_name}.controls[{reshaped!r}].description, end='')"))
        assert slider[2] == readout, (option, slider)
