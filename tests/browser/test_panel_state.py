"""After Run All, every slider on screen shows the value the kernel holds (the state the code set).

A range and a value that change together used to reach the browser as separate messages; the
browser clamped the value to the intermediate range and echoed it back after the cell's own
``set()``, so the panel showed another state than its code set. The kernel is asked through
its connection file (a second client), after a pause that lets any late echo land.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

import ui
from test_notebooks_in_browser import open_and_run

# The notebooks whose panels reshape a slider from code (a chooser that changes another slider's range).
RESHAPING = ["01_gradient_descent_1d.ipynb", "02_taylor_expansion.ipynb", "03_backprop_by_hand.ipynb"]

KERNEL_SLIDERS = """
import json as _json, warnings as _warnings, ipywidgets as _w
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _live = getattr(_w.widgets.widget, "_instances", None) or _w.Widget.widgets
print(_json.dumps([[_s.description, format(_s.value, _s.readout_format)] for _s in list(_live.values())
                   if isinstance(_s, (_w.FloatSlider, _w.IntSlider))]))
"""


def kernel_sliders(server) -> list[list[str]]:
    (kernel,) = server.api("kernels")
    client = BlockingKernelClient(connection_file=str(Path(server.env["JUPYTER_RUNTIME_DIR"])
                                                      / f"kernel-{kernel['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    printed: list[str] = []
    try:
        client.execute_interactive(KERNEL_SLIDERS, store_history=False, timeout=30, output_hook=lambda msg: (
            printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None))
    finally:
        client.stop_channels()
    return json.loads("".join(printed))


@pytest.mark.parametrize("name", RESHAPING)
def test_panels_show_the_state_their_code_set(page, lab_server, name):
    open_and_run(page, lab_server, f"lab/tree/{name}?reset", name)
    time.sleep(2.0)  # a late echo from the browser would land by now
    on_screen = [[s["label"], s["readout"]] for s in page.evaluate(ui.SLIDERS)]
    in_kernel = Counter(map(tuple, kernel_sliders(lab_server)))
    missing = Counter(map(tuple, on_screen)) - in_kernel
    print(f"{name}: on screen {on_screen}")
    assert on_screen and not missing, f"on screen but not in the kernel: {sorted(missing)}; kernel: {sorted(in_kernel)}"
