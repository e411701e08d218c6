"""Notebook 03's live panel: full-batch gradient descent on a noisy sine with γ, decay, width m and activation."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..activations import ACTIVATION_NAMES
from ..network import TrainingRun, basis_functions, init_params, noisy_sine, train, with_constant_feature
from ..plotting.network import BASIS_CAPACITY, draw_training
from ..plotting.style import lecture_style
from ..schedules import make_schedule
from .core import LiveFigure, Panel, panel_layout, readout_html, readout_text, slider

CACHE_SIZE = 256  # training runs remembered, so moving a slider back is instant
N, NOISE, SEED, NUM_STEPS = 40, 0.15, 0, 1000  # notebook 03's noisy sine and the length of every run


class NetworkTrainingPanel(Panel):
    """Sliders for γ, decay d (γ_k = γ / (1 + d k)), hidden width m and activation over a live training run."""

    def __init__(self, gamma: float = 0.003, decay: float = 0.0, m: int = 8, activation: str = "tanh") -> None:
        super().__init__()
        self.x, self.y = noisy_sine(N, NOISE, SEED)
        self.X = with_constant_feature(self.x)
        self.grid = np.linspace(-3.2, 3.2, 161)
        self.X_grid = with_constant_feature(self.grid)
        self.noise_floor = N * NOISE**2
        self.seed = SEED
        self.num_steps = NUM_STEPS
        self.controls = {
            "gamma": slider("float", "γ (step size)", gamma, 0.0005, 0.02, 0.0005, ".4f"),
            "decay": slider("float", "decay d", decay, 0.0, 0.05, 0.001, ".3f"),
            "m": slider("int", "hidden width m", m, 1, BASIS_CAPACITY, 1),
            "activation": widgets.Dropdown(options=list(ACTIVATION_NAMES), value=ACTIVATION_NAMES[0],
                                           description="activation g", style={"description_width": "110px"}),
        }
        self.apply_arguments(activation=activation)  # a bad name: ValueError naming it and the options
        self._inits: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._runs: OrderedDict[tuple, TrainingRun] = OrderedDict()
        self.run = self._train()
        self._build_figure()
        self.readout = readout_html(3)
        self._watch()
        c = self.controls
        self.widget = panel_layout([[c["gamma"], c["decay"]], [c["m"], c["activation"]]], self.live.image, self.readout)
        self.update()

    # --- math -------------------------------------------------------------
    def _key(self) -> tuple:
        c = self.controls
        return (round(c["gamma"].value, 6), round(c["decay"].value, 6), c["m"].value, c["activation"].value)

    def _train(self) -> TrainingRun:
        key = self._key()
        if key in self._runs:
            self._runs.move_to_end(key)
            return self._runs[key]
        gamma, decay, m, activation = key
        if m not in self._inits:
            self._inits[m] = init_params(m, 2, self.seed)
        Theta0, beta0 = self._inits[m]
        run = train(self.X, self.y, Theta0, beta0, activation, make_schedule("inverse-time", gamma, decay),
                    self.num_steps)
        self._runs[key] = run
        if len(self._runs) > CACHE_SIZE:
            self._runs.popitem(last=False)
        return run

    def contributions(self) -> Optional[np.ndarray]:
        """The (grid, m) terms β_j g(θ_jᵀ[x, 1]) of the current run, or None if it diverged."""
        if self.run.diverged:
            return None
        return basis_functions(self.X_grid, self.run.Theta, self.run.beta, self.run.activation)

    # --- figure -----------------------------------------------------------
    def _build_figure(self) -> None:
        with lecture_style():
            fig = Figure(figsize=(11.25, 5.2), dpi=80, layout="constrained")  # 900 x 416 px
            ax_loss, ax_fit = fig.subplots(1, 2, width_ratios=[1, 1.35])  # room for the fit's title
            self.artists = draw_training(ax_loss, ax_fit, self.x, self.y, self.grid, self.run, self.contributions(),
                                         self.num_steps, self.noise_floor, np.sin(self.grid), animated=True)
        self.live = LiveFigure(fig, self.artists.artists)

    def update(self) -> None:
        """Train (or fetch the cached run) for the controls and redraw the changing artists."""
        self.run = self._train()
        self.artists.update(self.run, self.contributions())
        self.live.render()
        self.readout.value = self._readout_html()

    # --- text -------------------------------------------------------------
    def _verdict(self) -> str:
        run = self.run
        if run.diverged:
            return "diverged"
        ratio = run.losses[-1] / self.noise_floor
        if ratio < 0.8:
            return "below the noise floor: it starts fitting the noise"
        if ratio < 1.5:
            return "close to the noise floor: a good fit"
        return "well above the noise floor: not fitted yet (or the model cannot)"

    def _readout_html(self) -> str:
        c = self.controls
        run = self.run
        lines = [f"<b>γ<sub>k</sub> = {c['gamma'].value:.4f} / (1 + {c['decay'].value:.3f} k)</b>, "
                 f"m = {c['m'].value} units of g = {c['activation'].value}: {readout_text(run.describe())}."]
        if run.diverged:
            lines.append("The summed loss grows with n and m, so wider networks need smaller steps.")
        else:
            lines.append(f"Final loss / noise floor nσ² = {run.losses[-1] / self.noise_floor:.2f}: {self._verdict()}.")
        return "<div style='font-size:16px; line-height:1.4'>" + "<br>".join(lines) + "</div>"

    def summary(self) -> str:
        """Plain-text numbers of the current run (printed under the panel for nbval)."""
        c = self.controls
        run = self.run
        losses = ", ".join(f"{run.losses[k]:.4f}" for k in (0, 1, 2) if k < len(run.losses))
        return "\n".join([
            f"gamma = {c['gamma'].value:.4f}, decay d = {c['decay'].value:.3f}, m = {c['m'].value}, "
            f"activation = {c['activation'].value}, steps = {self.num_steps}",
            f"first losses: {losses}, ...",
            f"result: {run.describe()}",
            f"verdict: {self._verdict()}",
        ])


SUMMARY_HEADER = f"{'γ':>7} {'d':>6} {'m':>3} {'g':>9}   {'ℒ⁽⁰⁾':>8} {'ℒ⁽¹⁾':>9} {'ℒ⁽²⁾':>9}   {'final ℒ':>9}   verdict"


def summary_row(panel: NetworkTrainingPanel) -> str:
    """One line of the replay table under ``SUMMARY_HEADER``: settings, first three losses, result, verdict."""
    c, run = panel.controls, panel.run
    first = [f"{run.losses[k]:9.2f}" if k < len(run.losses) else " " * 9 for k in (0, 1, 2)]
    final = f"div. @{run.num_steps}" if run.diverged else f"{run.losses[-1]:.3f}"
    verdict = panel._verdict().split(":")[0]
    return (f"{c['gamma'].value:7.4f} {c['decay'].value:6.3f} {c['m'].value:3d} {c['activation'].value:>9}   "
            f"{first[0][1:]} {first[1]} {first[2]}   {final:>9}   {verdict}")
