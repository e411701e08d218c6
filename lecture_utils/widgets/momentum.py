"""Notebook 07's live panel: GD, momentum, Nesterov, RMSProp and Adam in a ravine, with the closed-form rates."""

from __future__ import annotations

import dataclasses
import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

from .._validation import check_in_range
from ..functions import DiagonalQuadratic
from ..momentum import (METHODS, MethodTrajectory, gd_optimal_rate, gd_optimal_step, heavy_ball_edge, linear_rate,
                        measured_rate, momentum_optimal, momentum_optimal_rate, nesterov_edge, run_method)
from ..plotting.momentum import (METHOD_COLORS, draw_loss_panel, draw_rate_map, draw_ravine, draw_ravine_path,
                                 loss_or_floor, theory_line)
from ..plotting.style import COLORS, lecture_style
from .core import LiveFigure, Panel, button_row, panel_layout, readout_html, readout_text, slider

GAMMA_MAX = 4.0
BETA_MAX = 0.99
SLIDER_STEP = 0.001  # landmark values are rounded to it, so the sliders can show them exactly
BETA_LABELS = {"GD": "β (unused)", "momentum": "β (momentum)", "Nesterov": "β (momentum)",
               "RMSProp": "ρ (average of g²)", "Adam": "β₁ (average of g)"}
EQUATIONS = {
    "GD": "w ← w − γ ∇f(w)",
    "momentum": "v ← β v − γ ∇f(w),&nbsp; w ← w + v",
    "Nesterov": "v ← β v − γ ∇f(w),&nbsp; w ← w + β v − γ ∇f(w)",
    "RMSProp": "s ← ρ s + (1 − ρ) g²,&nbsp; w ← w − γ g / (√s + ε)&nbsp; (per coordinate)",
    "Adam": "m ← β₁ m + (1 − β₁) g,&nbsp; s ← β₂ s + (1 − β₂) g²,&nbsp; w ← w − γ m̂ / (√ŝ + ε)&nbsp; (β₂ = 0.999)",
}


LOSS_AXIS_LENGTHS = (25, 50, 100, 200, 400)
MIN_FONT_PT = 12


def loss_axis_length(num_steps: int) -> int:
    """The loss axes' x range for a run of ``num_steps``: the shortest of LOSS_AXIS_LENGTHS that holds it."""
    return next((n for n in LOSS_AXIS_LENGTHS if n >= num_steps), num_steps)


def _snap(value: float, high: float) -> float:
    """A landmark value on the sliders' grid, inside their range."""
    return min(round(round(value / SLIDER_STEP) * SLIDER_STEP, 3), high)  # round(.., 3): 3.3, not 3.3000000000000003


class MomentumPanel(Panel):
    """Method, γ, β and steps over a live ravine f(w) = (μ w₁² + L w₂²)/2 with κ = L/μ, L = 1."""

    def __init__(self, kappa: float = 100.0, method: str = "momentum", gamma: float = 1.0, beta: float = 0.9,
                 num_steps: int = 100, w0: tuple[float, float] = (-10.0, 1.0)) -> None:
        super().__init__()
        self.kappa = check_in_range("kappa", kappa, 1.0, 1e4)
        self.mu, self.L = 1.0 / self.kappa, 1.0
        self.objective = DiagonalQuadratic((self.mu / 2, self.L / 2))
        self._curvatures = curvatures = np.array([self.mu, self.L])
        self._grad = lambda w: curvatures * w  # the objective's gradient without its checks: a move may run 400 steps
        self.w0 = np.array(w0, dtype=float)
        self.controls = {
            "method": widgets.Dropdown(options=list(METHODS), value="momentum", description="method",
                                       style={"description_width": "110px"}),
            "gamma": slider("float", "γ (step size)", 1.0, 0.01, GAMMA_MAX, SLIDER_STEP, ".3f"),
            "beta": slider("float", BETA_LABELS["momentum"], 0.9, 0.0, BETA_MAX, SLIDER_STEP, ".3f"),
            "num_steps": slider("int", "steps", 100, 8, 400, 1),
        }
        self.apply_arguments(method=method, gamma=gamma, beta=beta, num_steps=num_steps)
        self.gamma_gd = _snap(gd_optimal_step(self.mu, self.L), GAMMA_MAX)
        self.gamma_star, self.beta_star = self._optimum_on_grid()
        self.run: MethodTrajectory = self._run()
        self._build_figure()
        self.readout = readout_html(6)
        self.buttons = {
            "GD best": self._button(f"GD best: β = 0, γ = {self.gamma_gd:.3f}",
                                    lambda: self.set(beta=0.0, gamma=self.gamma_gd)),
            "optimum": self._button(f"optimum γ* = {self.gamma_star:.3f}, β* = {self.beta_star:.3f}",
                                    lambda: self.set(gamma=self.gamma_star, beta=self.beta_star)),
            "edge": self._button("edge of divergence at this β", lambda: self.set(gamma=self.edge())),
        }
        self._method_shown = None
        self._watch()
        self.widget = panel_layout(
            [[self.controls[n] for n in ("method", "gamma", "beta")], [self.controls["num_steps"]]],
            button_row("landmarks:", list(self.buttons.values())), self.live.image, self.readout)
        self.update()

    def _button(self, label: str, action) -> widgets.Button:
        button = widgets.Button(description=label)
        button.on_click(lambda _b: action())
        return button

    # --- math -------------------------------------------------------------
    def _run(self) -> MethodTrajectory:
        c = self.controls
        run = run_method(c["method"].value, self._grad, self.w0, c["gamma"].value, c["num_steps"].value,
                         beta=c["beta"].value)
        values = 0.5 * (run.iterates * run.iterates) @ self._curvatures  # f at every iterate at once
        return dataclasses.replace(run, values=values)

    def _optimum_on_grid(self) -> tuple[float, float]:
        """(γ*, β*) moved onto the sliders' grid without leaving the optimum's corner.

        At (γ*, β*) both extreme curvatures sit exactly where the roots turn complex, with |z| = √β.
        Rounding β* down would push them into real roots (a rate of 0.85 instead of 0.82 at κ = 100),
        so β is rounded up, and γ is put in the middle of the interval where both roots stay complex:
        (1 − √β)² ≤ γμ and γL ≤ (1 + √β)².
        """
        _, beta_star = momentum_optimal(self.mu, self.L)
        beta = min(round(float(np.ceil(beta_star / SLIDER_STEP - 1e-9)) * SLIDER_STEP, 3), BETA_MAX)
        low, high = (1 - np.sqrt(beta)) ** 2 / self.mu, (1 + np.sqrt(beta)) ** 2 / self.L
        return _snap((low + high) / 2, GAMMA_MAX), float(beta)

    def edge(self) -> float:
        """The largest stable γ at the current β (heavy ball's 2(1+β)/L, Nesterov's 2(1+β)/((1+2β)L); GD's 2/L)."""
        method, beta = self.controls["method"].value, self.controls["beta"].value
        if method == "GD":
            return _snap(2.0 / self.L, GAMMA_MAX)
        edge = nesterov_edge(self.L, beta) if method == "Nesterov" else heavy_ball_edge(self.L, beta)
        return _snap(edge, GAMMA_MAX)

    def closed_form_rate(self) -> float | None:
        """The closed-form rate per step at the current settings (None for RMSProp and Adam)."""
        c = self.controls
        if c["method"].value not in ("GD", "momentum", "Nesterov"):
            return None
        return linear_rate(c["method"].value, c["gamma"].value, c["beta"].value, [self.mu, self.L])

    # --- figure -----------------------------------------------------------
    def _build_figure(self) -> None:
        with lecture_style():
            fig = Figure(figsize=(11.25, 5.4), dpi=80, layout="constrained")  # 900 x 432 px: with its readout in 768 px
            grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.25], width_ratios=[1.0, 1.0])
            ax_path = fig.add_subplot(grid[0, :])
            ax_loss, ax_map = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
            draw_ravine(ax_path, self.objective)
            self.path = draw_ravine_path(ax_path, self.run, COLORS["vermillion"], "iterates $w^{(k)}$", animated=True)
            ax_path.legend(loc="upper right", fontsize=12, framealpha=0.95)
            self.message = ax_path.text(0.5, 0.12, "", transform=ax_path.transAxes, ha="center", va="bottom",
                                        fontsize=15, color=COLORS["vermillion"], fontweight="bold", animated=True,
                                        bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
            (self.loss_line,) = draw_loss_panel(ax_loss, [self.run], ["measured $f(w^{(k)}) - f^*$"], [COLORS["vermillion"]],
                                                animated=True)
            (self.theory,) = ax_loss.semilogy([], [], "--", color=COLORS["black"], linewidth=2,
                                              label="closed-form slope $r^{2k}$", animated=True)
            ax_loss.set_xlim(0, loss_axis_length(self.controls["num_steps"].value))
            loss_legend = ax_loss.legend(loc="lower left", fontsize=12, framealpha=0.95)
            self.rate_map = draw_rate_map(ax_map, [self.mu, self.L], GAMMA_MAX, BETA_MAX, animated=True)
            for text in ax_map.findobj(Text):  # contour and landmark labels: at least 12 pt (13 px) on a projector
                text.set_fontsize(max(text.get_fontsize(), MIN_FONT_PT))
        self.ax_loss, self.ax_map = ax_loss, ax_map
        # The two rates are printed beside each other under the figure (a text redrawn on every move would cost
        # as much as everything else in the figure together).
        animated = [self.path.path, self.path.start, self.message, self.loss_line, self.theory, self.rate_map.marker]
        self.live = LiveFigure(fig, animated, overlays=[ax_path.get_legend(), loss_legend])
        self._steps_drawn = loss_axis_length(self.controls["num_steps"].value)

    def _show_method(self, method: str) -> None:
        """Relabel β, enable what applies, and switch the rate map (redrawn into the background once)."""
        beta = self.controls["beta"]
        beta.description = BETA_LABELS[method]
        beta.disabled = method == "GD"
        for name, button in self.buttons.items():
            button.disabled = method in ("RMSProp", "Adam") or (method == "GD" and name == "optimum")
        self.rate_map.show(method)
        if self._method_shown is not None:
            self.live.invalidate(self.ax_map)
        self._method_shown = method

    def update(self) -> None:
        """Re-run the chosen method from the controls and redraw the changing artists."""
        c = self.controls
        method = c["method"].value
        if method != self._method_shown:
            self._show_method(method)
        self.run = self._run()
        steps = c["num_steps"].value
        if loss_axis_length(steps) != self._steps_drawn:  # redrawing the log axis costs ~5 moves: rarely
            self._steps_drawn = loss_axis_length(steps)
            self.ax_loss.set_xlim(0, self._steps_drawn)
            self.live.invalidate(self.ax_loss)
        self.path.update(self.run)
        gap = loss_or_floor(self.run)
        self.loss_line.set_data(np.arange(len(gap)), gap)
        rate = self.closed_form_rate()
        if rate is None or self.run.diverged:
            self.theory.set_data([], [])
        else:
            self.theory.set_data(*theory_line(float(gap[-1]), rate, len(gap) - 1))
        self.rate_map.update(method, c["gamma"].value, c["beta"].value)
        self.message.set_text(self._message())
        self.live.render()
        self.readout.value = self._readout_html()

    # --- text -------------------------------------------------------------
    def measured(self) -> float:
        """The rate measured over the second half of the run (inf if it diverged)."""
        return measured_rate(self.run)

    def _rate_line(self) -> str:
        rate, measured = self.closed_form_rate(), self.measured()
        shown = "diverged" if not np.isfinite(measured) else f"{measured:.3f}"
        if rate is None:
            return f"measured rate {shown} (no closed form)"
        return f"closed-form rate {rate:.3f}, measured {shown}"

    def _message(self) -> str:
        run, rate = self.run, self.closed_form_rate()
        if run.diverged:
            return f"diverged after {run.num_steps} steps: γ is past the edge of divergence"
        if rate is not None and rate >= 1.0 - 1e-9:
            return "on the edge: the error does not shrink" if rate < 1.0 + 1e-9 else "diverging: rate above 1"
        return ""

    def _landmark_text(self) -> str:
        return (f"GD's best step 2/(λ_max+μ) = {self.gamma_gd:.3f} gives (κ−1)/(κ+1) = "
                f"{gd_optimal_rate(self.mu, self.L):.3f} per step; heavy ball's optimum, on the sliders' grid "
                f"γ* = {self.gamma_star:.3f}, β* = {self.beta_star:.3f}, gives about (√κ−1)/(√κ+1) = "
                f"{momentum_optimal_rate(self.mu, self.L):.3f}")

    def _readout_html(self) -> str:
        c = self.controls
        method = c["method"].value
        rate, measured = self.closed_form_rate(), self.measured()
        shown = "diverged" if not np.isfinite(measured) else f"{measured:.3f}"
        rates = (f"<span style='font-size:19px'>rate per step: closed form <b>{'—' if rate is None else f'{rate:.3f}'}"
                 f"</b> &nbsp;|&nbsp; measured <b>{shown}</b></span>"
                 + (" (no closed form for this method)" if rate is None else ""))
        parts = [f"<b>{method}</b>: {EQUATIONS[method]}; κ = {self.kappa:g}.", rates,
                 html.escape(self._landmark_text()) + ".",
                 html.escape(readout_text(self.run.describe())) + "."]
        if method in ("momentum", "Nesterov", "GD"):
            parts.insert(2, f"Edge of divergence at this β: γ &lt; {self.edge():.3f}.")
        return "<div style='font-size:16px; line-height:1.4'>" + "<br>".join(parts) + "</div>"

    def summary(self) -> str:
        """Plain-text numbers of the current run (printed under the panel for nbval)."""
        c = self.controls
        method, run = c["method"].value, self.run
        final_gap = float(run.values[-1]) if run.values is not None and not run.diverged else float("nan")
        lines = [f"method: {method}, gamma = {c['gamma'].value:.3f}, beta = {c['beta'].value:.3f}, "
                 f"steps = {c['num_steps'].value}, kappa = {self.kappa:g}",
                 self._rate_line().replace("\n", "; ")]
        if method in ("GD", "momentum", "Nesterov"):
            lines.append(f"edge of divergence at this beta: gamma < {self.edge():.3f}")
        if run.diverged:
            lines.append(f"result: diverged after {run.num_steps} steps")
        else:
            lines.append(f"result: ran all {run.num_steps} steps; f(w^(k)) - f* = {final_gap:.1e}")
        return "\n".join(lines)


SUMMARY_HEADER = (f"{'method':<9} {'γ':>6} {'β':>6} {'steps':>5} {'κ':>4}   {'closed-form rate':>16} {'measured':>8}   "
                  f"{'edge: γ <':>9}   result: f(w⁽ᵏ⁾) − f*")


def summary_row(panel: MomentumPanel) -> str:
    """One line of the replay table under ``SUMMARY_HEADER``: settings, the two rates, the edge and how the run ended."""
    c, run = panel.controls, panel.run
    method, rate, measured = c["method"].value, panel.closed_form_rate(), panel.measured()
    shown = "diverged" if not np.isfinite(measured) else f"{measured:.3f}"
    edge = f"{panel.edge():.3f}" if method in ("GD", "momentum", "Nesterov") else "-"
    if run.diverged:
        result = f"diverged after {run.num_steps} steps"
    else:
        result = ("-" if run.values is None else f"{float(run.values[-1]):.1e}") + f" after {run.num_steps} steps"
    return (f"{method:<9} {c['gamma'].value:6.3f} {c['beta'].value:6.3f} {c['num_steps'].value:5d} {panel.kappa:4g}   "
            f"{'-' if rate is None else f'{rate:.3f}':>16} {shown:>8}   {edge:>9}   {result}")
