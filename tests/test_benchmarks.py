"""The benchmarks run and write well-formed results (tiny sizes; no timing is asserted here)."""

import io
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_backprop, bench_notebooks, bench_widgets, run  # noqa: E402
from benchmarks.timing import interleaved, ratio, summarize  # noqa: E402
from lecture_utils.widgets.core import Panel  # noqa: E402
from lecture_utils.widgets.png import encode_png  # noqa: E402

pytestmark = pytest.mark.slow  # make test-slow: the benchmark scripts run end to end on tiny inputs
from lecture_utils.widgets.descent import GradientDescent1DPanel  # noqa: E402


def is_timing(entry):
    return (set(entry) >= {"median_ms", "p95_ms", "min_ms", "n"}
            and 0 <= entry["min_ms"] <= entry["median_ms"] <= entry["p95_ms"] and entry["n"] >= 1)


def test_summarize_and_ratio():
    s = summarize([0.001, 0.002, 0.003, 0.004, 0.100])
    assert s["median_ms"] == 3.0 and s["min_ms"] == 1.0 and s["n"] == 5
    assert 4.0 < s["p95_ms"] <= 100.0
    assert ratio(10.0, 4.0) == 2.5 and ratio(None, 1.0) is None and ratio(1.0, 0.0) is None
    times = interleaved({"a": lambda: None, "b": lambda: None}, 3)
    assert set(times) == {"a", "b"} and all(len(t) == 3 for t in times.values())


def test_interleaved_batches_report_seconds_per_call():
    calls_made = {"a": 0, "b": 0}

    def sleeper(name, seconds):
        def call():
            calls_made[name] += 1
            time.sleep(seconds)
        return call

    times = interleaved({"a": sleeper("a", 0.001), "b": sleeper("b", 0.0)}, 2, calls={"a": 4, "b": 1})
    assert calls_made == {"a": 10, "b": 4} and all(len(t) == 2 for t in times.values())  # one untimed call per batch
    assert all(0.001 <= t < 0.004 for t in times["a"])  # one call's time, not the batch's (>= 4 ms)


def test_own_png_encoder_is_lossless_and_matches_pillow():
    panel = GradientDescent1DPanel(gamma=0.9)
    pixels = np.asarray(panel.live.canvas.buffer_rgba())[..., :3]
    for level in (0, 1, 6):
        mine = Image.open(io.BytesIO(encode_png(panel.live.canvas, level)))
        assert mine.mode == "RGB" and mine.size == (pixels.shape[1], pixels.shape[0])
        np.testing.assert_array_equal(np.asarray(mine), pixels)
    theirs = Image.open(io.BytesIO(bench_widgets.encode_png_pillow(panel.live.canvas)))
    np.testing.assert_array_equal(np.asarray(theirs), pixels)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(panel.live.png))), pixels)  # what the panel sends


def pixels_of(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_live_figure_freezes_layout_after_first_draw():
    panel = GradientDescent1DPanel()
    positions = [ax.get_position().bounds for ax in panel.live.fig.axes]
    panel.live.invalidate()
    panel.set(num_steps=100)  # a full redraw, with the axes where they were
    assert [ax.get_position().bounds for ax in panel.live.fig.axes] == positions
    assert panel.live.png.startswith(b"\x89PNG")


@pytest.mark.parametrize("steps", [1, 7, 100])
def test_redrawing_one_axes_gives_the_same_picture_as_a_full_redraw(steps):
    panel = GradientDescent1DPanel(num_steps=10)
    panel.set(num_steps=50)  # first change of the loss axes: a full redraw that learns its extent
    assert panel.ax_loss in panel.live._extents
    full_draws = []
    draw = panel.live.canvas.draw
    panel.live.canvas.draw = lambda *args, **kwargs: (full_draws.append(1), draw(*args, **kwargs))
    panel.set(num_steps=steps)  # the loss axes' x-range changes: only that axes is redrawn
    assert full_draws == [] and panel.live._stale_axes == [] and panel.ax_loss.get_xlim() == (0, steps)
    partial = pixels_of(panel.live.png)
    panel.live.invalidate()
    panel.live.render()
    np.testing.assert_array_equal(partial, pixels_of(panel.live.png))


def test_discovery_finds_every_panel_and_sweeps_cover_the_ranges():
    panels = bench_widgets.discover_panels()
    assert GradientDescent1DPanel in panels
    assert all(issubclass(cls, Panel) and cls is not Panel for cls in panels)
    panel = GradientDescent1DPanel()
    gammas = bench_widgets.sweep_values(panel.controls["gamma"], 50)
    assert len(gammas) == 50 and gammas[0] == panel.controls["gamma"].min and gammas[-1] == panel.controls["gamma"].max
    steps = bench_widgets.sweep_values(panel.controls["num_steps"], 7)
    assert all(isinstance(s, int) for s in steps) and steps[0] == 1 and steps[-1] == 100
    schedules = bench_widgets.sweep_values(panel.controls["schedule"], 6)
    assert set(schedules) == set(panel.controls["schedule"].options)
    plan = bench_widgets.move_plan(panel, 50)
    assert [name for name, _ in plan] == list(panel.controls)
    assert sum(len(values) for _, values in plan) >= 50


def test_panel_timing_and_naive_baseline_are_well_formed():
    result = bench_widgets.time_panel(GradientDescent1DPanel, total_moves=5)
    width, height = GradientDescent1DPanel().live.canvas.get_width_height()  # the panel's own figure size
    assert is_timing(result) and result["n"] >= 5 and result["png_kb"] > 1 and result["pixels"] == f"{width}x{height}"
    assert set(result["controls"]) == {"gamma", "schedule", "decay", "w0", "num_steps"}
    base = bench_widgets.baseline_1d(moves=2, encode_repeats=2)  # the naive pattern included
    assert all(is_timing(t) for t in base["times"].values())
    assert all(is_timing(e) and e["kb"] > 0 for e in base["encoding"].values())
    assert base["speedup_vs_naive"] > 0 and base["encode_speedup_vs_pillow"] > 0


def test_backprop_benchmark_on_tiny_shapes():
    result = bench_backprop.run(ns=(16,), ps=(3,), ms=(4,), budget_s=0.001, min_repeats=2, notebook_shapes=((3, 2, 4),))
    assert set(result["activations"]) == set(bench_backprop.ACTIVATIONS) == {"relu", "tanh"}
    for name, summary in result["activations"].items():
        (shape,) = summary["shapes"]
        assert summary["activation"] == name
        assert (shape["n"], shape["p"], shape["m"]) == (16, 3, 4) and shape["repeats"] >= 2
        assert shape["calls_per_sample"] >= 1 and shape["numpy_unchecked_ms"] > 0 and summary["unchecked_max_vs_floor"] > 0
        assert shape["numpy_ms"] > 0 and shape["floor_ms"] > 0 and shape["vs_floor"] > 0
        assert shape["activation_ms"] >= 0  # rounded to the microsecond: tanh of 16 x 4 numbers can round to 0
        assert shape["vs_floor_and_activation"] <= shape["vs_floor"]  # a floor plus a time >= 0 is no lower
        assert shape["tuned_ms"] > 0 and shape["tuned_speedup"] > 0 and summary["geomean_tuned_speedup"] > 0
        assert [(s["n"], s["p"], s["m"]) for s in summary["notebook_shapes"]] == [(3, 2, 4)]
        assert summary["geomean_floor_and_activation_vs_floor"] >= 1  # 1 when the activation rounds to 0 ms
        if result["torch_version"] is None:
            assert shape["torch_ms"] is None and summary["geomean_vs_torch"] is None
        else:
            assert shape["vs_torch"] > 0 and summary["agreement_with_torch"] < 1e-10
    assert bench_backprop.geometric_mean([1.0, 4.0]) == 2.0 and bench_backprop.geometric_mean([]) is None


def test_floor_computes_the_products_of_the_pass():
    X, Y, Theta, beta = bench_backprop.make_problem(8, 3, 5)
    P, Y_hat, dTheta_shape = bench_backprop.floor_pass(X, Theta, beta)()
    assert P.shape == (8, 5) and Y_hat.shape == (8,) and dTheta_shape.shape == Theta.shape
    np.testing.assert_allclose(P, X @ Theta.T, rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("n, p, m, rows", [(50, 3, 6, 7), (50, 3, 6, None), (64, 2, 16, 16), (600, 3, 256, None)])
def test_tuned_kernel_computes_the_plain_pass(activation, n, p, m, rows):
    """The exhibit is only worth timing if it computes the same numbers, block by block or whole."""
    from benchmarks.tuned_backprop import tuned_loss_and_gradients
    from lecture_utils.network import loss_and_gradients

    X, Y, Theta, beta = bench_backprop.make_problem(n, p, m, seed=n + m)
    plain = loss_and_gradients(X, Y, Theta, beta, activation)
    tuned = tuned_loss_and_gradients(X, Y, Theta, beta, activation, rows=rows)
    assert tuned[0] == pytest.approx(plain[0], rel=1e-12)
    np.testing.assert_allclose(tuned[1], plain[1], rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(tuned[2], plain[2], rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("name, g", [("tanh", np.tanh), ("relu", lambda P: np.maximum(P, 0.0))])
def test_activation_floor_is_the_activation_of_the_pass(name, g):
    X, Y, Theta, beta = bench_backprop.make_problem(8, 3, 5)
    np.testing.assert_allclose(bench_backprop.activation_pass(X, Theta, name)(), g(X @ Theta.T), rtol=1e-12)


def test_notebook_benchmark_on_a_tiny_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("x + 1")])
    path = tmp_path / "00_tiny.ipynb"
    nbformat.write(nb, path)
    result = bench_notebooks.time_notebooks([path], repeats=1)
    entry = result["notebooks"]["00_tiny.ipynb"]
    assert entry["median_s"] > 0 and entry["max_s"] >= entry["median_s"] and result["setup_cell_only_s"] > 0
    assert nbformat.read(path, as_version=4).cells[1].outputs == []  # nothing written back


def test_make_test_command_is_read_from_the_makefile(tmp_path):
    command = bench_notebooks.make_test_command()
    assert command[1:3] == ["-m", "pytest"] and "--nbval" in command and "notebooks" in command
    makefile = tmp_path / "Makefile"
    makefile.write_text("test: install\n\t$(PYTEST) -q tests\n")
    assert bench_notebooks.make_test_command(makefile, "py") == ["py", "-m", "pytest", "-q", "tests"]
    makefile.write_text("lab:\n\tjupyter lab\n")
    with pytest.raises(ValueError, match="test"):
        bench_notebooks.make_test_command(makefile)


def test_results_are_merged_keeping_other_keys(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"browser": {"kept": True}, "widgets": {"old": 1}}))
    merged = run.write_results({"backprop": {"x": 1}, "widgets": {"new": 2}}, path)
    on_disk = json.loads(path.read_text())
    assert on_disk == merged == {"browser": {"kept": True}, "widgets": {"new": 2}, "backprop": {"x": 1}}
    assert run.read_results(tmp_path / "missing.json") == {}


def test_table_reports_every_section():
    backprop = bench_backprop.run(ns=(16,), ps=(3,), ms=(4,), budget_s=0.001, min_repeats=2)
    text = run.table({"backprop": backprop}, ("backprop",))
    assert "matrix-product floor" in text and text.count("\n") >= 3
    assert text.count("backprop (relu)") == text.count("backprop (tanh)") >= 3
    assert "16x3x4" in run.backprop_table(backprop["activations"]["tanh"])
    with run.environment({"LECTURE_BENCH_PROBE": "1"}):
        assert os.environ["LECTURE_BENCH_PROBE"] == "1"
    assert "LECTURE_BENCH_PROBE" not in os.environ


def test_command_line_writes_the_results_file(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"browser": {"kept": True}}))
    assert run.main(["--quick", "--only", "backprop", "--output", str(path)]) == 0
    results = json.loads(path.read_text())
    assert results["browser"] == {"kept": True}
    assert all(len(summary["shapes"]) == 2 for summary in results["backprop"]["activations"].values())
    assert results["backprop"]["measured"]["date"]
    assert results["machine"]["cpus"] >= 1
    printed = capsys.readouterr().out
    assert "| backprop" in printed and "64x3x4" in printed


def test_legend_overlay_stays_on_top_of_the_path():
    panel = GradientDescent1DPanel(gamma=1.0, w0=-10.0, num_steps=20)  # the path crosses the legend
    legend = panel.curve.ax.get_legend()
    assert legend in panel.live.overlays and legend not in panel.live.animated
    box = legend.get_window_extent(panel.live.canvas.get_renderer())
    height = panel.live.canvas.get_width_height()[1]  # pixel rows count from the top, display y from the bottom
    rows = slice(int(height - box.y1) + 3, int(height - box.y0) - 3)
    cols = slice(int(box.x0) + 3, int(box.x1) - 3)
    with_path = pixels_of(panel.live.png)[rows, cols]
    panel.set(gamma=0.1, w0=0.0, num_steps=1)  # a short path far below the legend
    np.testing.assert_array_equal(with_path, pixels_of(panel.live.png)[rows, cols])
