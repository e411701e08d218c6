"""Figures of notebook 01: the 1D descent picture, loss curves, gradient arrows, step-size panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes

from ..descent import Trajectory
from ..functions import DiagonalQuadratic, ShiftedSquare
from . import alt
from .style import COLORS, CYCLE

RUN_MARKERS = ("o", "s", "D", "^", "v", "P", "X")  # one marker per run, so no run is told apart by colour alone
ARROW_CAPACITY = 128  # tangent arrows drawn at most (quiver has a fixed number of arrows)
ARROW_LENGTH = 0.09  # of a tangent arrow, as a fraction of the axes
LOSS_FLOOR = 1e-16  # f - f* is drawn at this height when it is exactly 0 (log scale)


def _visible_prefix(points: np.ndarray, low: float, high: float) -> np.ndarray:
    """Copy of 1D ``points`` with everything after the first one outside [low, high] set to NaN."""
    points = np.asarray(points, dtype=float).copy()
    outside = np.flatnonzero((points < low) | (points > high) | ~np.isfinite(points))
    if outside.size:
        points[outside[0] + 1 :] = np.nan
    return points


def _tangent_arrows(w: np.ndarray, slope: np.ndarray, xspan: float, yspan: float) -> tuple[np.ndarray, np.ndarray]:
    """Data-space (dx, dy) of arrows of ARROW_LENGTH (fraction of the axes) pointing downhill along the tangent."""
    slope = np.asarray(slope, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        dx = -np.sign(slope) * ARROW_LENGTH / np.sqrt(1.0 / xspan**2 + slope**2 / yspan**2)
        dy = slope * dx
    bad = ~np.isfinite(dx) | ~np.isfinite(dy)
    dx[bad] = 0.0
    dy[bad] = 0.0
    return dx, dy


@dataclass
class Descent1DArtists:
    """The artists of the 1D descent picture that change with the run (see ``draw_descent_1d``)."""

    ax: Axes
    objective: ShiftedSquare
    path: object
    start: object
    arrows: object
    message: object

    def update(self, trajectory: Trajectory, message: str = "") -> None:
        """Show a new trajectory: iterates, tangent arrows, and ``message`` (a warning about the run) over them."""
        xlo, xhi = self.ax.get_xlim()
        ylo, yhi = self.ax.get_ylim()
        w = _visible_prefix(trajectory.iterates.reshape(-1), xlo, xhi)
        with np.errstate(over="ignore", invalid="ignore"):
            fw = np.where(np.isfinite(w), self.objective.value(np.nan_to_num(w)), np.nan)
        fw[fw > yhi * 4] = np.nan  # keep Agg away from huge coordinates
        self.path.set_data(w, fw)
        self.start.set_data(w[:1], fw[:1])
        shown = np.isfinite(w) & np.isfinite(fw) & (fw <= yhi)
        xs, ys = w[shown][: ARROW_CAPACITY], fw[shown][: ARROW_CAPACITY]
        dx, dy = _tangent_arrows(xs, self.objective.grad(xs), xhi - xlo, yhi - ylo)
        offsets = np.full((ARROW_CAPACITY, 2), xlo)
        offsets[: len(xs)] = np.column_stack([xs, ys])
        mask = np.arange(ARROW_CAPACITY) >= len(xs)
        u, v = np.zeros(ARROW_CAPACITY), np.zeros(ARROW_CAPACITY)
        u[: len(xs)], v[: len(xs)] = dx, dy
        self.arrows.set_offsets(offsets)
        self.arrows.set_UVC(np.ma.masked_array(u, mask), np.ma.masked_array(v, mask))
        self.message.set_text(message)
        alt.note(self.ax, descent_sentence(self.objective, trajectory, message))


def descent_sentence(objective: ShiftedSquare, trajectory: Trajectory, message: str = "") -> str:
    """The 1D descent picture in one sentence (its alt text): steps, start, step size, where the run went."""
    w = trajectory.iterates.reshape(-1)
    gammas = np.asarray(trajectory.step_sizes, dtype=float)
    num = alt.number
    if gammas.size and np.all(gammas == gammas[0]):
        rate = f" with γ = {num(gammas[0])}"
        factor = 1 - gammas[0] * objective.curvature
        ratio = f"; the distance to {num(objective.minimizer)} is multiplied by {num(factor)} each step"
    else:
        rate = f" with steps from γ₀ = {num(gammas[0])} to {num(gammas[-1])}" if gammas.size else ""
        ratio = ""
    end = " (" + alt.plain(" ".join(message.split())) + ")" if message else ""
    return (f"{trajectory.num_steps} steps of gradient descent on {alt.plain(objective.latex)} from "
            f"w⁽⁰⁾ = {num(w[0])}{rate}, moving {num(w[0])} → {num(w[-1])}{ratio}{end}.")


def draw_descent_1d(
    ax: Axes,
    objective: ShiftedSquare,
    trajectory: Trajectory,
    *,
    xlim: tuple[float, float] = (-18.0, 24.0),
    ylim: tuple[float, float] = (0.0, 300.0),
    animated: bool = False,
    message: str = "",
    title: str = "Gradient descent on f(w)",
) -> Descent1DArtists:
    """The lecture's 1D figure: f, the iterates joined by a path, downhill tangent arrows, dotted w* and f = 0."""
    grid = np.linspace(*xlim, 400)
    ax.plot(grid, objective.value(grid), color=COLORS["blue"], label=f"f(w) = {objective.latex}")
    ax.axvline(objective.minimizer, color=COLORS["grey"], linestyle=":", linewidth=2)
    ax.axhline(0.0, color=COLORS["grey"], linestyle=":", linewidth=2)
    ax.plot([], [], color=COLORS["black"], marker=r"$\rightarrow$", linestyle="none", markersize=14,
            label="downhill tangent")
    (path,) = ax.plot([], [], "o-", color=COLORS["vermillion"], linewidth=1.5, markersize=7, alpha=0.85,
                      label="iterates $w^{(k)}$", animated=animated, zorder=4)
    (start,) = ax.plot([], [], "s", color=COLORS["black"], markersize=10, label="start $w^{(0)}$",
                       animated=animated, zorder=5)
    zeros = np.zeros(ARROW_CAPACITY)
    arrows = ax.quiver(zeros, zeros, zeros, zeros, color=COLORS["black"],
                       angles="xy", scale_units="xy", scale=1, width=0.005, headwidth=4, headlength=5,
                       minlength=0, animated=animated, zorder=6)
    text = ax.text(0.5, 0.3, "", transform=ax.transAxes, ha="center", va="center", fontsize=16,
                   color=COLORS["vermillion"], fontweight="bold", animated=animated,
                   bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("w")
    ax.set_ylabel("f(w)")
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize=12, framealpha=0.95)
    artists = Descent1DArtists(ax, objective, path, start, arrows, text)
    artists.update(trajectory, message)
    return artists


def loss_gap(trajectory: Trajectory) -> np.ndarray:
    """f(w^(k)) - f* with f* = 0 (the lecture's objectives), floored at LOSS_FLOOR to be drawn on a log scale."""
    if trajectory.values is None:
        raise ValueError("trajectory has no values: run gradient_descent with f=...")
    with np.errstate(invalid="ignore"):
        return np.maximum(trajectory.values, LOSS_FLOOR)


def draw_loss_curves(
    ax: Axes,
    trajectories: Sequence[Trajectory],
    labels: Sequence[str],
    *,
    ylim: tuple[float, float] = (1e-16, 1e6),
    animated: bool = False,
    floor_note: Optional[bool] = None,
) -> list:
    """f(w^(k)) - f* against k on a log scale, one line per run; returns the lines.

    ``floor_note`` says under the curves that f - f* = 0 is drawn at the floor: by default when a
    run reaches it; a live panel passes True, since a later run may reach it.

    A run whose curve is the same as an earlier run's is drawn as hollow markers without a line,
    so both stay visible (on (w - 6)^2, gamma = 0.1 and 0.9 lose the same factor per step).
    """
    lines = []
    gaps = [np.clip(loss_gap(t), *ylim) for t in trajectories]
    for i, (gap, label) in enumerate(zip(gaps, labels)):
        marker = RUN_MARKERS[i % len(RUN_MARKERS)]
        same = [j for j, g in enumerate(gaps[:i]) if len(g) == len(gap) and np.allclose(g, gap, rtol=1e-9)]
        if same:
            label = f"{label} (on {labels[same[0]]})"
        (line,) = ax.semilogy(np.arange(len(gap)), gap, marker=marker, markersize=4,
                              label=label, animated=animated, color=CYCLE[i % len(CYCLE)])
        if same:
            line.set_linestyle("none")
            line.set_markersize(9)
            line.set_markerfacecolor("none")
            line.set_markeredgewidth(1.8)
        lines.append(line)
    if floor_note is None:
        floor_note = any(np.any(loss_gap(t) <= LOSS_FLOOR) for t in trajectories)
    if floor_note:
        ax.text(0.98, 0.05, "f − f* = 0 is drawn at $10^{-16}$", transform=ax.transAxes, fontsize=12,
                color=COLORS["grey"], ha="right", va="bottom")
    ax.set_ylim(*ylim)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("$f(w^{(k)}) - f^*$ (log scale)")
    ax.set_title("Loss against iteration")
    ax.legend(loc="center right")
    return lines


def draw_iterates(ax: Axes, trajectories: Sequence[Trajectory], labels: Sequence[str], *, minimizer: float,
                  shown: int = 12, ylim: tuple[float, float] = (-45.0, 60.0)) -> list:
    """The first ``shown`` iterates w^(k) of 1D runs against k, one colour and marker per run; returns the lines."""
    lines = []
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        w = trajectory.iterates.reshape(-1)[:shown]
        (line,) = ax.plot(np.arange(len(w)), np.clip(w, 2 * ylim[0], 2 * ylim[1]),
                          marker=RUN_MARKERS[i % len(RUN_MARKERS)], color=CYCLE[i % len(CYCLE)], label=label)
        lines.append(line)
    ax.axhline(minimizer, color=COLORS["grey"], linestyle=":", label=f"minimum w* = {minimizer:g}")
    ax.set_ylim(*ylim)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("$w^{(k)}$")
    ax.set_title("Iterates")
    ax.legend(loc="lower left", ncol=3, fontsize=12)
    return lines


def draw_step_size_runs(ax_iterates: Axes, ax_loss: Axes, trajectories: Sequence[Trajectory],
                        gammas: Sequence[float], *, minimizer: float) -> None:
    """Constant-step runs overlaid: the first iterates (top axes) and f(w^(k)) - f* on a log scale (bottom axes)."""
    if len(trajectories) != len(gammas):
        raise ValueError(f"trajectories and gammas must have the same length, "
                         f"got {len(trajectories)} and {len(gammas)}")
    labels = [f"γ = {g:g}" for g in gammas]
    draw_iterates(ax_iterates, trajectories, labels, minimizer=minimizer)
    ax_iterates.set_title(f"Iterates for {len(gammas)} step sizes (dotted: the minimum)")
    draw_loss_curves(ax_loss, trajectories, labels, ylim=(LOSS_FLOOR, 1e12))  # headroom for the legend
    ax_loss.legend(loc="upper right", ncol=3, fontsize=12)


def draw_schedule_runs(ax_steps: Axes, ax_loss: Axes, trajectories: Sequence[Trajectory], labels: Sequence[str],
                       landmarks: Sequence[float] = (0.5, 1.0)) -> None:
    """Runs with different schedules: the step sizes γ_k used (top axes, landmarks dotted) and their loss (bottom)."""
    if len(trajectories) != len(labels):
        raise ValueError(f"trajectories and labels must have the same length, "
                         f"got {len(trajectories)} and {len(labels)}")
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        ax_steps.plot(np.arange(trajectory.num_steps), trajectory.step_sizes, marker=RUN_MARKERS[i % len(RUN_MARKERS)],
                      color=CYCLE[i % len(CYCLE)], label=label)
    for value in landmarks:
        ax_steps.axhline(value, color=COLORS["grey"], linestyle=":")
    ax_steps.set_ylim(0, 1.1 * max(max(landmarks, default=0.0), *(float(np.max(t.step_sizes)) for t in trajectories)))
    ax_steps.set_xlabel("iteration k")
    ax_steps.set_ylabel("step size $γ_k$")
    ax_steps.set_title("Schedules (dotted: " + " and ".join(f"{v:g}" for v in landmarks) + ")")
    ax_steps.legend(loc="lower left", fontsize=12)
    draw_loss_curves(ax_loss, trajectories, labels)
    ax_loss.legend(loc="center right", fontsize=12)


def draw_contours(ax: Axes, objective: DiagonalQuadratic, lim: float, levels: int = 15) -> None:
    """Filled-line contours of a 2D quadratic on [-lim, lim]^2 with equal aspect."""
    grid = np.linspace(-lim, lim, 201)
    w1, w2 = np.meshgrid(grid, grid)
    values = objective.value(np.stack([w1, w2], axis=-1))
    ax.contour(w1, w2, values, levels=levels, cmap="cividis", linewidths=1.3)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")


def draw_gradient_direction(
    ax: Axes, objective: DiagonalQuadratic, point: Sequence[float] = (2.0, 1.5), scale: float = 0.2
) -> np.ndarray:
    """Contours of f with arrows for +grad (steepest ascent) and -grad at ``point``; returns the gradient."""
    point = np.asarray(point, dtype=float)
    g = objective.grad(point)
    draw_contours(ax, objective, 3.0, levels=10)
    for sign, color, label in ((1, COLORS["vermillion"], r"$+\nabla f$ (steepest ascent)"),
                               (-1, COLORS["blue"], r"$-\nabla f$ (steepest descent)")):
        ax.annotate("", xy=point + sign * scale * g, xytext=point,
                    arrowprops=dict(arrowstyle="-|>", color=color, linewidth=3, mutation_scale=25))
        ax.plot([], [], color=color, linewidth=3, label=label)
    ax.plot(*point, "o", color=COLORS["black"], markersize=9, label=f"w = ({point[0]:g}, {point[1]:g})")
    ax.plot([], [], color=colormaps["cividis"](0.1), linewidth=1.3, label="contours of f (dark: low)")
    ax.set_title(f"f(w) = {objective.latex}\n" + rf"$\nabla f$({point[0]:g}, {point[1]:g}) = ({g[0]:g}, {g[1]:g}), arrows drawn ×{scale:g}")
    ax.legend(loc="lower left", fontsize=12, framealpha=1)
    return g


def draw_path_2d(ax: Axes, trajectory: Trajectory, color: str, label: str) -> None:
    """A 2D trajectory as joined dots with its start marked."""
    path = trajectory.iterates
    ax.plot(path[:, 0], path[:, 1], "o-", color=color, markersize=4, linewidth=1.5, label=label)
    ax.plot(path[0, 0], path[0, 1], "s", color=COLORS["black"], markersize=8,
            label=f"start ({path[0, 0]:g}, {path[0, 1]:g})")


def draw_step_size_comparison(
    axes: Sequence[Axes], objective: DiagonalQuadratic, runs: Sequence[Trajectory], titles: Sequence[str]
) -> None:
    """The lecture's three panels: contours on [-1, 1]^2 with one run's 2D path in each (give stacked axes)."""
    if not (len(axes) == len(runs) == len(titles)):
        raise ValueError(f"axes, runs and titles must have the same length, got {len(axes)}, {len(runs)}, {len(titles)}")
    for i, (ax, run, title) in enumerate(zip(axes, runs, titles)):
        draw_contours(ax, objective, 1.0, levels=8)
        draw_path_2d(ax, run, CYCLE[i % len(CYCLE)], f"{run.num_steps} steps, {title}")
        ax.plot([], [], color=colormaps["cividis"](0.1), linewidth=1.3, label="contours of f (dark: low)")
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_title(title)
        ax.legend(loc="lower left", fontsize=12, framealpha=0.95)


RULER_LABEL_GAP = 0.015  # between the marker and its label, in units of gamma


@dataclass
class RulerArtists:
    """The moving parts of the step-size ruler: the current gamma_0 and the range of gamma_k used."""

    marker: object
    used: object
    label: object
    lines: tuple[float, ...] = ()  # where the landmark lines are: the label never covers one
    gamma_max: float = 1.25

    def _label_width(self) -> float:
        """The label's width in units of gamma, estimated from its font size and the strip's width."""
        ax = self.label.axes
        pixels = 0.62 * self.label.get_fontsize() * len(self.label.get_text()) * ax.figure.dpi / 72
        return pixels / max(ax.bbox.width, 1.0) * self.gamma_max

    def label_place(self, gamma0: float) -> tuple[float, str]:
        """(x, alignment) of the label: beside the marker, inside the strip and between the landmark lines around it.

        The label sits above the marker's height, so it may pass over the marker, never over a line.
        """
        width = self._label_width()
        edges = sorted({0.0, *self.lines, self.gamma_max})
        right = next((e for e in edges if e > gamma0), self.gamma_max)
        left = max((e for e in edges if e <= gamma0), default=0.0)
        pad = RULER_LABEL_GAP
        if gamma0 + pad + width <= right - pad:
            return gamma0 + pad, "left"
        if gamma0 - pad - width >= left + pad:
            return gamma0 - pad, "right"
        return max(left + pad, right - pad - width), "left"  # the gap between the lines, as near the marker as fits

    def update(self, gamma0: float, used: Optional[np.ndarray] = None) -> None:
        """Move the marker to gamma0 and draw the span of step sizes the run actually used."""
        self.marker.set_data([gamma0], [0.5])
        if used is not None and len(used):
            self.used.set_data([float(np.min(used)), float(np.max(used))], [0.5, 0.5])
        else:
            self.used.set_data([gamma0, gamma0], [0.5, 0.5])
        self.label.set_text(f"γ₀ = {gamma0:.2f}")
        x, alignment = self.label_place(gamma0)
        self.label.set_position((x, 0.95))
        self.label.set_horizontalalignment(alignment)


def draw_step_size_ruler(
    ax: Axes, landmarks: Mapping[str, float], gamma_max: float = 1.25, *, animated: bool = False
) -> RulerArtists:
    """A strip over gamma coloured by regime, with the landmarks (``descent.step_size_landmarks``) marked."""
    one, edge = landmarks["one step"], landmarks["endless oscillation"]
    ax.axvspan(0, one, color=COLORS["sky"], alpha=0.35, linewidth=0)
    ax.axvspan(one, edge, color=COLORS["orange"], alpha=0.35, linewidth=0)
    ax.axvspan(edge, gamma_max, color=COLORS["vermillion"], alpha=0.35, linewidth=0)
    for x in (one, edge):
        ax.axvline(x, color=COLORS["black"], linewidth=2)
    ax.text(one / 2, 0.12, "creeps in", ha="center", va="bottom", fontsize=13)
    ax.text((one + edge) / 2, 0.12, "oscillates, converges", ha="center", va="bottom", fontsize=13)
    ax.text((edge + gamma_max) / 2, 0.12, "diverges", ha="center", va="bottom", fontsize=13)
    ax.set_xticks([0, 0.25, one, 0.75, edge, gamma_max])
    ax.set_xticklabels(["0", "0.25", f"{one:g}\none step", "0.75", f"{edge:g}\noscillates forever", f"{gamma_max:g}"])
    ax.set_xlim(0, gamma_max)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("step size γ")
    (used,) = ax.plot([], [], color=COLORS["black"], linewidth=5, solid_capstyle="butt", animated=animated)
    (marker,) = ax.plot([], [], "v", color=COLORS["black"], markersize=16, animated=animated)
    label = ax.text(0, 0.95, "", ha="center", va="top", fontsize=13, fontweight="bold", animated=animated)
    return RulerArtists(marker, used, label, (one, edge), gamma_max)
