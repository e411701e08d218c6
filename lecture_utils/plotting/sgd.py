"""Figures of notebook 05: the quartic from two starts, the two-basin risk with SGD and GD paths,
loss against work, the spread of mini-batch estimates, timing, the last iterates with and without decay,
fixed-step GD's regimes, leaving a saddle, and a step size tuned on held-out data.

Colour roles: SGD is vermillion (a second SGD variant reddish purple), full-batch GD is blue (a second GD
run bluish green); SGD never gets GD's colour. The filled contours of L(w) use cividis: dark is low.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..descent import Trajectory
from ..functions import NonConvexQuartic
from ..landscape import RobustCentreRisk
from ..sgd import SGDResult, StepSizeSearch
from .alt import note
from .style import COLORS

RISK_XLIM = (-2.2, 2.6)
RISK_YLIM = (-1.6, 1.6)
SGD_COLOR = COLORS["vermillion"]
SGD_COLOR_2 = COLORS["purple"]  # a second SGD variant (e.g. with decay)
GD_COLOR = COLORS["blue"]
GD_COLOR_2 = COLORS["green"]  # a second full-batch run (sky blue is below 3:1 contrast on white)


def draw_quartic_runs(ax: Axes, quartic: NonConvexQuartic, runs: Sequence[Trajectory], labels: Sequence[str],
                      xlim: tuple[float, float] = (-1.5, 3.5)) -> None:
    """f on [-1.5, 3.5] with each run's iterates on the curve and the three stationary points marked."""
    grid = np.linspace(*xlim, 400)
    ax.plot(grid, quartic.value(grid), color=COLORS["black"], linewidth=2, label="f(w)")
    colors = (GD_COLOR, GD_COLOR_2, COLORS["orange"])
    for run, label, color, marker in zip(runs, labels, colors, ("o", "s", "^")):
        w = run.iterates.reshape(-1)
        ax.plot(w, quartic.value(w), marker, color=color, markersize=5, markerfacecolor="none", markeredgewidth=1.0,
                label=f"{label}: iterates")
        ax.plot(w[-1], quartic.value(w[-1]), "*", color=color, markersize=20, markeredgecolor="black",
                label=f"{label}: last iterate")
    names = ("global min", "local max", "local min")
    for w_s, name, dy in zip(quartic.stationary_points(), names, (-50, 12, -50)):
        ax.axvline(w_s, color=COLORS["grey"], linestyle=":", linewidth=1.5)
        ax.annotate(f"{name}\nw ≈ {w_s:.3f}", (w_s, quartic.value(w_s)), xytext=(0, dy),
                    textcoords="offset points", ha="center", fontsize=12,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
    ax.set_xlim(*xlim)
    ax.set_ylim(-5.5, 10.0)
    ax.set_xlabel("w")
    ax.set_ylabel("f(w)")
    ax.set_title("Gradient descent on the quartic, γ = 0.01, 150 steps")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=11, ncol=2, frameon=False)


def draw_risk_background(ax: Axes, risk: RobustCentreRisk, *, levels: int = 24, show_data: bool = True,
                         xlim: tuple[float, float] = RISK_XLIM, ylim: tuple[float, float] = RISK_YLIM,
                         grid: tuple[int, int] = (121, 81), filled: bool = True) -> object:
    """Contours of L(w) (cividis, dark = low), the data points, both minima and the saddle; returns the filled contours."""
    x = np.linspace(*xlim, grid[0])
    y = np.linspace(*ylim, grid[1])
    z = risk.value_grid(x, y)
    deep, shallow = risk.minima()
    saddle = risk.saddle()
    low = risk.value(deep)
    # Levels spaced by the square root so that the shallow basin gets contours too.
    steps = np.linspace(0.0, np.sqrt(z.max() - low), levels) ** 2 + low
    steps = np.unique(np.concatenate([steps, [risk.value(saddle) + 0.05, risk.value(shallow) + 0.2]]))
    if filled:  # bands only: contour lines on top would triple the size of the stored image
        fill = ax.contourf(x, y, z, levels=steps, cmap="cividis", alpha=0.55)
    else:  # contour lines only (a zoom where the colours would say little)
        fill = None
        ax.contour(x, y, z, levels=steps, colors=COLORS["grey"], linewidths=0.8, alpha=0.6)
    if show_data:
        mask = risk.in_clump if risk.in_clump is not None else np.zeros(risk.n, dtype=bool)
        ax.plot(*risk.data[~mask].T, ".", color=COLORS["grey"], markersize=3, label="main cloud")
        ax.plot(*risk.data[mask].T, ".", color=COLORS["purple"], markersize=3, label="clump")
    # the markers go on top of the paths (zorder 9), and only those inside the view are drawn
    for point, marker, color, size, label in ((deep, "P", COLORS["green"], 15, "deep minimum"),
                                              (shallow, "X", "white", 14, "shallow minimum"),
                                              (saddle, "D", COLORS["yellow"], 10, "saddle")):
        if xlim[0] <= point[0] <= xlim[1] and ylim[0] <= point[1] <= ylim[1]:
            ax.plot(*point, marker, color=color, markersize=size, markeredgecolor="black", markeredgewidth=1.5,
                    label=label, zorder=9)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return fill


def add_loss_colorbar(ax: Axes, filled: object, *, spacing: str = "uniform", ticks: int = 5) -> object:
    """A colour bar for the filled contours of L(w), saying what its colours mean.

    ``spacing="proportional"`` gives each band a height in proportion to its range of L (evenly spread ticks).
    """
    bar = ax.figure.colorbar(filled, ax=ax, shrink=0.9, pad=0.02, spacing=spacing)
    bar.set_label(r"$\mathcal{L}(w)$: dark = low")
    bar.locator = MaxNLocator(ticks)
    bar.update_ticks()
    return bar


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
    (sgd_line,) = ax.plot([], [], "-", color=SGD_COLOR, linewidth=1.0, label=sgd_label,
                          animated=animated, zorder=4)
    (gd_line,) = ax.plot([], [], "o-", color=GD_COLOR, linewidth=2, markersize=5, label=gd_label,
                         animated=animated, zorder=5)
    (sgd_end,) = ax.plot([], [], "*", color=SGD_COLOR, markersize=24, markerfacecolor="none", markeredgewidth=2.5,
                         animated=animated, zorder=6, label="SGD's last iterate")
    (gd_end,) = ax.plot([], [], "*", color=GD_COLOR, markersize=24, markerfacecolor="none", markeredgewidth=2.5,
                        animated=animated, zorder=6, label="GD's last iterate")
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
                      ylim: tuple[float, float] = (45.0, 95.0),
                      title: str = "Loss against work done") -> LossArtists:
    """Full-data loss L(w) against per-example gradient evaluations for SGD and GD, with both minima's levels."""
    deep, shallow = risk.minima()
    # the two reference levels: thin, black, on top of the curves, so a curve lying on one cannot hide it
    ax.axhline(risk.value(shallow), color=COLORS["black"], linestyle=(0, (5, 3)), linewidth=1.2, zorder=5,
               label=f"shallow min, ℒ = {risk.value(shallow):.1f}")
    ax.axhline(risk.value(deep), color=COLORS["black"], linestyle=":", linewidth=1.6, zorder=5,
               label=f"deep min, ℒ = {risk.value(deep):.1f}")
    (sgd_line,) = ax.plot([], [], "-", color=SGD_COLOR, linewidth=2, label=f"SGD, |B| = {run.batch_size}",
                          animated=animated)
    (gd_line,) = ax.plot([], [], "o-", color=GD_COLOR, markersize=4, linewidth=3, alpha=0.8, label="full-batch GD",
                         animated=animated)
    artists = LossArtists(sgd_line, gd_line)
    artists.update(run, gd, risk, ylim)
    ax.set_xlim(0, budget if budget is not None else max(run.evaluations[-1], 1))
    ax.set_ylim(*ylim)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 1000:g}k" if x else "0"))
    ax.set_xlabel("per-example gradients computed")
    ax.set_ylabel(r"full-data loss $\mathcal{L}(w)$")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=12)  # above the shallow level on the right: the curves have left it
    return artists


def draw_estimate_histograms(axes: Sequence[Axes], estimates: np.ndarray, full: np.ndarray,
                             batch_size: int) -> None:
    """One histogram per gradient component of many mini-batch estimates, the full gradient and their mean marked."""
    for j, ax in enumerate(axes):
        ax.hist(estimates[:, j], bins=40, color=SGD_COLOR, alpha=0.35, edgecolor="white",
                label=f"{len(estimates)} mini-batch estimates")
        ax.axvline(full[j], color=GD_COLOR, linewidth=3, label=f"full gradient {full[j]:.2f}")
        ax.axvline(estimates[:, j].mean(), color=COLORS["black"], linestyle="--", linewidth=2,
                   label=f"mean of estimates {estimates[:, j].mean():.2f}")
        ax.set_xlabel(f"component {j + 1} of the estimate")
        ax.set_ylabel("count")
        ax.set_title(rf"$\partial\mathcal{{L}}/\partial w_{j + 1}$: mini-batches of {batch_size}")
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
    add_loss_colorbar(ax, draw_risk_background(ax, risk, levels=12, show_data=False, xlim=xlim, ylim=ylim),
                      spacing="proportional", ticks=4)
    styles = ((SGD_COLOR, "o"), (SGD_COLOR_2, "^"))
    for finals, label, (color, marker) in zip(groups, labels, styles):
        ax.plot(finals[:, 0], finals[:, 1], marker, color=color, markersize=6,
                markeredgecolor="black", markeredgewidth=0.5, label=label)
    ax.set_title(f"Last iterates of {len(groups[0])} runs")
    handles, names = ax.get_legend_handles_labels()
    keep = [i for i, name in enumerate(names) if name in ("deep minimum", *labels)]
    ax.legend([handles[i] for i in keep], [names[i] for i in keep], loc="upper center",
              bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=11, frameon=False)
    if len(groups) > 1:  # the tightest group, enlarged in a corner
        tight = groups[-1]
        half = max(3.0 * float(np.sqrt(np.mean(np.sum((tight - deep) ** 2, axis=1)))), 1e-3)
        inset = ax.inset_axes([0.64, 0.60, 0.34, 0.38])
        inset.plot(tight[:, 0], tight[:, 1], styles[len(groups) - 1][1], color=styles[len(groups) - 1][0],
                   markersize=4, markeredgecolor="black", markeredgewidth=0.3)
        inset.plot(*deep, "P", color=COLORS["green"], markersize=12, markeredgecolor="black", zorder=9)
        inset.set_xlim(deep[0] - half, deep[0] + half)
        inset.set_ylim(deep[1] - half, deep[1] + half)
        inset.set_aspect("equal")
        inset.set_facecolor("white")
        inset.tick_params(labelsize=9)
        inset.text(0.04, 0.96, "zoom", transform=inset.transAxes, ha="left", va="top", fontsize=10)
        ax.indicate_inset_zoom(inset, edgecolor="black")
        note(ax, f"An inset in the upper right enlarges the last iterates of “{labels[-1]}” to ±{half:.2g} around "
                 "the deep minimum.", key="inset")


def draw_map(ax: Axes, risk: RobustCentreRisk, run: SGDResult, gd: Trajectory, *, title: str,
             sgd_label: str) -> PathArtists:
    """SGD's and GD's paths over L(w), with its colour bar and the legend under the map."""
    add_loss_colorbar(ax, draw_risk_background(ax, risk, levels=16))
    paths = draw_paths(ax, run, gd, sgd_label=sgd_label)
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=11, frameon=False)
    return paths


def draw_comparison(ax_map: Axes, ax_loss: Axes, risk: RobustCentreRisk, run: SGDResult, gd: Trajectory, *,
                    title: str, budget: int, sgd_label: str) -> tuple[PathArtists, LossArtists]:
    """Paths over L(w) (with its colour bar) above the loss against work: SGD against full-batch GD."""
    paths = draw_map(ax_map, risk, run, gd, title=title, sgd_label=sgd_label)
    losses = draw_loss_vs_work(ax_loss, risk, run, gd, budget=budget)
    return paths, losses


def draw_distance_to_minimum(ax: Axes, paths: Sequence[np.ndarray], labels: Sequence[str],
                             minimum: np.ndarray, ylim: tuple[float, float] = (1e-3, 1.0)) -> list:
    """Root-mean-square distance to w* over seeds against the global step k (log scale), in the SGD colours.

    ``paths``: one array (S, K + 1, d) of iterates per schedule.
    """
    lines = []
    for path, label, color, style in zip(paths, labels, (SGD_COLOR, SGD_COLOR_2), ("-", "--")):
        rms = np.sqrt(np.mean(np.sum((path - minimum) ** 2, axis=-1), axis=0))  # (K + 1,)
        (line,) = ax.semilogy(np.arange(1, len(rms)), rms[1:], style, color=color, linewidth=2, label=label)
        lines.append(line)
    ax.set_ylim(*ylim)
    ax.set_xlabel("global step k")
    ax.set_ylabel("RMS distance to the minimum")
    ax.set_title(f"All {len(paths[0])} runs, started at the minimum")
    ax.legend(loc="lower left", fontsize=12)
    return lines


def draw_step_sweep(ax: Axes, step_sizes: np.ndarray, distances: np.ndarray, escaped: np.ndarray, *,
                    escape_edge: float, sharp_edge: float, flat_edge: float, num_steps: int) -> list:
    """Fixed-step GD from the start: distance of w^(K) to the deep minimum against γ, with the four regimes shaded.

    ``escape_edge`` is the first step on the grid that escapes; ``sharp_edge`` = 2/λ_max of the shallow basin,
    ``flat_edge`` = 2/λ_max of the deep one.
    """
    low, high = float(step_sizes[0]), float(step_sizes[-1])
    bands = [(low, sharp_edge, COLORS["orange"], 0.10, "trapped,\nsettles"),
             (sharp_edge, escape_edge, COLORS["orange"], 0.25, "trapped,\nbounces"),
             (escape_edge, flat_edge, COLORS["green"], 0.35, "escapes\n+ settles"),
             (flat_edge, high, COLORS["green"], 0.12, "escapes,\nbounces")]
    artists = []
    for left, right, color, alpha, text in bands:
        artists.append(ax.axvspan(left, right, color=color, alpha=alpha, linewidth=0))
        artists.append(ax.text(0.5 * (left + right), 1.02, text, transform=ax.get_xaxis_transform(),
                               ha="center", va="bottom", fontsize=11))
    ok = np.asarray(escaped, dtype=bool)
    artists += ax.plot(step_sizes[~ok], distances[~ok], "X", color=COLORS["orange"], markersize=7,
                       markeredgecolor="black", markeredgewidth=0.4, linestyle="none",
                       label="ends in the shallow basin")
    artists += ax.plot(step_sizes[ok], distances[ok], "P", color=COLORS["green"], markersize=7,
                       markeredgecolor="black", markeredgewidth=0.4, linestyle="none",
                       label="ends in the deep basin")
    for x, style, label in ((sharp_edge, ":", f"2/84.5 = {sharp_edge:.4f}"),
                            (flat_edge, "--", f"2/59.3 = {flat_edge:.4f}")):
        artists.append(ax.axvline(x, color=COLORS["black"], linestyle=style, linewidth=1.5, label=label))
    ax.set_xlim(low, high)
    ax.set_yscale("log")  # distances are positive: no 0 on this axis
    ax.set_ylim(1e-3, 5)
    ax.set_xlabel("constant step size γ of full-batch GD")
    ax.set_ylabel(f"distance of $w^{{({num_steps})}}$\nto the deep minimum")
    ax.set_title(f"Fixed-step GD from the start, {num_steps} steps", pad=46)
    ax.legend(loc="center left", fontsize=11)
    return artists


def draw_long_runs(ax: Axes, paths: np.ndarray, step_sizes: Sequence[float], minimum: np.ndarray) -> list:
    """||w^(k) - w*|| at the even steps k (log scale) for long fixed-step GD runs, one GD colour each.

    Every second step only: a run that bounces with period 2 would otherwise draw a solid zigzag band.
    """
    lines = []
    for path, gamma, color, style in zip(paths, step_sizes, (GD_COLOR, GD_COLOR_2), ("-", "--")):
        k = np.arange(0, len(path), 2)
        distance = np.maximum(np.linalg.norm(path[k] - minimum, axis=1), 1e-16)
        (line,) = ax.semilogy(k, distance, style, color=color, linewidth=1.8, label=f"GD, γ = {gamma:g}")
        lines.append(line)
    ax.set_ylim(1e-10, 10)  # a settled run leaves through the bottom instead of drawing rounding-error noise
    ax.set_xlim(0, len(paths[0]) - 1)
    ax.set_xlabel("step k (even steps drawn)")
    ax.set_ylabel("distance to the deep minimum")
    ax.set_title("Run longer: one settles, one bounces across the minimum")
    ax.legend(loc="lower left", fontsize=12)
    return lines


def draw_saddle_escape(ax: Axes, saddle: np.ndarray, gd_path: np.ndarray, sgd_paths: np.ndarray,
                       radius: float, batch_size: int, n: int) -> list:
    """Distance to the saddle against the step (log scale): GD's one run, SGD's median and 10-90% band over seeds."""
    steps = np.arange(sgd_paths.shape[1])
    distances = np.linalg.norm(sgd_paths - saddle, axis=-1)  # (S, K + 1)
    low, mid, high = np.percentile(distances, [10, 50, 90], axis=0)
    artists = [ax.fill_between(steps, low, high, color=SGD_COLOR, alpha=0.25, linewidth=0,
                               label=f"SGD, middle 80% of {len(distances)} seeds")]
    artists += ax.semilogy(steps, mid, color=SGD_COLOR, linewidth=2.5, label=f"SGD, median of {len(distances)} seeds")
    artists += ax.semilogy(np.arange(len(gd_path)), np.linalg.norm(gd_path - saddle, axis=1), color=GD_COLOR,
                           linewidth=2.5, label="full-batch GD")
    artists.append(ax.axhline(radius, color=COLORS["black"], linestyle="--", linewidth=1.2,
                              label=f"distance {radius:g}: has left"))
    ax.set_xlim(0, steps[-1])
    ax.set_ylim(1e-6, 5)
    ax.set_xlabel(f"step k (one SGD step costs {batch_size}/{n} of a GD step)")
    ax.set_ylabel("distance to the saddle")
    ax.set_title("Started 0.001 from the saddle: GD stalls, SGD leaves")
    ax.legend(loc="lower right", fontsize=11)
    return artists


def draw_validation_curve(ax: Axes, search: StepSizeSearch) -> list:
    """Mean validation and training loss of the last iterates against γ₀ (seeds as dots), the chosen γ₀ marked."""
    g0 = np.asarray(search.gamma0s)
    val, train = np.asarray(search.validation_loss), np.asarray(search.train_loss)
    artists = []
    jitter = np.linspace(-0.15, 0.15, val.shape[1]) * (g0[1] - g0[0] if len(g0) > 1 else 1.0)
    for j, gamma in enumerate(g0):
        artists += ax.plot(gamma + jitter, val[j], ".", color=SGD_COLOR, markersize=4,
                           label=f"validation loss, each of {val.shape[1]} seeds" if j == 0 else None)
    artists += ax.plot(g0, np.nanmean(val, axis=1), "o-", color=SGD_COLOR, linewidth=2.5,
                       label="validation loss, mean over seeds")
    artists += ax.plot(g0, np.nanmean(train, axis=1), "s--", color=COLORS["black"], linewidth=1.5,
                       label="training loss, mean over seeds")
    artists.append(ax.axvline(search.best, color=COLORS["green"], linewidth=2.5,
                              label=f"chosen γ₀ = {search.best:g}"))
    ax.set_xlabel(r"$\gamma_0$ of $\gamma_k = \gamma_0\,/\,(1 + d\,k)$")
    ax.set_ylabel("mean loss per example")
    ax.set_title(f"Tuning γ₀: trained on {search.n_train}, scored on {search.n_validation} held-out examples")
    ax.legend(loc="upper right", fontsize=11)
    return artists


def draw_step_regimes(ax_sweep: Axes, ax_long: Axes, step_sizes: np.ndarray, distances: np.ndarray,
                      escaped: np.ndarray, long_paths: np.ndarray, long_steps: Sequence[float], minimum: np.ndarray, *,
                      escape_edge: float, sharp_edge: float, flat_edge: float, num_steps: int) -> tuple[list, list]:
    """The fixed-step sweep (``draw_step_sweep``) above two long runs (``draw_long_runs``): where GD escapes, settles."""
    sweep = draw_step_sweep(ax_sweep, step_sizes, distances, escaped, escape_edge=escape_edge,
                            sharp_edge=sharp_edge, flat_edge=flat_edge, num_steps=num_steps)
    return sweep, draw_long_runs(ax_long, long_paths, long_steps, minimum)


def draw_settling(ax_spread: Axes, ax_dist: Axes, risk: RobustCentreRisk, paths: Sequence[np.ndarray],
                  labels: Sequence[str], minimum: np.ndarray) -> list:
    """Many runs started at the minimum: their last iterates over ℒ (``draw_final_spread``) above the RMS distance
    against the step (``draw_distance_to_minimum``); ``paths`` holds one array (S, K + 1, d) per schedule."""
    draw_final_spread(ax_spread, risk, [p[:, -1] for p in paths], labels)
    return draw_distance_to_minimum(ax_dist, paths, labels, minimum)
