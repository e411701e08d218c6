"""Figures of notebook 07: paths in a ravine, loss curves against the closed-form rate, the (gamma, beta) rate map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..descent import Trajectory
from ..functions import DiagonalQuadratic
from ..momentum import heavy_ball_edge, linear_rate, nesterov_edge
from .descent import LOSS_FLOOR
from matplotlib import patheffects

from .style import COLORS, CYCLE

RAVINE_XLIM = (-11.0, 3.0)
RAVINE_YLIM = (-4.0, 4.0)
LOSS_YLIM = (1e-16, 1e4)
RATE_RANGE = (0.75, 1.0)  # the colour scale of the rate map; rates >= 1 (divergence) get their own colour
METHOD_COLORS = {"GD": COLORS["blue"], "momentum": COLORS["vermillion"], "Nesterov": COLORS["green"],
                 "RMSProp": COLORS["purple"], "Adam": COLORS["orange"]}
# The colours of notebook 07's static runs: one per method, plus the two other settings its section-2 figure
# compares. Every run has a colour of its own (black for heavy ball at gamma = 1, beta = 0.9, never RMSProp's pink).
RUN_COLORS = {**METHOD_COLORS, "GD, short step": COLORS["sky"], "momentum, β = 0.9": COLORS["black"]}
# Colour is never the only cue: each run also has its line style (loss and cost curves) and its marker (the
# iterates of a path or on a curve). The runs that share a loss or cost figure have different line styles.
DASH_DOT_DOT = (0, (7, 2, 1.5, 2, 1.5, 2))
RUN_LINESTYLES = {"GD": "-", "GD, short step": ":", "momentum": "--", "momentum, β = 0.9": "-.",
                  "Nesterov": "-.", "RMSProp": ":", "Adam": DASH_DOT_DOT}
RUN_MARKERS = {"GD": "o", "GD, short step": "o", "momentum": "s", "momentum, β = 0.9": "X", "Nesterov": "^",
               "RMSProp": "v", "Adam": "D"}


def run_color(name: str) -> str:
    """The colour of a run named by its method (or one of the other settings in ``RUN_COLORS``)."""
    if name not in RUN_COLORS:
        raise KeyError(f"no colour for {name!r}: use one of {', '.join(RUN_COLORS)}")
    return RUN_COLORS[name]


def run_linestyle(name: str) -> Union[str, tuple]:
    """The line style of a run named as in ``RUN_COLORS`` (solid for a name it does not know)."""
    return RUN_LINESTYLES.get(name, "-")


def run_marker(name: str) -> str:
    """The marker of a run named as in ``RUN_COLORS`` (a dot for a name it does not know)."""
    return RUN_MARKERS.get(name, "o")


def draw_ravine(ax: Axes, objective: DiagonalQuadratic, xlim: tuple[float, float] = RAVINE_XLIM,
                ylim: tuple[float, float] = RAVINE_YLIM, levels: int = 8) -> None:
    """Contours of a 2D quadratic at geometrically spaced levels (a ravine looks like nested long ellipses)."""
    x, y = np.linspace(*xlim, 281), np.linspace(*ylim, 121)
    w1, w2 = np.meshgrid(x, y)
    values = objective.value(np.stack([w1, w2], axis=-1))
    top = float(values.max())
    ax.contour(w1, w2, values, levels=top * np.geomspace(1e-3, 1.0, levels), cmap="cividis", linewidths=1.2)
    ax.plot(0.0, 0.0, "*", color=COLORS["black"], markersize=16, label="minimum $w^*$")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$w_1$ (flat direction, curvature μ)")
    ax.set_ylabel("$w_2$ (steep, $λ_{max}$)")
    ax.set_title(f"f(w) = {objective.latex}: a ravine (axes not to scale)")


def visible_path(points: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float],
                 margin: float = 20.0) -> np.ndarray:
    """Copy of a (k, 2) path with every point after the first far outside the view set to NaN (keeps Agg calm).

    "Far" is ``margin`` view widths away: a momentum path may leave the view and come back.
    """
    points = np.array(points, dtype=float).reshape(-1, 2)
    wx, wy = (xlim[1] - xlim[0]) * margin, (ylim[1] - ylim[0]) * margin
    outside = ((points[:, 0] < xlim[0] - wx) | (points[:, 0] > xlim[1] + wx)
               | (points[:, 1] < ylim[0] - wy) | (points[:, 1] > ylim[1] + wy) | ~np.isfinite(points).all(axis=1))
    hits = np.flatnonzero(outside)
    if hits.size:
        points[hits[0] + 1:] = np.nan
    return points


@dataclass
class PathArtists:
    """A path in the ravine and its start marker, updated in place by ``update``."""

    ax: Axes
    path: object
    start: object

    def update(self, trajectory: Trajectory) -> None:
        """Show a new run's iterates (cut where they leave the view)."""
        points = visible_path(trajectory.iterates, self.ax.get_xlim(), self.ax.get_ylim())
        self.path.set_data(points[:, 0], points[:, 1])
        self.start.set_data(points[:1, 0], points[:1, 1])


def draw_ravine_path(ax: Axes, trajectory: Trajectory, color: str, label: str, *, animated: bool = False,
                     markersize: float = 4, marker: str = "o", linewidth: float = 1.4,
                     zorder: float = 4) -> PathArtists:
    """One run's iterates as joined markers, its start as a black square (labelled in the legend once per axes).

    ``zorder`` (below 5, the start's) decides which of several paths is drawn on top."""
    (path,) = ax.plot([], [], "-", marker=marker, color=color, markersize=markersize, linewidth=linewidth,
                      label=label, animated=animated, zorder=zorder)
    start_label = "start $w^{(0)}$"
    first = not any(line.get_label() == start_label for line in ax.get_lines())
    (start,) = ax.plot([], [], "s", color=COLORS["black"], markersize=9, animated=animated, zorder=5,
                       label=start_label if first else "_nolegend_")  # in the legend once per axes
    artists = PathArtists(ax, path, start)
    artists.update(trajectory)
    return artists


def loss_or_floor(trajectory: Trajectory, f_star: float = 0.0) -> np.ndarray:
    """f(w_k) - f* clipped into the loss axes' range (exact zeros drawn at the floor, a blow-up at the top)."""
    if trajectory.values is None:
        raise ValueError("trajectory has no values: run the method with f=...")
    with np.errstate(invalid="ignore", over="ignore"):
        return np.clip(np.nan_to_num(trajectory.values - f_star, nan=LOSS_YLIM[1], posinf=LOSS_YLIM[1]),
                       LOSS_FLOOR, LOSS_YLIM[1])


def theory_line(f_last: float, rate: float, num_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The loss of a run that shrinks its error by ``rate`` per step and ends at ``f_last`` after ``num_steps``:
    f_last rate^(2(k - num_steps)) (the loss is quadratic in the error), to compare slopes with a measured curve."""
    k = np.arange(num_steps + 1)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        y = f_last * np.exp(2.0 * (k - num_steps) * np.log(max(rate, 1e-300)))
    return k, np.clip(y, LOSS_FLOOR, LOSS_YLIM[1])


def draw_loss_panel(ax: Axes, trajectories: Sequence[Trajectory], labels: Sequence[str],
                    colors: Optional[Sequence[str]] = None, *, animated: bool = False,
                    names: Optional[Sequence[str]] = None) -> list:
    """f(w_k) - f* against k on a log scale, one line per run; returns the lines.

    ``names`` (keys of ``RUN_COLORS``) give each line its run's line style."""
    lines = []
    for i, (run, label) in enumerate(zip(trajectories, labels)):
        color = colors[i] if colors is not None else CYCLE[i % len(CYCLE)]
        gap = loss_or_floor(run)
        style = run_linestyle(names[i]) if names is not None else "-"
        (line,) = ax.semilogy(np.arange(len(gap)), gap, color=color, linewidth=2.2, label=label,
                              animated=animated, linestyle=style)
        lines.append(line)
    ax.set_ylim(*LOSS_YLIM)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("$f(w^{(k)}) - f^*$ (log scale)")
    ax.set_title("Loss against iteration")
    return lines


@dataclass
class RateMap:
    """The (gamma, beta) plane coloured by the closed-form rate, with the landmarks drawn on it."""

    ax: Axes
    groups: dict  # method -> list of artists drawn only while that method is chosen
    note: object  # the text shown for methods without a closed form
    marker: object

    def show(self, method: str) -> None:
        """Show the map of ``method`` (GD uses heavy ball's with beta = 0); a note for RMSProp and Adam."""
        shown = "momentum" if method == "GD" else method
        for name, artists in self.groups.items():
            for artist in artists:
                artist.set_visible(name == shown)
        self.note.set_visible(shown not in self.groups)

    def update(self, method: str, gamma: float, beta: float) -> None:
        """Move the marker to the current (gamma, beta); hidden where the map does not apply."""
        self.marker.set_data([gamma], [0.0 if method == "GD" else beta])
        self.marker.set_visible(method in ("GD", "momentum", "Nesterov"))


def draw_rate_map(ax: Axes, curvatures: Sequence[float], gamma_max: float = 4.0, beta_max: float = 0.99,
                  methods: Sequence[str] = ("momentum", "Nesterov"), *, animated: bool = False,
                  resolution: int = 121, bands: Optional[int] = None,
                  keep_clear: Sequence[tuple[float, float]] = ()) -> RateMap:
    """The closed-form rate over (gamma, beta) for each method (one shown at a time), the edge of divergence,
    GD's best step (beta = 0) and heavy ball's optimum (gamma*, beta*).

    ``bands`` (e.g. 10) colours the rate in that many flat bands instead of a smooth scale (a static
    figure: easier to read off, and a much smaller PNG). A contour label that would sit on one of the points
    ``keep_clear`` (gamma, beta), e.g. a marker drawn later, is moved one unit of gamma along its line."""
    if bands is not None and (isinstance(bands, bool) or not isinstance(bands, int) or bands < 2):
        raise ValueError(f"bands must be None (a smooth scale) or a whole number of at least 2, got {bands!r}")
    cmap = mpl.colormaps["cividis"] if bands is None else mpl.colormaps["cividis"].resampled(bands)
    from ..momentum import gd_optimal_step, momentum_optimal

    mu, lam_max = float(min(curvatures)), float(max(curvatures))
    gammas = np.linspace(gamma_max / resolution, gamma_max, resolution)
    betas = np.linspace(0.0, beta_max, resolution)
    G, B = np.meshgrid(gammas, betas)
    groups = {}
    for method in methods:
        rate = linear_rate(method, G, B, curvatures)
        shown = np.ma.masked_where(rate >= 1.0, np.clip(rate, *RATE_RANGE))
        image = ax.imshow(shown, origin="lower", aspect="auto", cmap=cmap, vmin=RATE_RANGE[0], vmax=RATE_RANGE[1],
                          extent=(0.0, gamma_max, 0.0, beta_max), interpolation="nearest")
        lines = ax.contour(G, B, rate, levels=RATE_LEVELS, colors="white", linewidths=1.0)
        labels = ax.clabel(lines, fontsize=11, fmt="%.2f", colors=COLORS["black"],
                           manual=_label_spots(G, B, rate, keep_clear, gamma_max, beta_max))
        for label in labels:  # dark digits on a white halo: readable on the yellow bands and on the dark ones
            label.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])
        edge_fn = heavy_ball_edge if method == "momentum" else nesterov_edge
        (edge,) = ax.plot([edge_fn(lam_max, b) for b in betas], betas, color=COLORS["vermillion"], linewidth=3)
        word = ax.text(0.97, 0.35, "diverges", transform=ax.transAxes, ha="right", fontsize=14,
                       color=COLORS["vermillion"])
        groups[method] = [image, lines, edge, word, *labels]
    colorbar = ax.figure.colorbar(groups[methods[0]][0], ax=ax, pad=0.01, fraction=0.05)
    colorbar.set_label("rate per step (dark: fast)", fontsize=13)
    ax.plot([], [], color=COLORS["vermillion"], linewidth=3, label="edge of divergence")
    ax.set_facecolor("#F4D6C6")  # where the rate is >= 1 (masked): a light vermillion, "diverges"
    gamma_gd = gd_optimal_step(mu, lam_max)
    gamma_star, beta_star = momentum_optimal(mu, lam_max)
    ax.plot(gamma_gd, 0.0, "o", color=COLORS["sky"], markersize=11, markeredgecolor="black", clip_on=False,
            label="GD's best")
    ax.plot(gamma_star, beta_star, "*", color=COLORS["yellow"], markersize=20, markeredgecolor="black",
            label="optimum (γ*, β*)")
    (marker,) = ax.plot([gamma_star], [beta_star], "X", color=COLORS["black"], markersize=14, markeredgecolor="white",
                        animated=animated, zorder=6, clip_on=False, visible=False)  # shown by update()
    note = ax.text(0.5, 0.5, "no closed form for RMSProp and Adam:\ntheir step depends on the gradients seen",
                   transform=ax.transAxes, ha="center", va="center", fontsize=13,
                   bbox=dict(facecolor="white", edgecolor=COLORS["grey"]), zorder=7)
    ax.set_xlim(0.0, gamma_max)
    ax.set_ylim(0.0, beta_max)
    ax.set_xlabel("step size γ")
    ax.set_ylabel("momentum β")
    ax.set_title("Closed-form rate per step")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=11, frameon=False,
              handletextpad=0.3, columnspacing=1.0)
    rate_map = RateMap(ax, groups, note, marker)
    rate_map.show(methods[0])
    return rate_map


RATE_LEVELS = [0.85, 0.9, 0.95, 0.98]


def _label_spots(G: np.ndarray, B: np.ndarray, rate: np.ndarray, keep_clear: Sequence[tuple[float, float]],
                 gamma_max: float, beta_max: float) -> Optional[list]:
    """Where matplotlib would put the contour labels, with any label near a ``keep_clear`` point moved one unit of
    gamma to the right (or left near the edge); None (automatic placement) when nothing is in the way."""
    if not keep_clear:
        return None
    scratch = Figure().add_subplot()
    scratch_lines = scratch.contour(G, B, rate, levels=RATE_LEVELS)
    spots = [tuple(t.get_position()) for t in scratch.clabel(scratch_lines, fontsize=11, fmt="%.2f")]
    moved = []
    for x, y in spots:
        if any(abs(x - cx) < 0.08 * gamma_max and abs(y - cy) < 0.08 * beta_max for cx, cy in keep_clear):
            x = x + 1.0 if x + 1.0 < 0.9 * gamma_max else x - 1.0
        moved.append((x, y))
    return moved


def plot_ravine_paths(ravine: DiagonalQuadratic, paths: Sequence[tuple[Trajectory, str, str]], *,
                      losses: Optional[Sequence[tuple[Trajectory, str, str]]] = None, steps: Optional[Sequence[Trajectory]] = None,
                      levels: int = 5) -> Figure:
    """The ravine with each (run, method, label) path; below it, optionally, the losses of (run, method, label)
    or the per-coordinate steps of adaptive runs. A method is a key of ``RUN_COLORS``. Returns the figure."""
    import matplotlib.pyplot as plt

    two = losses is not None or steps is not None
    if two:
        fig, (ax_path, ax_low) = plt.subplots(2, 1, figsize=(9, 7.6))
    else:
        fig, ax_path = plt.subplots(figsize=(9, 4.4))
    draw_ravine(ax_path, ravine, levels=levels)
    _draw_paths(ax_path, paths)
    ax_path.legend(loc="upper right", fontsize=12)
    if losses is not None:
        runs, methods, labels = zip(*losses)
        draw_loss_panel(ax_low, list(runs), list(labels), [run_color(m) for m in methods], names=list(methods))
        ax_low.legend(loc="lower left")
    elif steps is not None:
        draw_scaled_steps(ax_low, list(steps))
    return fig


def plot_rate_map(curvatures: Sequence[float], point: tuple[float, float], point_label: str, *,
                  bands: int = 10) -> Figure:
    """The rate map of heavy ball with its landmarks and one more point (a black cross, as the live panel's, in
    the colour of the run "momentum, β = 0.9"), the contour labels kept clear of it. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.2))
    draw_rate_map(ax, curvatures, bands=bands, keep_clear=[point])
    ax.plot(*point, "X", color=run_color("momentum, β = 0.9"), markersize=14,
            markeredgecolor="white", label=point_label, zorder=5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, fontsize=11, frameon=False)
    return fig


def plot_risk_paths(risk: object, paths: Sequence[tuple[Trajectory, str, str]], *, title: str) -> Figure:
    """Notebook 05's two-basin risk with each (run, method, label) path (a key of ``RUN_COLORS``). Returns the figure."""
    import matplotlib.pyplot as plt

    from . import sgd as sgd_plots

    fig, ax = plt.subplots(figsize=(9, 5.6))
    filled = sgd_plots.draw_risk_background(ax, risk, show_data=False, levels=8)
    sgd_plots.add_loss_colorbar(ax, filled)
    _draw_paths(ax, paths)
    for line in ax.get_lines():  # the minima and the saddle stay visible on top of the paths
        if line.get_label() in ("deep minimum", "shallow minimum", "saddle"):
            line.set_zorder(5.5)
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=11, ncol=2)
    return fig


def _draw_paths(ax: Axes, paths: Sequence[tuple[Trajectory, str, str]]) -> None:
    """Each (run, method, label) path in its run's colour and marker; the first path is drawn on top and thinnest,
    the later ones thicker underneath, so that a path followed closely by a later one stays visible."""
    count = len(paths)
    for i, (run, method, label) in enumerate(paths):
        grow = i / max(count - 1, 1)  # 0 for the first path, 1 for the last
        draw_ravine_path(ax, run, run_color(method), label, marker=run_marker(method), markersize=4 + grow,
                         linewidth=1.4 + 1.1 * grow, zorder=4 + (count - i) / 10)


def plot_cost_curves(runs: Sequence[Trajectory], labels: Sequence[str], *, reference: Optional[tuple[float, str]] = None,
                     **kwargs: Any) -> Figure:
    """``draw_cost_curves`` on a figure of its own, with an optional dotted reference level (value, label) and the
    legend under the axes, where it covers no curve."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.6))
    if reference is not None:
        ax.axhline(reference[0], color=COLORS["grey"], linestyle=":", linewidth=2, label=reference[1])
    draw_cost_curves(ax, runs, labels, **kwargs)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=12, frameon=False)
    return fig


def plot_runs_on_curve(function: object, runs: Sequence[Trajectory], labels: Sequence[str], *, title: str) -> Figure:
    """``draw_runs_on_curve`` on a figure of its own."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.2))
    draw_runs_on_curve(ax, function, runs, labels, title=title)
    return fig


def draw_scaled_steps(ax: Axes, trajectories: Union[Trajectory, Sequence[Trajectory]],
                      labels: Sequence[str] = ("$w_1$", "$w_2$")) -> list:
    """RMSProp's or Adam's effective step size per coordinate, gamma_k / (sqrt(s_hat) + eps), against k (log scale):
    the factor that multiplies the coordinate's gradient (RMSProp) or m_hat (Adam), not the distance it moved.

    Several runs share the axes: one colour per method, one line style per coordinate.
    """
    runs = [trajectories] if isinstance(trajectories, Trajectory) else list(trajectories)
    lines = []
    for run in runs:
        scaled = getattr(run, "scaled_steps", None)
        if scaled is None:
            raise ValueError("trajectory has no per-coordinate steps: run RMSProp or Adam")
        scaled = np.asarray(scaled).reshape(len(scaled), -1)
        method = getattr(run, "method", "")
        for i in range(scaled.shape[1]):
            (line,) = ax.semilogy(np.arange(len(scaled)), scaled[:, i], SCALED_STEP_STYLES[i % len(SCALED_STEP_STYLES)],
                                  color=METHOD_COLORS.get(method, CYCLE[i % len(CYCLE)]),
                                  label=f"{method}: coordinate {labels[i] if i < len(labels) else i + 1}")
            lines.append(line)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("effective step size (log scale)")
    ax.set_title(" and ".join(getattr(r, "method", "") for r in runs) + ": one step size per coordinate")
    ax.legend(loc="best")
    return lines


SCALED_STEP_STYLES = ("-", "--", ":")


def _color(run: Trajectory, i: int) -> str:
    return METHOD_COLORS.get(getattr(run, "method", ""), CYCLE[i % len(CYCLE)])


def draw_cost_curves(ax: Axes, runs: Sequence[Trajectory], labels: Sequence[str], *, ylabel: str, title: str,
                     ylim: Optional[tuple[float, float]] = None, styles: Optional[Sequence[str]] = None) -> list:
    """The recorded values f(w_k) of several runs against k on a log scale, coloured by method, each with its
    method's line style (or the given ``styles``); returns the lines."""
    lines = []
    for i, (run, label) in enumerate(zip(runs, labels)):
        if run.values is None:
            raise ValueError(f"runs[{i}] has no values: run the method with f=...")
        method = getattr(run, "method", "")
        style = styles[i] if styles is not None else run_linestyle(method)
        (line,) = ax.semilogy(np.arange(len(run.values)), run.values, color=_color(run, i), label=label,
                              linewidth=2.2, linestyle=style)
        lines.append(line)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("iteration k (one gradient each)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best", fontsize=12)
    return lines


def draw_runs_on_curve(ax: Axes, function: object, runs: Sequence[Trajectory], labels: Sequence[str], *,
                       xlim: tuple[float, float] = (-1.65, 3.7), ylim: tuple[float, float] = (-4.2, 24.0),
                       title: str = "") -> None:
    """A 1D function with each run's iterates on it (its method's marker) and where it ended (a star), coloured by
    method. The first run's iterates are drawn on top. A run that ends where an earlier one did gets a smaller
    star on top of the earlier one's and says so in the legend."""
    grid = np.linspace(*xlim, 400)
    ax.plot(grid, function.value(grid), color=COLORS["black"], linewidth=2, label="f(w)")
    ends = []
    tolerance = 0.005 * (xlim[1] - xlim[0])
    for i, (run, label) in enumerate(zip(runs, labels)):
        w = run.iterates.reshape(-1)
        color = _color(run, i)
        ax.plot(w, function.value(w), run_marker(getattr(run, "method", "")), color=color, markersize=4,
                zorder=3 + (len(runs) - i) / 10)
        same = [labels[j] for j, end in enumerate(ends) if abs(end - w[-1]) < tolerance]
        shown = f"{label} (ends where {same[0]} does)" if same else label
        ax.plot(w[-1], function.value(w[-1]), "*", color=color, markersize=12 if same else 22, markeredgecolor="black",
                label=shown, zorder=4 + i / 10)
        ends.append(w[-1])
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("w")
    ax.set_ylabel("f(w)")
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize=12, ncol=2)
