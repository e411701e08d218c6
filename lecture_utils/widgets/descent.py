"""Notebook 01's live panel: gradient descent on (w - 6)^2 with step-size, decay, start and step sliders."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..descent import Trajectory, gradient_descent, run_behaviour, step_size_landmarks, step_size_regime
from ..functions import LECTURE_1D
from ..plotting.descent import draw_descent_1d, draw_loss_curves, draw_step_size_ruler, loss_gap
from ..plotting.style import lecture_style
from ..schedules import SCHEDULE_NAMES, Schedule, make_schedule
from .core import LiveFigure, Panel, button_row, panel_layout, readout_html, readout_text, reshape_slider, slider

# Decay-slider settings per schedule: (label, min, max, step, default).
DECAY_SETTINGS = {
    "constant": ("decay (off)", 0.5, 1.0, 0.01, 0.9),
    "exponential": ("rate r", 0.5, 1.0, 0.01, 0.9),
    "inverse-time": ("decay d", 0.0, 2.0, 0.05, 0.2),
    "step": ("factor", 0.1, 1.0, 0.05, 0.5),
}
SCHEDULE_FORMULAS = {
    "constant": "γ<sub>k</sub> = γ<sub>0</sub>",
    "exponential": "γ<sub>k</sub> = γ<sub>0</sub> r<sup>k</sup>",
    "inverse-time": "γ<sub>k</sub> = γ<sub>0</sub> / (1 + d k)",
    "step": "γ<sub>k</sub> = γ<sub>0</sub> · factor<sup>⌊k/5⌋</sup>",
}
STEP_EVERY = 5
LANDMARKS = ((0.1, "0.1 lecture"), (0.5, "0.5 one step"), (0.9, "0.9 zig-zag"),
             (1.0, "1.0 forever"), (1.05, "1.05 diverges"))
WARNINGS = {  # what the plot says about a run (descent.run_behaviour); nothing for a run that makes progress
    "diverged": "diverged after {k} steps:\nevery step overshoots further",
    "growing": "diverging: f grows as\nevery step overshoots further",
    "no progress": "no progress: the iterates\noscillate forever",
    "stalled": "stalled: the step decays to\nnearly 0 before reaching the minimum",
    "progress": "",
}
REGIME_TEXT = {
    "monotone": "each step keeps a fraction 1 − 2γ of the distance to {c:g}: the iterates creep in from one side",
    "one step": "1 − 2γ = 0: the first step lands exactly on the minimum w = {c:g}",
    "oscillating, converging": "1 − 2γ is negative: each step overshoots to the other side, by less each time",
    "endless oscillation": "1 − 2γ = −1: every step overshoots by exactly the distance it had, forever "
                           "({w0:g}, {mirror:g}, {w0:g}, …)",
    "diverging": "|1 − 2γ| > 1: every step overshoots by more than the last, and the iterates blow up",
}


class GradientDescent1DPanel(Panel):
    """Sliders for γ₀, schedule, decay, w⁽⁰⁾ and steps over a live picture of descent on (w − 6)²."""

    def __init__(self, gamma: float = 0.1, w0: float = 23.0, num_steps: int = 10, schedule: str = "constant") -> None:
        super().__init__()
        self.objective = LECTURE_1D  # the lecture's (w - 6)^2: the landmarks and texts are written for it
        self.controls = {
            "gamma": slider("float", "γ₀ (step size)", 0.1, 0.01, 1.2, 0.01),
            "schedule": widgets.Dropdown(options=list(SCHEDULE_NAMES), value="constant", description="schedule",
                                         style={"description_width": "110px"}),
            "decay": slider("float", DECAY_SETTINGS["constant"][0], 0.9, 0.5, 1.0, 0.01),
            "w0": slider("float", "start w⁽⁰⁾", 23.0, -10.0, 23.0, 0.5, ".1f"),
            "num_steps": slider("int", "steps", 10, 1, 100, 1),
        }
        self.controls["decay"].disabled = True
        self.controls["schedule"].observe(self._on_schedule, names="value")  # reshapes the decay slider
        self.apply_arguments(schedule=schedule, gamma=gamma, w0=w0, num_steps=num_steps)
        self.trajectory: Trajectory = self._run()
        self._build_figure()
        self.readout = readout_html(5)
        buttons = []
        for value, label in LANDMARKS:
            button = widgets.Button(description=label)
            button.on_click(lambda _b, v=value: self.set(gamma=v))
            buttons.append(button)
        self._watch()
        self.widget = panel_layout(
            [[self.controls[n] for n in ("gamma", "schedule", "decay")], [self.controls[n] for n in ("w0", "num_steps")]],
            button_row("landmarks:", buttons), self.live.image, self.readout)
        self.update()

    # --- math -------------------------------------------------------------
    def schedule(self) -> Schedule:
        """The step-size schedule the controls describe."""
        c = self.controls
        return make_schedule(c["schedule"].value, c["gamma"].value, c["decay"].value, STEP_EVERY)

    def _run(self) -> Trajectory:
        c = self.controls
        return gradient_descent(self.objective.grad, c["w0"].value, self.schedule(), c["num_steps"].value,
                                f=self.objective.value)

    # --- figure -----------------------------------------------------------
    def _build_figure(self) -> None:
        with lecture_style():
            fig = Figure(figsize=(11, 5.5), dpi=80, layout="constrained")  # 880 x 440 px: with its readout in 768 px
            grid = fig.add_gridspec(2, 2, height_ratios=[4, 1])
            ax_curve, ax_loss = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
            ax_ruler = fig.add_subplot(grid[1, :])
            self.curve = draw_descent_1d(ax_curve, self.objective, self.trajectory, animated=True)
            (self.loss_line,) = draw_loss_curves(ax_loss, [self.trajectory], ["$f(w^{(k)}) - f^*$, $f^* = 0$"], animated=True,
                                               floor_note=True)
            ax_loss.get_legend().remove()  # one line: the y label says what it is
            ax_loss.set_xlim(0, self.controls["num_steps"].value)
            self.ruler = draw_step_size_ruler(ax_ruler, step_size_landmarks(self.objective.curvature), animated=True)
        self.ax_loss = ax_loss
        legend = ax_curve.get_legend()  # an overlay: pasted over the path, so the path never hides it
        animated = [self.curve.path, self.curve.arrows, self.curve.start, self.curve.message,
                    self.loss_line, self.ruler.used, self.ruler.marker, self.ruler.label]
        self.live = LiveFigure(fig, animated, overlays=[legend])
        self._steps_drawn = self.controls["num_steps"].value

    def _on_schedule(self, change: dict) -> None:
        label, low, high, step, default = DECAY_SETTINGS[change["new"]]
        with self.muted():  # range, value, label and state reach the browser as one message
            reshape_slider(self.controls["decay"], low, high, step, default, description=label,
                           disabled=change["new"] == "constant")

    def update(self) -> None:
        """Re-run gradient descent from the controls and redraw the changing artists."""
        self.trajectory = self._run()
        steps = self.controls["num_steps"].value
        if steps != self._steps_drawn:
            self.ax_loss.set_xlim(0, steps)
            self._steps_drawn = steps
            self.live.invalidate(self.ax_loss)  # only the loss axes' ticks change
        self.curve.update(self.trajectory, self.warning())
        gap = loss_gap(self.trajectory)
        self.loss_line.set_data(np.arange(len(gap)), np.clip(gap, 1e-16, 1e6))
        self.ruler.update(self.controls["gamma"].value, self.trajectory.step_sizes)
        self.live.render()
        self.readout.value = self._readout_html()

    # --- text -------------------------------------------------------------
    def warning(self) -> str:
        """The message over the plot when the run diverged, grew, oscillated or stalled; empty otherwise."""
        return WARNINGS[run_behaviour(self.trajectory)].format(k=self.trajectory.num_steps)

    def regime(self) -> str:
        """The landmark regime of the starting step size γ₀ on this quadratic."""
        return step_size_regime(self.controls["gamma"].value, self.objective.curvature)

    def _readout_html(self) -> str:
        c = self.controls
        name = c["schedule"].value
        center, w0 = self.objective.center, c["w0"].value
        regime = REGIME_TEXT[self.regime()].format(c=center, w0=w0, mirror=2 * center - w0)
        kept = "" if name == "constant" else "as a constant step, "
        parts = [f"<b>{SCHEDULE_FORMULAS[name]}</b>, γ<sub>0</sub> = {c['gamma'].value:.2f}: "
                 f"{kept}{html.escape(regime)}."]
        if name != "constant":
            parts.append(f"With decay the step shrinks to γ<sub>{self.trajectory.num_steps - 1}</sub> = "
                         f"{self.trajectory.step_sizes[-1]:.3g} by the last step, so the regime can change on the way.")
        parts.append(html.escape(readout_text(self.trajectory.describe())) + ".")
        return "<div style='font-size:16px; line-height:1.4'>" + "<br>".join(parts) + "</div>"

    def summary(self) -> str:
        """Plain-text numbers of the current run (printed under the panel for nbval)."""
        t = self.trajectory
        w = t.iterates.reshape(-1)
        shown = ", ".join(f"{x:.4f}" for x in w[:6]) + (", ..." if len(w) > 6 else "")
        return "\n".join([
            f"schedule: {self.schedule()!r}, w⁽⁰⁾ = {w[0]:g}, steps = {self.controls['num_steps'].value}",
            f"gamma0 as a constant step: {self.regime()}",
            f"iterates: {shown}",
            f"result: {t.describe()}",
        ])
