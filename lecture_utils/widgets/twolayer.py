"""Notebook 06's live panel: a two-layer network trained on the moons, with learning-rate, width and iteration sliders.

Moving the learning rate, the hidden width or the activation trains a new
network (2000 gradient steps, ~0.1 s) and keeps the run in a cache; moving
the iteration slider only looks up a stored snapshot of that run, so it
costs one forward pass over a coarse grid plus a blitted redraw.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from ..plotting.style import COLORS, lecture_style
from ..plotting.twolayer import draw_cost_curve, draw_decision_boundary
from ..twolayer import (HIDDEN_ACTIVATIONS, TrainingRun, accuracy, chaotic_band, forward_propagation, make_moons,
                        train_two_layer)
from .core import LiveFigure, Panel, panel_layout, readout_html, slider

LEARNING_RATES = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
MAX_HIDDEN_UNITS = 16
RESOLUTION = 80  # grid points per axis of the decision-boundary picture


class TwoLayerPanel(Panel):
    """Sliders for the learning rate, the hidden width, the activation and the iteration shown."""

    def __init__(self, learning_rate: float = 1.0, hidden_units: int = 4, hidden_activation: str = "tanh",
                 max_iterations: int = 2000, record_every: int = 20) -> None:
        super().__init__()
        self.X, self.Y = make_moons(200, noise=0.15, seed=0)
        self.max_iterations = max_iterations
        self.record_every = record_every
        self.seed = 0
        self._runs: dict[tuple[float, int, str], TrainingRun] = {}
        style = {"description_width": "110px"}
        self.controls = {
            "learning_rate": widgets.SelectionSlider(options=list(LEARNING_RATES),
                                                     value=LEARNING_RATES[0], description="learning rate α",
                                                     continuous_update=True, style=style),
            "hidden_units": slider("int", "hidden units n¹", hidden_units, 1, MAX_HIDDEN_UNITS, 1),
            "hidden_activation": widgets.Dropdown(options=list(HIDDEN_ACTIVATIONS), value=HIDDEN_ACTIVATIONS[0],
                                                  description="activation g", style=style),
            "iteration": slider("int", "iteration shown", max_iterations, 0, max_iterations, record_every),
        }
        self.apply_arguments(learning_rate=learning_rate, hidden_activation=hidden_activation)  # checked, by name
        self.run = self._train()
        self._build_figure()
        self.readout = readout_html(5)
        self._watch()
        c = self.controls
        self.widget = panel_layout([[c["learning_rate"], c["hidden_units"]], [c["hidden_activation"], c["iteration"]]],
                                   self.live.image, self.readout)
        self.update()

    # --- math -------------------------------------------------------------
    def training_run(self, learning_rate: float, hidden_units: int, hidden_activation: str) -> TrainingRun:
        """The panel's full training run for these settings (trained once, then served from the cache)."""
        key = (float(learning_rate), int(hidden_units), str(hidden_activation))
        if key not in self._runs:
            self._runs[key] = train_two_layer(self.X, self.Y, key[1], key[0], self.max_iterations, key[2],
                                              seed=self.seed, record_every=self.record_every)
        return self._runs[key]

    def _train(self) -> TrainingRun:
        c = self.controls
        return self.training_run(c["learning_rate"].value, c["hidden_units"].value, c["hidden_activation"].value)

    @property
    def iteration(self) -> int:
        """The iteration whose parameters are shown (the last one if the run stopped early)."""
        return self.run.iteration_shown(min(int(self.controls["iteration"].value), self.run.num_steps))

    def _probabilities(self, points: np.ndarray) -> np.ndarray:
        A2, _ = forward_propagation(points, self.run.params_at(self.iteration), self.run.hidden_activation)
        return A2.ravel()

    # --- figure -----------------------------------------------------------
    def _build_figure(self) -> None:
        with lecture_style():
            fig = Figure(figsize=(11.25, 5.4), dpi=80, layout="constrained")  # 900 x 432 px
            ax_boundary, ax_cost = fig.subplots(1, 2, width_ratios=[1.15, 1])
            self.boundary = draw_decision_boundary(ax_boundary, self._probabilities, self.X, self.Y,
                                                   resolution=RESOLUTION, title="What the network predicts",
                                                   animated=True)
            self.cost = draw_cost_curve(ax_cost, self.run.costs, num_iterations=self.max_iterations,
                                        iteration=self.iteration, animated=True)
            self.stamp = ax_boundary.text(0.98, 0.97, "", transform=ax_boundary.transAxes, ha="right", va="top",
                                          fontsize=15, animated=True,
                                          bbox=dict(facecolor="white", edgecolor=COLORS["grey"], alpha=0.9))
        # The legends never change: drawn once and pasted over each frame as pixels (about 30 ms saved).
        legends = [a for a in self.boundary.overlay if isinstance(a, Legend)] + [self.cost.legend]
        self.live = LiveFigure(fig, overlays=legends)

    def update(self) -> None:
        """Train (or fetch from the cache) the run the controls describe, then redraw iteration k of it."""
        self.run = self._train()
        changed = self.boundary.update(self._probabilities(self.boundary.points))
        k = self.iteration
        changed += self.cost.update(self.run.costs, k, self._warning())
        self.stamp.set_text(f"iteration {k}: cost {self.run.costs[k]:.3f}, accuracy {self.accuracy():.1%}")
        self.live.animated = [a for a in changed if a not in self.live.overlays] + [self.stamp]
        self.live.render()
        self.readout.value = self._readout_html()

    # --- text -------------------------------------------------------------
    def accuracy(self) -> float:
        """Training accuracy of the network shown."""
        return accuracy(self.X, self.Y, self.run.params_at(self.iteration), self.run.hidden_activation)

    def _warning(self) -> str:
        costs = self.run.costs
        if self.run.diverged:
            return f"diverged after {self.run.num_steps} steps:\nthe weights blew up"
        if costs[-1] > costs[0]:
            return "learning rate too large:\nthe cost went UP"
        if np.any(np.diff(costs) > 1e-3):
            return "the cost jumps up at times:\nsteps overshoot"
        return ""

    def _readout_html(self) -> str:
        run, k = self.run, self.iteration
        c = self.controls
        parts = [html.escape(
            f"{c['hidden_activation'].value} network with {run.hidden_units} hidden "
            f"unit{'s' if run.hidden_units > 1 else ''}, "
            f"α = {run.learning_rate:g}: cost {run.costs[0]:.3f} → {run.costs[k]:.3f} after {k} steps, "
            f"training accuracy {self.accuracy():.1%}."),
            html.escape(
            "The dotted line ln 2 ≈ 0.693 is the cost of answering 0.5 for everyone (the small random start). "
            "A long flat stretch near 0.28 is a plateau where the network draws a straight line, "
            "just like logistic regression; more units or a larger α get it out sooner."),
        ]
        warning = self._warning().replace("\n", " ")
        if warning:
            parts.append(f"<b style='color:{COLORS['vermillion']}'>{html.escape(warning)}</b>")
        return "<div style='font-size:16px; line-height:1.4'>" + "<br>".join(parts) + "</div>"

    def summary(self) -> str:
        """Plain-text numbers of the run shown (printed under the panel for nbval)."""
        run, k = self.run, self.iteration
        return "\n".join([
            f"{run.hidden_activation} network, {run.hidden_units} hidden unit{'s' if run.hidden_units > 1 else ''}, "
            f"learning rate {run.learning_rate:g}, "
            f"{run.num_steps} steps{' (diverged)' if run.diverged else ''}",
            f"iteration shown: {k}; cost {run.costs[0]:.4f} -> {run.costs[k]:.4f}; "
            f"training accuracy {self.accuracy():.3f}",
            f"warning: {self._warning().replace(chr(10), ' ') or 'none'}",
        ])


SUMMARY_HEADER = f"{'α':>6} {'units':>5} {'g':>5} {'iteration':>9}   {'cost start -> shown':>19}   {'accuracy':>8}   warning"


def summary_row(panel: "TwoLayerPanel") -> str:
    """One line of the replay table under ``SUMMARY_HEADER``.

    A known chaotic run (``twolayer.chaotic_band``) shows the band its cost stays in instead of its final
    cost, and no accuracy: its exact values change with the smallest rounding difference (another CPU).
    """
    run, k = panel.run, panel.iteration
    band = chaotic_band(run.learning_rate, run.hidden_units, run.hidden_activation)
    if band is not None and k >= band.start:
        shown = f"{run.costs[0]:.4f} -> {band.low:g} to {band.high:g}"
        accuracy = "-"
    else:
        shown = f"{run.costs[0]:.4f} -> {run.costs[k]:.4f}"
        accuracy = f"{panel.accuracy():.3f}"
    warning = panel._warning().split(":")[0] or "none"
    return (f"{run.learning_rate:6g} {run.hidden_units:5d} {run.hidden_activation:>5} {k:9d}   {shown:>19}   "
            f"{accuracy:>8}   {warning}")
