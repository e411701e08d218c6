"""Figures of notebook 02: the tangent line and penalised model in 1D, the trust-region disc in 2D."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from .. import taylor
from ..functions import DiagonalQuadratic
from . import alt
from .descent import draw_contours
from .style import COLORS

GRID_POINTS = 400  # samples of the curves across the view


def _clamp_marker(x: float, y: float, xlim: Sequence[float], ylim: Sequence[float], inside: str = "o"
                 ) -> tuple[float, float, str, bool]:
    """(x, y) pulled into the view, with a triangle marker pointing the way when it was outside."""
    (xlo, xhi), (ylo, yhi) = xlim, ylim
    marker = inside
    if not np.isfinite(x) or not np.isfinite(y):
        return xlo, ylo, "x", False
    if y < ylo:
        marker = "v"
    elif y > yhi:
        marker = "^"
    if x < xlo:
        marker = "<"
    elif x > xhi:
        marker = ">"
    return float(np.clip(x, xlo, xhi)), float(np.clip(y, ylo, yhi)), marker, marker == inside


def _clip_to_band(values: np.ndarray, ylim: Sequence[float]) -> np.ndarray:
    """Values pulled into a band one view-height beyond ``ylim``: the view is unchanged, Agg never sees huge numbers."""
    ylo, yhi = ylim
    span = yhi - ylo
    return np.clip(values, ylo - span, yhi + span)


@dataclass
class Taylor1DArtists:
    """The moving parts of the 1D Taylor picture (see ``draw_taylor_1d``)."""

    ax: Axes
    grid: np.ndarray
    tangent: Any
    model: Any
    start: Any
    model_min: Any
    true_value: Any
    gap: Any
    region: Any
    step_arrow: Any
    message: Any
    readout: Any

    @property
    def animated(self) -> list:
        """The artists a live panel redraws on every move."""
        return [self.region, self.tangent, self.model, self.gap, self.step_arrow, self.start, self.model_min,
                self.true_value, self.message, self.readout]

    def update(self, report: taylor.StepReport) -> None:
        """Draw one Lagrangian step: the tangent and penalised model at w0, its minimiser w1 and f(w1)."""
        xlim, ylim = self.ax.get_xlim(), self.ax.get_ylim()
        w0, w1 = float(report.w0), float(report.w1)
        tangent = taylor.linear_model(self.grid, report.w0, report.f_w0, report.grad_w0)
        self.tangent.set_data(self.grid, _clip_to_band(tangent, ylim))
        model = taylor.penalised_model(self.grid, report.w0, report.f_w0, report.grad_w0, report.lam)
        self.model.set_data(self.grid, _clip_to_band(model, ylim))
        x0, y0, _, _ = _clamp_marker(w0, report.f_w0, xlim, ylim)
        self.start.set_data([x0], [y0])
        xm, ym, marker_m, shown_m = _clamp_marker(w1, report.model_w1, xlim, ylim, "D")
        xt, yt, marker_t, shown_t = _clamp_marker(w1, report.f_w1, xlim, ylim, "o")
        self.model_min.set_data([xm], [ym])
        self.model_min.set_marker(marker_m)
        self.true_value.set_data([xt], [yt])
        self.true_value.set_marker(marker_t)
        self.gap.set_data([xm, xt], [ym, yt])
        self.region.set_x(w0 - report.alpha)
        self.region.set_width(2.0 * report.alpha)
        lo, hi = xlim
        self.step_arrow.set_positions((float(np.clip(w0, lo, hi)), 0.06), (float(np.clip(w1, lo, hi)), 0.06))
        self.step_arrow.set_visible(abs(w1 - w0) > 1e-9 * (hi - lo))
        notes = []
        if not shown_m or not shown_t:
            where = "left" if w1 < lo else "right" if w1 > hi else None
            if where:
                notes.append(f"the step lands off the view ({where}):\nw⁽¹⁾ = {w1:.4g}, f(w⁽¹⁾) = {report.f_w1:.4g}")
            else:
                notes.append("a marker is off the view (▲/▼ on the edge)")
        if report.actual_decrease < 0:
            notes.append("overshoot: f went UP")
        self.message.set_text("\n".join(notes))
        self.message.set_visible(bool(notes))
        self.readout.set_text(_readout_text(report))


def _signed(x: float, digits: int = 3) -> str:
    """A number with an explicit sign and a typographic minus, e.g. '−289' or '+4.5'."""
    return f"{x:+.{digits}g}".replace("-", "−")


def _plain(x: float, digits: int = 3) -> str:
    """A number with a typographic minus."""
    return f"{x:.{digits}g}".replace("-", "−")


def _math_name(objective: Any) -> str:
    """The objective's formula as matplotlib mathtext, e.g. '$f(w) = w_1^2 + 2 w_2^2$'."""
    return "$f(w) = " + re.sub(r"w(\d)", r"w_\1", objective.name) + "$"


def _readout_text(report: taylor.StepReport) -> str:
    """The numbers beside the 1D figure: lam, gamma = 1/(2 lam), the step and what it achieved."""
    return (f"λ = {_plain(report.lam)}   →   γ = 1/(2λ) = {_plain(report.gamma)}\n"
            f"w⁽⁰⁾ = {_plain(float(report.w0))},  f′(w⁽⁰⁾) = {_plain(float(report.grad_w0))}\n"
            f"w⁽¹⁾ = w⁽⁰⁾ − γ f′(w⁽⁰⁾) = {_plain(float(report.w1), 4)}\n"
            f"step length α = |w⁽¹⁾ − w⁽⁰⁾| = {_plain(report.alpha)}\n"
            f"f(w⁽⁰⁾) − m_λ(w⁽¹⁾) = {_plain(report.predicted_decrease, 4)} (predicted)\n"
            f"f(w⁽⁰⁾) − f(w⁽¹⁾) = {_plain(report.actual_decrease, 4)} (actual)")


def draw_taylor_1d(ax: Axes, objective: Any, report: taylor.StepReport, *, xlim: tuple[float, float],
                   ylim: tuple[float, float], animated: bool = False, below: bool = False) -> Taylor1DArtists:
    """f, and for one step (``taylor.take_step``): the tangent at w0, the penalised model
    f(w0) + f'(w0)(w - w0) + lam (w - w0)^2 and its minimiser.

    The legend and the numbers go to the right of the axes, or under them with ``below=True``
    (a static figure of one axes, about 9 in wide, whose plot then keeps the whole width).
    """
    grid = np.linspace(*xlim, GRID_POINTS)
    ax.plot(grid, _clip_to_band(objective.value(grid), ylim), color=COLORS["blue"], label="f(w)", zorder=2)
    ax.axhline(0.0, color=COLORS["grey"], linestyle=":", linewidth=1.5, zorder=1)
    region = Rectangle((0.0, 0.0), 0.0, 1.0, transform=ax.get_xaxis_transform(), facecolor=COLORS["sky"],
                       alpha=0.18, edgecolor="none", animated=animated, zorder=0,
                       label="|w − w⁽⁰⁾| ≤ α (matching trust region)")
    ax.add_patch(region)
    (tangent,) = ax.plot([], [], "--", color=COLORS["grey"], linewidth=2, animated=animated, zorder=3,
                         label="tangent: f(w⁽⁰⁾) + f′(w⁽⁰⁾)(w − w⁽⁰⁾)")
    (model,) = ax.plot([], [], color=COLORS["orange"], linewidth=2.5, animated=animated, zorder=3,
                       label="penalised model: tangent + λ(w − w⁽⁰⁾)²")
    (gap,) = ax.plot([], [], ":", color=COLORS["black"], linewidth=1.8, animated=animated, zorder=4)
    (start,) = ax.plot([], [], "s", color=COLORS["black"], markersize=10, animated=animated, zorder=6,
                       label="w⁽⁰⁾")
    (model_min,) = ax.plot([], [], "D", color=COLORS["orange"], markeredgecolor=COLORS["black"], markersize=10,
                           animated=animated, zorder=6, label="m_λ's minimum: w⁽¹⁾ = w⁽⁰⁾ − γ f′(w⁽⁰⁾)")
    (true_value,) = ax.plot([], [], "o", color=COLORS["vermillion"], markeredgecolor=COLORS["black"],
                            markersize=10, animated=animated, zorder=6, label="true f(w⁽¹⁾)")
    step_arrow = FancyArrowPatch((0, 0.06), (0, 0.06), transform=ax.get_xaxis_transform(), arrowstyle="-|>",
                                 mutation_scale=22, color=COLORS["green"], linewidth=3, animated=animated,
                                 zorder=5)
    ax.add_patch(step_arrow)
    ax.plot([], [], color=COLORS["green"], linewidth=3, label="the step w⁽⁰⁾ → w⁽¹⁾")
    message = ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top", fontsize=14,
                      color=COLORS["vermillion"], fontweight="bold", animated=animated, zorder=7,
                      bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
    readout = ax.text(*((1.0, -0.2) if below else (1.03, 0.0)), "", transform=ax.transAxes,
                      ha="right" if below else "left",
                      va="top" if below else "bottom", multialignment="left", fontsize=14, animated=animated,
                      clip_on=False,
                      bbox=dict(facecolor="#f4f4f4", edgecolor=COLORS["grey"], boxstyle="round,pad=0.4"))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("w")
    ax.set_ylabel("value")
    ax.set_title("Taylor models of " + _math_name(objective), fontsize=15)
    if below:
        ax.legend(loc="upper left", bbox_to_anchor=(-0.12, -0.18), fontsize=12, frameon=False)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=12, frameon=False)
    artists = Taylor1DArtists(ax, grid, tangent, model, start, model_min, true_value, gap, region,
                              step_arrow, message, readout)
    artists.update(report)
    return artists


def draw_step_outcome(ax: Axes, reports: Sequence[taylor.StepReport], *, marks: Sequence[taylor.StepReport] = (),
                      ylim: tuple[float, float] | None = None, objective_name: str | None = None) -> None:
    """f(w1) and the penalised model's m_lam(w1) against lam (log scale) for steps from one w0, with f(w0) for reference.

    ``reports``: ``taylor.take_step`` for a range of lam (same objective and w0); ``marks``: steps to annotate.
    """
    lams = np.array([r.lam for r in reports])
    f_w0 = reports[0].f_w0
    ax.semilogx(lams, [r.f_w1 for r in reports], color=COLORS["vermillion"], label="true f(w⁽¹⁾) after one step")
    ax.semilogx(lams, [r.model_w1 for r in reports], "--", color=COLORS["orange"], label="penalised model at its minimum, m_λ(w⁽¹⁾)")
    ax.axhline(f_w0, color=COLORS["grey"], linestyle=":", linewidth=2, label=f"f(w⁽⁰⁾) = {f_w0:g}")
    for i, report in enumerate(marks):
        ax.plot([report.lam], [report.f_w1], "o", color=COLORS["black"], markersize=9, zorder=5,
                label="the steps annotated" if i == 0 else None)
        ax.annotate(f"λ = {report.lam:g} (γ = {report.gamma:g}):\nf(w⁽¹⁾) = {report.f_w1:.3g}",
                    (report.lam, report.f_w1), xytext=(8, 40), textcoords="offset points", fontsize=13,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.85),
                    arrowprops=dict(arrowstyle="-", color=COLORS["black"]))
    top = ax.secondary_xaxis("top", functions=(lambda x: 1.0 / (2.0 * np.maximum(x, 1e-12)),
                                               lambda g: 1.0 / (2.0 * np.maximum(g, 1e-12))))
    top.set_xlabel("step size γ = 1/(2λ)")
    top.set_xticks([1.0, 0.5, 0.25, 0.1, 0.05], labels=["1", "0.5", "0.25", "0.1", "0.05"])
    ax.set_xticks([0.25, 0.5, 1, 2, 5, 10], labels=["0.25", "0.5", "1", "2", "5", "10"])
    ax.set_xlabel("penalty λ (log scale)")
    ax.set_ylabel("value after one step")
    ax.set_xlim(lams.min(), lams.max())
    if ylim is not None:
        ax.set_ylim(*ylim)
    on = f" on {objective_name}" if objective_name else ""
    ax.set_title(f"One step from w⁽⁰⁾ = {_plain(float(reports[0].w0))}{on}: value reached against λ")
    ax.legend(loc="lower right", fontsize=12)


@dataclass
class TrustRegion2DArtists:
    """The moving parts of the 2D trust-region picture (see ``draw_trust_region_2d``)."""

    ax: Axes
    disc: Any
    start: Any
    step: Any
    end: Any
    level_line: Any
    readout: Any
    lim: float

    @property
    def animated(self) -> list:
        """The artists a live panel redraws on every move."""
        return [self.disc, self.level_line, self.step, self.start, self.end, self.readout]

    def update(self, report: taylor.TrustRegionReport) -> None:
        """Draw one trust-region step: the disc around w0 of radius alpha and the step to its boundary."""
        w0, w1 = report.w0, report.w1
        self.disc.center = tuple(w0)
        self.disc.set_radius(report.alpha)
        self.start.set_data([w0[0]], [w0[1]])
        self.end.set_data([w1[0]], [w1[1]])
        self.step.set_positions(tuple(w0), tuple(w1))
        if report.lam > 0:
            # The level line of the linear model through w1: perpendicular to grad, touching the disc.
            direction = np.array([-report.grad_w0[1], report.grad_w0[0]]) / report.grad_norm
            ends = w1 + np.outer([-4 * self.lim, 4 * self.lim], direction)
            self.level_line.set_data(ends[:, 0], ends[:, 1])
            self.readout.set_text(
                f"‖∇f(w⁽⁰⁾)‖ = {report.grad_norm:.3g},  α = {report.alpha:.3g}\n"
                f"λ = ‖∇f‖/(2α) = {report.lam:.3g},  γ = 1/(2λ) = α/‖∇f‖ = {report.gamma:.3g}\n"
                f"f(w⁽⁰⁾) = {report.f_w0:.3g} → f(w⁽¹⁾) = {report.f_w1:.3g}  (linear model m(w⁽¹⁾) = {report.model_w1:.3g})")
        else:
            self.level_line.set_data([], [])
            self.readout.set_text("∇f(w⁽⁰⁾) = 0: the linear model is flat,\nw⁽⁰⁾ is stationary and stays put")
        num = alt.number
        alt.note(self.ax, f"Trust-region step of radius α = {num(report.alpha)} from w⁽⁰⁾ = ({num(w0[0])}, {num(w0[1])}) "
                          f"to w⁽¹⁾ = ({num(w1[0])}, {num(w1[1])}): f goes from {num(report.f_w0)} to {num(report.f_w1)}.")


def draw_trust_region_2d(ax: Axes, objective: DiagonalQuadratic, report: taylor.TrustRegionReport, *,
                         lim: float = 3.0, animated: bool = False, below: bool = False) -> TrustRegion2DArtists:
    """Contours of f and, for one step (``taylor.take_trust_region_step``), the disc ||w - w0|| <= alpha
    and the minimiser of the linear model on it (a step along -grad).

    The legend goes to the right of the axes, or under them with ``below=True`` (stacked static figures).
    """
    draw_contours(ax, objective, lim, levels=10)
    disc = Circle((0.0, 0.0), 1.0, facecolor=COLORS["sky"], alpha=0.3, edgecolor=COLORS["blue"], linewidth=2.5,
                  animated=animated, zorder=2)
    ax.add_patch(disc)
    (level_line,) = ax.plot([], [], "--", color=COLORS["grey"], linewidth=2, animated=animated, zorder=3)
    step = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=25, color=COLORS["vermillion"],
                           linewidth=3, shrinkA=0, shrinkB=0, animated=animated, zorder=4)
    ax.add_patch(step)
    (start,) = ax.plot([], [], "s", color=COLORS["black"], markersize=10, animated=animated, zorder=5)
    (end,) = ax.plot([], [], "o", color=COLORS["vermillion"], markeredgecolor=COLORS["black"], markersize=10,
                     animated=animated, zorder=5)
    readout = ax.text(0.02, 0.02, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=12,
                      animated=animated, zorder=6,
                      bbox=dict(facecolor="white", edgecolor=COLORS["grey"], alpha=0.92, boxstyle="round,pad=0.3"))
    # Legend proxies (the real artists are animated and may be excluded from a static legend).
    ax.plot([], [], "s", color=COLORS["black"], markersize=10, label="w⁽⁰⁾")
    ax.fill([], [], facecolor=COLORS["sky"], alpha=0.5, edgecolor=COLORS["blue"], label="trust region ‖w − w⁽⁰⁾‖ ≤ α")
    ax.plot([], [], color=COLORS["vermillion"], linewidth=3, label="step along −∇f to the boundary")
    ax.plot([], [], "o", color=COLORS["vermillion"], markeredgecolor=COLORS["black"], markersize=10,
            label="w⁽¹⁾: the linear model's lowest point on the disc")
    ax.plot([], [], "--", color=COLORS["grey"], linewidth=2, label="lowest level of the linear model")
    ax.plot([], [], color=colormaps["cividis"](0.1), linewidth=1.3, label="contours of f (dark: low)")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_title("Trust region on " + _math_name(objective), fontsize=15)
    if below:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=12, frameon=False)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=12, frameon=False)
    artists = TrustRegion2DArtists(ax, disc, start, step, end, level_line, readout, lim)
    artists.update(report)
    return artists


def draw_trust_region_stack(axes: Sequence[Axes], objective: DiagonalQuadratic,
                            reports: Sequence[taylor.TrustRegionReport], *, lim: float = 3.0
                            ) -> list[TrustRegion2DArtists]:
    """Trust-region steps (``taylor.take_trust_region_step``) stacked top to bottom, one per axes, each titled
    with its radius alpha; one legend, under the last axes."""
    if len(axes) != len(reports):
        raise ValueError(f"axes and reports must have the same length, got {len(axes)} and {len(reports)}")
    drawn = []
    for i, (ax, report) in enumerate(zip(axes, reports)):
        last = i == len(reports) - 1
        drawn.append(draw_trust_region_2d(ax, objective, report, lim=lim, below=last))
        ax.set_title(f"Trust region of radius α = {report.alpha:g} on " + _math_name(objective), fontsize=14)
        if not last:
            ax.get_legend().remove()
    return drawn
