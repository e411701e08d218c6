"""The notebooks in a real browser: JupyterLab 4 (every notebook), Notebook 7 and Voila (notebook 01).

Each test opens a notebook the way a student does, runs it, checks that every code cell ran
without an error or warning output, and drags every slider, checking that its readout shows
the new value and the plot image changed. In JupyterLab the same Run All also serves the checks
of test_panel_state.py (each panel shows the state its code set) and projector.py (the panels
fit 1024 x 768 and 1366 x 768). One more JupyterLab test, on a server with JupyterLab's
default settings (what a student has), measures the slider-to-picture latency of notebook 01 in
the page and writes it to benchmarks/results.json ("browser").
"""

from __future__ import annotations

import json
import statistics

import nbformat
import pytest

import ui
from conftest import NOTEBOOKS, REPO, code_cells, uses_sliders
from test_panel_state import check_panels_show_the_state_their_code_set, open_run_watched
from projector import check_panels_fit_a_projector

FIRST = "01_gradient_descent_1d.ipynb"


def open_and_run(page, server, path: str, name: str) -> None:
    for kernel in server.api("kernels"):  # the previous test's kernel: one notebook at a time
        server.api(f"kernels/{kernel['id']}", method="DELETE")
    page.goto(server.url(path))
    ui.wait_for_idle_kernel(page)
    numbers = ui.run_all(page)
    assert len(numbers) == code_cells(name)
    assert sorted(numbers) == list(range(1, len(numbers) + 1)), numbers
    if uses_sliders(name):
        ui.wait_for_widgets(page)
    assert page.evaluate(ui.BAD_OUTPUTS) == []


def check_all_sliders(page, name: str) -> None:
    moved = ui.check_sliders(page)
    if uses_sliders(name):
        assert moved, "the notebook shows widgets but no slider could be moved"
    assert page.evaluate(ui.BAD_OUTPUTS) == []
    print(f"{name}: moved {len(moved)} sliders: {moved}")


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_jupyterlab(page, lab_server, name):
    """One Run All per notebook (each takes most of a minute here), then every check in turn: the panels
    show the state their code set (test_panel_state), every slider drags (with its readout and picture),
    and the panels fit a projector (projector.py), which ends with every slider at its maximum."""
    open_run_watched(page, lab_server, name)
    check_panels_show_the_state_their_code_set(page, lab_server, name)
    check_all_sliders(page, name)
    if uses_sliders(name):
        check_panels_fit_a_projector(page, lab_server, name)


def test_notebook7(page, notebook_server):
    open_and_run(page, notebook_server, f"notebooks/{FIRST}", FIRST)
    check_all_sliders(page, FIRST)


def test_voila(page, voila_server):
    page.goto(voila_server.url(f"voila/render/{FIRST}"))
    ui.wait_for_widgets(page, timeout=90_000)
    page.wait_for_function("() => !document.querySelector('#loading, .voila-spinner')", timeout=90_000)
    stored = nbformat.read(REPO / "notebooks" / FIRST, as_version=4)
    with_output = sum(1 for c in stored.cells if c.cell_type == "code" and c.get("outputs"))
    rendered = page.eval_on_selector_all(".jp-OutputArea", "es => es.filter(e => e.children.length).length")
    assert rendered >= with_output, (rendered, with_output)  # every cell ran and showed its output
    assert page.evaluate(ui.BAD_OUTPUTS) == []
    check_all_sliders(page, FIRST)


def percentile_95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def latency_summary(latencies: list[float], painted: list[float]) -> dict:
    return {"moves": len(latencies), "median_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile_95(latencies), 1), "all_ms": [round(x, 1) for x in sorted(latencies)],
            "painted_median_ms": round(statistics.median(painted), 1),
            "painted_p95_ms": round(percentile_95(painted), 1)}


@pytest.mark.timing
def test_jupyterlab_slider_latency(page, student_lab_server):
    """Measured in JupyterLab as a student has it (its default settings, see servers.STUDENT_SETTINGS)."""
    open_and_run(page, student_lab_server, f"lab/tree/{FIRST}?reset", FIRST)
    gamma = next(s["index"] for s in page.evaluate(ui.SLIDERS) if s["label"].startswith("γ"))
    measured = {}
    for style in ("drag", "press-move-release"):
        latencies, painted = ui.measure_latency(page, gamma, style)
        assert len(latencies) >= 10 and len(painted) == len(latencies)
        measured[style] = latency_summary(latencies, painted)
    drag = measured["drag"]
    result = {"what": "JupyterLab 4 with its default settings, notebook 01, γ₀ slider: a pointermove that moves "
                      "the handle -> the PNG set after it loaded -> the next frame (requestAnimationFrame), "
                      "measured in the page (performance.now), one move at a time; painted_*: to the end of "
                      "that frame's main-thread work (style, layout, paint). median_ms and p95_ms: the moves "
                      "of one drag (press once, move, move, ..., release); press_move_release: every move "
                      "a press, one step and a release (each press and release restyles the whole page)",
              "moves": drag["moves"], "median_ms": drag["median_ms"], "p95_ms": drag["p95_ms"],
              "drag": drag, "press_move_release": measured["press-move-release"],
              "goal": "median <= 60 ms, p95 <= 100 ms"}
    path = REPO / "benchmarks" / "results.json"
    data = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
    data["browser"] = result
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    for style, m in measured.items():
        print(f"\nslider latency in JupyterLab ({style}): median {m['median_ms']} ms, p95 {m['p95_ms']} ms "
              f"over {m['moves']} moves (to the end of the frame: median {m['painted_median_ms']} ms, "
              f"p95 {m['painted_p95_ms']} ms)")
    assert page.evaluate(ui.BAD_OUTPUTS) == []
