"""Notebook 05's live panel: SGD against full-batch GD on the two-basin risk, with γ₀, decay, batch-size and seed sliders."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..descent import Trajectory, gradient_descent
from ..landscape import START, RobustCentreRisk, two_basin_risk
from ..plotting.sgd import draw_loss_vs_work, draw_paths, draw_risk_background
from ..plotting.style import lecture_style
from ..schedules import InverseTimeDecay
from ..sgd import SGDResult, sgd
from .core import LiveFigure, Panel, panel_layout, slider

EPOCHS = 40  # work budget of every run: 40 passes over the data
BATCH_SIZES = (16, 32, 64, 128, 256, 512)  # 512 = n: SGD becomes full-batch GD
LOSS_YLIM = (45.0, 80.0)
READOUT_LINES = 5  # the readout always takes this many lines (and one spare for wrapping): no layout jump
READOUT_STYLE = (f"font-size:16px; line-height:1.4; min-height:{1.4 * (READOUT_LINES + 1):.1f}em; "
                 "font-family:monospace; white-space:pre-wrap")


def _basin(risk: RobustCentreRisk, w: np.ndarray) -> str:
    if not np.all(np.isfinite(w)):
        return "diverged"
    return "deep" if bool(risk.in_deep_basin(w)) else "shallow"


class SGDvsGDPanel(Panel):
    """Sliders for γ₀, decay d (γ_k = γ₀ / (1 + d k)), batch size and seed over the two-basin risk."""

    def __init__(self, risk: RobustCentreRisk | None = None, gamma0: float = 0.018, decay: float = 0.002,
                 batch_size: int = 32, seed: int = 0) -> None:
        super().__init__()
        if risk is not None and not isinstance(risk, RobustCentreRisk):
            raise TypeError(f"risk must be a RobustCentreRisk or None, got {type(risk).__name__}")
        self.risk = risk if risk is not None else two_basin_risk()
        self.controls = {
            "gamma0": slider("float", "γ₀ (step size)", 0.018, 0.002, 0.05, 0.001, ".3f"),
            "decay": slider("float", "decay d", 0.002, 0.0, 0.02, 0.0005, ".4f"),
            "batch_size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=BATCH_SIZES[0],
                                                  description="batch size |B|", continuous_update=True,
                                                  style={"description_width": "110px"}),
            "seed": slider("int", "seed", 0, 0, 99, 1),
        }
        # checked by name: a value out of range or a size not offered is a ValueError naming the argument
        self.apply_arguments(gamma0=gamma0, decay=decay, batch_size=batch_size, seed=seed)
        self._gd_cache = lru_cache(maxsize=64)(self._run_gd)
        self.run, self.gd = self._runs()
        self._build_figure()
        self.readout = widgets.HTML()
        self._watch()
        c = self.controls
        self.widget = panel_layout([[c["gamma0"], c["decay"]], [c["batch_size"], c["seed"]]], self.live.image,
                                   self.readout)
        self.update()

    # --- math -------------------------------------------------------------
    def _run_gd(self, gamma0: float, decay: float) -> Trajectory:
        return gradient_descent(self.risk.grad, START, InverseTimeDecay(gamma0, decay), EPOCHS, f=self.risk.value)

    def _runs(self) -> tuple[SGDResult, Trajectory]:
        c = self.controls
        gamma0, decay = float(c["gamma0"].value), float(c["decay"].value)
        run = sgd(self.risk.per_example_grad, START, self.risk.n, InverseTimeDecay(gamma0, decay),
                  int(c["batch_size"].value), num_epochs=EPOCHS, seed=int(c["seed"].value), loss=self.risk.value,
                  record_every=max(1, self.risk.n // (4 * int(c["batch_size"].value))))
        return run, self._gd_cache(gamma0, decay)

    # --- figure -----------------------------------------------------------
    def _build_figure(self) -> None:
        with lecture_style():
            fig = Figure(figsize=(11.25, 5.4), dpi=80, layout="constrained")  # 900 x 432 px
            ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.25, 1])
            draw_risk_background(ax_map, self.risk)
            self.paths = draw_paths(ax_map, self.run, self.gd, animated=True)
            ax_map.set_title(f"Paths, {EPOCHS} passes each\n(colour: $\\mathcal{{L}}(w)$, dark = low)", fontsize=15)
            ax_map.legend(loc="lower left", fontsize=12, ncol=2)
            self.losses = draw_loss_vs_work(ax_loss, self.risk, self.run, self.gd, budget=EPOCHS * self.risk.n,
                                            animated=True, ylim=LOSS_YLIM)
            self.losses.sgd_line.set_label("SGD")
            ax_loss.legend(loc="upper right", fontsize=12)
        p = self.paths
        self.live = LiveFigure(fig, [p.sgd_line, p.gd_line, p.sgd_end, p.gd_end, p.start, p.message,
                                     self.losses.sgd_line, self.losses.gd_line])

    def update(self) -> None:
        """Re-run SGD (and GD, cached) from the controls and redraw the changing artists."""
        self.run, self.gd = self._runs()
        self.paths.update(self.run, self.gd)
        self.losses.update(self.run, self.gd, self.risk, LOSS_YLIM)
        self.live.render()
        self.readout.value = self._readout_html()

    # --- text -------------------------------------------------------------
    def _readout_html(self) -> str:
        lines = self.summary().split("\n")
        return f"<div style='{READOUT_STYLE}'>" + "<br>".join(lines) + "</div>"

    def summary(self) -> str:
        """Plain-text numbers of the current runs (printed under the panel for nbval)."""
        c = self.controls
        run, gd = self.run, self.gd
        g_last = run.step_sizes[-1] if len(run.step_sizes) else float(c["gamma0"].value)

        def where(w: np.ndarray) -> str:
            basin = _basin(self.risk, w)
            if basin == "diverged":
                return "diverged"
            return f"w = ({w[0]:.3f}, {w[1]:.3f}), ℒ = {self.risk.value(w):.2f}, {basin} basin"

        return "\n".join([  # READOUT_LINES short lines: none wraps at 1024 px
            f"γ_k = {float(c['gamma0'].value):.3f} / (1 + {float(c['decay'].value):.4f} k); "
            f"batch size {run.batch_size}, seed {int(c['seed'].value)}",
            f"SGD: {run.num_steps} steps, {int(run.evaluations[-1])} per-example gradients, last γ {g_last:.3g}",
            f"     ends at {where(run.final)}",
            f"GD:  {gd.num_steps} steps, {gd.num_steps * self.risk.n} per-example gradients",
            f"     ends at {where(gd.final)}",
        ])


SUMMARY_HEADER = f"{'γ₀':>6} {'d':>7} {'|B|':>4} {'seed':>4}   {'SGD ends in':<14} {'ℒ':>6}   {'GD ends in':<14} {'ℒ':>6}"


def summary_row(panel: SGDvsGDPanel) -> str:
    """One line of the replay table under ``SUMMARY_HEADER``: settings, then where SGD and GD end and their loss."""
    c = panel.controls

    def end(w: np.ndarray) -> str:
        basin = _basin(panel.risk, w)
        if basin == "diverged":
            return f"{'diverged':<14} {'-':>6}"
        return f"{basin + ' basin':<14} {panel.risk.value(w):6.2f}"

    return (f"{float(c['gamma0'].value):6.3f} {float(c['decay'].value):7.4f} {int(c['batch_size'].value):4d} "
            f"{int(c['seed'].value):4d}   {end(panel.run.final)}   {end(panel.gd.final)}")
