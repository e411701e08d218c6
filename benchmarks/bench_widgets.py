"""Slider moves: kernel-side time of ``panel.set(...)`` for every live panel, and the naive baseline.

Every ``Panel`` subclass in ``lecture_utils.widgets.*`` is found automatically
and built with its defaults. Each control is then swept over its range the
way an instructor drags it (sliders from min to max, drop-downs and
selection sliders through every option), one ``panel.set`` per move, and the
other controls are put back afterwards. One move is everything the kernel
does for a slider event: the callback, the redraw and the PNG bytes sent to
the browser.

For notebook 01's 1D panel the same run also times, interleaved move by move:
- the naive pattern: an ``interact`` callback that builds a new pyplot figure
  and lets the inline backend render it (``savefig(..., bbox_inches="tight")``
  into a PNG, then ``close``), drawing the same picture with the same code;
- the panel with blitting switched off (the figure is reused, but fully
  redrawn on every move);
and PNG encoders (bytes and milliseconds): the one the panels use, which compresses
again only the bands of rows a move changed (timed on frames a γ₀ move apart), and
whole-image encoders on the panel's final canvas.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import itertools
import io
import math
import pkgutil
import time
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")  # before pyplot: the benchmark never opens a window

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

import lecture_utils.widgets as widgets_package  # noqa: E402
from lecture_utils.widgets.core import Panel  # noqa: E402
from lecture_utils.widgets.png import PngEncoder, encode_png  # noqa: E402

from .timing import interleaved, ratio, summarize, timed  # noqa: E402


# --- the reference encoder -----------------------------------------------------------------------

def encode_png_pillow(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas's pixels encoded by Pillow: the reference the panels' own encoder is timed against."""
    pixels = np.asarray(canvas.buffer_rgba())
    buffer = io.BytesIO()
    PILImage.fromarray(pixels[..., :3]).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


# --- discovery -------------------------------------------------------------------------------------

def discover_panels() -> list[type]:
    """Every concrete ``Panel`` subclass defined in a module of ``lecture_utils.widgets`` (sorted by module)."""
    found = []
    for info in sorted(pkgutil.iter_modules(widgets_package.__path__), key=lambda i: i.name):
        if info.name == "core":
            continue
        module = importlib.import_module(f"{widgets_package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Panel) and cls is not Panel and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def _snap(control: widgets.ValueWidget, value: float) -> float:
    """``value`` moved onto the slider's step grid inside [min, max], as the browser would send it."""
    low, high, step = control.min, control.max, control.step or 0
    if step:
        value = low + round((value - low) / step) * step
    value = min(max(value, low), high)
    if isinstance(control, widgets.IntSlider):
        return int(round(value))
    return round(float(value), 10)


def sweep_values(control: widgets.ValueWidget, moves: int) -> list[Any]:
    """``moves`` values spread over a control's range (min to max), or its options in turn."""
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
        return [_snap(control, v) for v in np.linspace(control.min, control.max, max(moves, 2))]
    options = getattr(control, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return [values[i % len(values)] for i in range(max(moves, len(values)))]
    if isinstance(control, widgets.Checkbox):
        return [bool(i % 2) for i in range(1, max(moves, 2) + 1)]
    return []  # a control kind this benchmark does not know how to move


def move_plan(panel: Panel, total_moves: int) -> list[tuple[str, list[Any]]]:
    """Which control gets which values: ``total_moves`` shared out over the controls (at least 2 each)."""
    names = list(panel.controls)
    per_control = max(2, math.ceil(total_moves / max(len(names), 1)))
    return [(name, sweep_values(panel.controls[name], per_control)) for name in names]


def time_panel(cls: type, total_moves: int = 60) -> dict:
    """Build one panel with its defaults and time ``total_moves`` (at least) slider moves over all its controls."""
    start = time.perf_counter()
    panel = cls()
    build = time.perf_counter() - start
    gc.collect()
    all_moves: list[float] = []
    per_control = {}
    for name, values in move_plan(panel, total_moves):
        if not values:
            per_control[name] = {"skipped": f"cannot move a {type(panel.controls[name]).__name__}"}
            continue
        initial = panel.controls[name].value
        times = []
        for value in values:
            times.append(timed(lambda: panel.set(**{name: value})))
        panel.set(**{name: initial})
        per_control[name] = summarize(times)
        all_moves.extend(times)
    png = panel.live.png
    width, height = (int(round(x)) for x in panel.live.fig.get_size_inches() * panel.live.fig.dpi)
    result = {"module": cls.__module__, **summarize(all_moves), "build_s": round(build, 3),
              "png_kb": round(len(png) / 1024, 1), "pixels": f"{width}x{height}", "controls": per_control}
    plt.close("all")
    return result


# --- notebook 01: the naive baseline and the pieces of a move ----------------------------------------

def naive_1d_move(panel: Any, gamma: float) -> bytes:
    """What ``interact`` + the inline backend do on one move of the 1D panel: a new pyplot figure, tight PNG."""
    from lecture_utils.descent import gradient_descent, step_size_landmarks
    from lecture_utils.plotting.descent import draw_descent_1d, draw_loss_curves, draw_step_size_ruler
    from lecture_utils.plotting.style import lecture_style

    c = panel.controls
    trajectory = gradient_descent(panel.objective.grad, c["w0"].value, gamma, c["num_steps"].value,
                                  f=panel.objective.value)
    with lecture_style():
        fig = plt.figure(figsize=panel.live.fig.get_size_inches(), dpi=panel.live.fig.dpi, layout="constrained")
        grid = fig.add_gridspec(2, 2, height_ratios=[4, 1])
        ax_curve, ax_loss = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        draw_descent_1d(ax_curve, panel.objective, trajectory)
        draw_loss_curves(ax_loss, [trajectory], ["$f(w_k) - f^*$"])
        ax_loss.set_xlim(0, c["num_steps"].value)
        ruler = draw_step_size_ruler(fig.add_subplot(grid[1, :]), step_size_landmarks(panel.objective.curvature))
        ruler.update(gamma, trajectory.step_sizes)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def baseline_1d(moves: int = 60, encode_repeats: int = 30) -> dict:
    """Notebook 01's panel against the naive pattern and against full redraws, interleaved over a γ₀ sweep."""
    from lecture_utils.widgets.descent import GradientDescent1DPanel

    panel = GradientDescent1DPanel()
    gammas = sweep_values(panel.controls["gamma"], moves)
    times: dict[str, list[float]] = {"panel": [], "full_redraw": [], "naive": []}

    def full_redraw(g: float) -> None:
        panel.live.invalidate()
        panel.set(gamma=g)

    for g in gammas:
        times["panel"].append(timed(lambda: panel.set(gamma=g)))
        times["full_redraw"].append(timed(lambda: full_redraw(g)))
        times["naive"].append(timed(lambda: naive_1d_move(panel, g)))
    canvas = panel.live.canvas
    frames = []
    for g in (0.5, 0.9):  # two frames a γ₀ move apart: encoding one after the other is what a move costs
        panel.set(gamma=g)
        frames.append(np.asarray(canvas.buffer_rgba()).copy())
    by_bands, turn = PngEncoder(), itertools.cycle(frames)
    encoders: dict[str, Callable[[], bytes]] = {
        "bands_level1 (used)": lambda: by_bands.encode(next(turn)),
        "own_level1 (whole image)": lambda: encode_png(canvas, 1),
        "own_level0": lambda: encode_png(canvas, 0),
        "pillow_level1": lambda: encode_png_pillow(canvas, 1),
        "pillow_level6": lambda: encode_png_pillow(canvas, 6),
    }
    encode_times = interleaved(encoders, encode_repeats)
    encoding = {name: {**summarize(encode_times[name]), "kb": round(len(fn()) / 1024, 1)}
                for name, fn in encoders.items()}
    summary = {name: summarize(t) for name, t in times.items()}
    plt.close("all")
    return {
        "moves": len(gammas),
        "times": summary,
        "speedup_vs_naive": ratio(summary["naive"]["median_ms"], summary["panel"]["median_ms"]),
        "speedup_vs_full_redraw": ratio(summary["full_redraw"]["median_ms"], summary["panel"]["median_ms"]),
        "encoding": encoding,
        "encode_speedup_vs_pillow": ratio(encoding["pillow_level1"]["median_ms"],
                                          encoding["bands_level1 (used)"]["median_ms"]),
    }


def run(moves: int = 60, encode_repeats: int = 30) -> dict:
    """The whole widget benchmark: every panel, then notebook 01's baselines."""
    panels = {}
    for cls in discover_panels():
        try:
            panels[cls.__name__] = time_panel(cls, moves)
        except Exception as error:  # a panel under construction must not stop the other measurements
            panels[cls.__name__] = {"module": cls.__module__, "error": f"{type(error).__name__}: {error}"}
    return {"moves_per_panel": moves, "panels": panels, "baseline_1d": baseline_1d(moves, encode_repeats),
            "momentum_drags": momentum_drags(moves)}


# --- notebook 07: the drags a student makes on the momentum panel ------------------------------------------
MOMENTUM_GOAL_MS = 25  # kernel-side time of one γ or β move, at the longest run the panel offers


def momentum_drags(moves: int = 60) -> dict:
    """Notebook 07's panel: γ and β each dragged over their range, one ``set`` a move, at the default
    run length (100 steps) and at the longest the steps slider allows (400)."""
    from lecture_utils.widgets.momentum import MomentumPanel

    result: dict[str, Any] = {"goal_ms": MOMENTUM_GOAL_MS}
    for steps in (100, 400):
        panel = MomentumPanel(num_steps=steps)
        for name in ("gamma", "beta"):
            values = sweep_values(panel.controls[name], moves)
            result[f"{name}_{steps}_steps"] = summarize([timed(lambda v=v: panel.set(**{name: v})) for v in values])
    plt.close("all")
    return result
