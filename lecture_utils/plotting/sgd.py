"""Figures of notebook 05: the quartic from two starts, the two-basin risk with SGD and GD paths,
loss against work, the spread of mini-batch estimates, timing, and the last iterates with and without decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..descent import Trajectory
from ..functions import NonConvexQuartic
from ..landscape import RobustCentreRisk
from ..sgd import SGDResult
from .style import COLORS

RISK_XLIM = (-2.2, 2.6)
RISK_YLIM = (-1.6, 1.6)
SGD_COLOR = COLORS["vermillion"]
GD_COLOR = COLORS["blue"]


def draw_quartic_runs(ax: Axes, quartic: NonConvexQuartic, runs: Sequence[Trajectory], labels: Sequence[str],
                      xlim: tuple[float, float] = (-1.5, 3.5)) -> None:
    """f on [-1.5, 3.5] with each run's iterates on the curve and the three stationary points marked."""
    grid = np.linspace(*xlim, 400)
    ax.plot(grid, quartic.value(grid), color=COLORS["black"], linewidth=2, label="f(w)")
    colors = (COLORS["green"], COLORS["vermillion"], COLORS["blue"])
    for run, label, color in zip(runs, labels, colors):
        w = run.iterates.reshape(-1)
        ax.plot(w, quartic.value(w), "o", color=color, markersize=5, alpha=0.6, label=label)
        ax.plot(w[-1], quartic.value(w[-1]), "*", color=color, markersize=20, markeredgecolor="black")
    names = ("global min", "local max", "local min")
    for w_s, name, dy in zip(quartic.stationary_points(), names, (-50, 12, -50)):
        ax.axvline(w_s, color=COLORS["grey"], linestyle=":", linewidth=1.5)
        ax.annotate(f"{name}\nw ≈ {w_s:.3f}", (w_s, quartic.value(w_s)), xytext=(0, dy),
                    textcoords="offset points", ha="center", fontsize=12,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
    ax.set_xlim(*xlim)
    ax.set_ylim(-4.2, 10.0)
    ax.set_xlabel("w")
    ax.set_ylabel("f(w)")
    ax.set_title("Gradient descent on the quartic, γ = 0.01, 150 steps")
    ax.legend(loc="lower center", fontsize=12)


def draw_risk_background(ax: Axes, risk: RobustCentreRisk, *, levels: int = 24, show_data: bool = True,
                         xlim: tuple[float, float] = RISK_XLIM, ylim: tuple[float, float] = RISK_YLIM) -> None:
    """Contours of L(w), the data points (clump and main cloud), both minima and the saddle between them."""
    x = np.linspace(*xlim, 121)
    y = np.linspace(*ylim, 81)
    z = risk.value_grid(x, y)
    deep, shallow = risk.minima()
    saddle = risk.saddle()
    low = risk.value(deep)
    # Levels spaced by the square root so that the shallow basin gets contours too.
    steps = np.linspace(0.0, np.sqrt(z.max() - low), levels) ** 2 + low
    steps = np.unique(np.concatenate([steps, [risk.value(saddle) + 0.05, risk.value(shallow) + 0.2]]))
    ax.contourf(x, y, z, levels=steps, cmap="cividis", alpha=0.55)
    ax.contour(x, y, z, levels=steps, colors="white", linewidths=0.6, alpha=0.8)
    if show_data:
        mask = risk.in_clump if risk.in_clump is not None else np.zeros(risk.n, dtype=bool)
        ax.plot(*risk.data[~mask].T, ".", color=COLORS["grey"], markersize=3, alpha=0.6, label="main cloud")
        ax.plot(*risk.data[mask].T, ".", color=COLORS["purple"], markersize=3, alpha=0.8, label="clump")
    ax.plot(*deep, "P", color=COLORS["green"], markersize=15, markeredgecolor="black", label="deep minimum")
    ax.plot(*shallow, "X", color=COLORS["orange"], markersize=14, markeredgecolor="black",
            label="shallow minimum")
    ax.plot(*saddle, "D", color=COLORS["yellow"], markersize=10, markeredgecolor="black", label="saddle")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")


@dataclass
class PathArtists:
    """The moving parts of the contour plot: the SGD and GD paths, their end points and a message."""

    sgd_line: object
    gd_line: object
    sgd_end: object
    gd_end: object
    start: object
    message: object

    def update(self, run: SGDResult, gd: Trajectory) -> None:
        """Show new runs (a diverged run's last finite points only, with a message)."""
        w = run.iterates
        self.sgd_line.set_data(w[:, 0], w[:, 1])
        self.sgd_end.set_data(w[-1:, 0], w[-1:, 1])
        g = gd.iterates
        self.gd_line.set_data(g[:, 0], g[:, 1])
        self.gd_end.set_data(g[-1:, 0], g[-1:, 1])
        self.start.set_data(w[:1, 0], w[:1, 1])
        self.message.set_text("SGD diverged: the step is far too large" if run.diverged else "")


def draw_paths(ax: Axes, run: SGDResult, gd: Trajectory, *, animated: bool = False,
               sgd_label: str = "SGD", gd_label: str = "full-batch GD") -> PathArtists:
    """The SGD path (thin, many steps) and the GD path (dots) over the background; returns their artists."""
    (sgd_line,) = ax.plot([], [], "-", color=SGD_COLOR, linewidth=1.0, alpha=0.85, label=sgd_label,
                          animated=animated, zorder=4)
    (gd_line,) = ax.plot([], [], "o-", color=GD_COLOR, linewidth=2, markersize=5, label=gd_label,
                         animated=animated, zorder=5)
    (sgd_end,) = ax.plot([], [], "*", color=SGD_COLOR, markersize=22, markeredgecolor="black",
                         animated=animated, zorder=6)
    (gd_end,) = ax.plot([], [], "*", color=GD_COLOR, markersize=22, markeredgecolor="black",
                        animated=animated, zorder=6)
    (start,) = ax.plot([], [], "s", color=COLORS["black"], markersize=10, label="start", animated=animated,
                       zorder=7)
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=16,
                      color=COLORS["vermillion"], fontweight="bold", animated=animated, zorder=8,
                      bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
    artists = PathArtists(sgd_line, gd_line, sgd_end, gd_end, start, message)
    artists.update(run, gd)
    return artists


def _gd_loss_curve(gd: Trajectory, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(per-example gradients spent, L(w_k)) for a full-batch run: step k has cost k n."""
    if gd.values is None:
        raise ValueError("gd must record its losses: run gradient_descent with f=risk.value")
    return np.arange(len(gd.values)) * n, gd.values


@dataclass
class LossArtists:
    """The moving parts of the loss-versus-work plot."""

    sgd_line: object
    gd_line: object

    def update(self, run: SGDResult, gd: Trajectory, risk: RobustCentreRisk, ylim: tuple[float, float]) -> None:
        """Show the loss curves of new runs (clipped to the axes so Agg never sees huge numbers)."""
        self.sgd_line.set_data(run.loss_evaluations, np.clip(run.loss_values, *ylim))
        x, y = _gd_loss_curve(gd, risk.n)
        self.gd_line.set_data(x, np.clip(y, *ylim))


def draw_loss_vs_work(ax: Axes, risk: RobustCentreRisk, run: SGDResult, gd: Trajectory, *,
                      budget: Optional[int] = None, animated: bool = False,
                      ylim: tuple[float, float] = (45.0, 80.0)) -> LossArtists:
    """Full-data loss L(w) against per-example gradient evaluations for SGD and GD, with both minima's levels."""
    deep, shallow = risk.minima()
    ax.axhline(risk.value(shallow), color=COLORS["orange"], linestyle="--", linewidth=2,
               label=f"shallow min, L = {risk.value(shallow):.1f}")
    ax.axhline(risk.value(deep), color=COLORS["green"], linestyle="--", linewidth=2,
               label=f"deep min, L = {risk.value(deep):.1f}")
    (sgd_line,) = ax.plot([], [], "-", color=SGD_COLOR, linewidth=2, label=f"SGD, |B| = {run.batch_size}",
                          animated=animated)
    (gd_line,) = ax.plot([], [], "o-", color=GD_COLOR, markersize=4, linewidth=2, label="full-batch GD",
                         animated=animated)
    artists = LossArtists(sgd_line, gd_line)
    artists.update(run, gd, risk, ylim)
    ax.set_xlim(0, budget if budget is not None else max(run.evaluations[-1], 1))
    ax.set_ylim(*ylim)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 1000:g}k" if x else "0"))
    ax.set_xlabel("per-example gradients computed")
    ax.set_ylabel("full-data loss L(w)")
    ax.set_title("Loss against work done")
    ax.legend(loc="upper right", fontsize=12)
    return artists


def draw_estimate_histograms(axes: Sequence[Axes], estimates: np.ndarray, full: np.ndarray,
                             batch_size: int) -> None:
    """One histogram per gradient component of many mini-batch estimates, the full gradient and their mean marked."""
    for j, ax in enumerate(axes):
        ax.hist(estimates[:, j], bins=40, color=COLORS["sky"], edgecolor="white", label=f"{len(estimates)} estimates")
        ax.axvline(full[j], color=COLORS["vermillion"], linewidth=3, label=f"full gradient {full[j]:.2f}")
        ax.axvline(estimates[:, j].mean(), color=COLORS["black"], linestyle="--", linewidth=2,
                   label=f"mean of estimates {estimates[:, j].mean():.2f}")
        ax.set_xlabel(f"component {j + 1} of the estimate")
        ax.set_ylabel("count")
        ax.set_title(f"∂L/∂w{j + 1}: mini-batches of {batch_size}")
        ax.legend(loc="upper left", fontsize=11)


def draw_timing(ax: Axes, ns: np.ndarray, full_times: np.ndarray, batch_time: float, batch_size: int) -> None:
    """Seconds per full-batch gradient against n (log-log), with one mini-batch gradient as a flat line."""
    ax.loglog(ns, full_times * 1e3, "o-", color=GD_COLOR, label="full batch: all n examples")
    ax.axhline(batch_time * 1e3, color=SGD_COLOR, linestyle="--", label=f"one mini-batch of {batch_size}")
    ax.set_xlabel("number of examples n")
    ax.set_ylabel("milliseconds per gradient")
    ax.set_title("Cost of one gradient")
    ax.legend(loc="upper left")


def draw_final_spread(ax: Axes, risk: RobustCentreRisk, groups: Sequence[np.ndarray], labels: Sequence[str],
                      half_width: float = 0.45) -> None:
    """The last iterates of many runs near the deep minimum, one colour per group."""
    deep, _ = risk.minima()
    xlim = (deep[0] - half_width, deep[0] + half_width)
    ylim = (deep[1] - half_width, deep[1] + half_width)
    draw_risk_background(ax, risk, levels=30, show_data=False, xlim=xlim, ylim=ylim)
    for finals, label, color, marker in zip(groups, labels, (SGD_COLOR, COLORS["blue"]), ("o", "^")):
        ax.plot(finals[:, 0], finals[:, 1], marker, color=color, markersize=6, alpha=0.75,
                markeredgecolor="black", markeredgewidth=0.5, label=label)
    ax.set_title("Last iterates of 100 runs")
    handles, names = ax.get_legend_handles_labels()
    keep = [i for i, name in enumerate(names) if name in ("deep minimum", *labels)]
    ax.legend([handles[i] for i in keep], [names[i] for i in keep], loc="upper left", fontsize=11)
