"""Figures of notebook 06: the 2-D data, a network's decision boundary and its cost curve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from . import alt
from .sgd import GD_COLOR, SGD_COLOR
from .style import COLORS
from ..twolayer import ChaoticBand, chaotic_band

# Probability of class 1: blue (class 0) through white (undecided) to vermillion (class 1).
def _pale(color: str, amount: float = 0.55) -> tuple[float, float, float]:
    """``color`` mixed with white (amount 0: the colour, 1: white), so the data stay visible on top."""
    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return tuple(rgb + (1.0 - rgb) * amount)


PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "class_probability", [_pale(COLORS["blue"]), (1.0, 1.0, 1.0), _pale(COLORS["vermillion"])]
)
COST_YLIM = (1e-3, 30.0)  # log scale: from a well-trained net to a confidently wrong one (-log 1e-12 ~ 27.6)
STATIC_COST_YLIM = (1e-3, 2.0)  # the fixed figures: no run in them climbs above 2, so the range above is cut
LOGISTIC_STYLE = dict(color=COLORS["orange"], linestyle="--")  # logistic regression, in every figure of 06


def draw_data(ax: Axes, X: np.ndarray, Y: np.ndarray) -> list:
    """Scatter the columns of X (2, m), class 0 as blue circles and class 1 as vermillion triangles."""
    X = np.asarray(X, dtype=float)
    labels = np.asarray(Y).reshape(-1)
    artists = []
    for value, color, marker in ((0, COLORS["blue"], "o"), (1, COLORS["vermillion"], "^")):
        chosen = labels == value
        artists.append(ax.scatter(X[0, chosen], X[1, chosen], s=40, c=color, marker=marker,
                                  edgecolors=COLORS["black"], linewidths=0.5, label=f"y = {value}", zorder=3))
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return artists


def plot_grid(X: np.ndarray, resolution: int = 80, pad: float = 0.4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution x resolution grid around the data: (x1 values, x2 values, points of shape (2, r*r))."""
    X = np.asarray(X, dtype=float)
    x1 = np.linspace(X[0].min() - pad, X[0].max() + pad, resolution)
    x2 = np.linspace(X[1].min() - pad, X[1].max() + pad, resolution)
    g1, g2 = np.meshgrid(x1, x2)
    return x1, x2, np.stack([g1.ravel(), g2.ravel()])


@dataclass
class BoundaryArtists:
    """The changing parts of the decision-boundary picture: the probability image and the A2 = 0.5 line."""

    ax: Axes
    x1: np.ndarray
    x2: np.ndarray
    points: np.ndarray  # the grid as columns (2, r*r), ready for forward_propagation
    image: object
    animated: bool
    overlay: list = field(default_factory=list)  # data and legend: redrawn over the image when animated
    boundary: Optional[object] = field(default=None)

    def update(self, probabilities: np.ndarray) -> list:
        """Show new probabilities (length r*r, row-major over the grid); returns the artists to redraw."""
        grid = np.asarray(probabilities, dtype=float).reshape(len(self.x2), len(self.x1))
        self.image.set_data(grid)
        if self.boundary is not None:
            self.boundary.remove()
            self.boundary = None
        if np.nanmin(grid) < 0.5 < np.nanmax(grid):
            self.boundary = self.ax.contour(self.x1, self.x2, grid, levels=[0.5], colors=COLORS["black"],
                                            linewidths=2.5, zorder=2)
            self.boundary.set_animated(self.animated)
        return [self.image] + ([self.boundary] if self.boundary is not None else []) + self.overlay


def draw_decision_boundary(
    ax: Axes,
    probability: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    resolution: int = 80,
    title: str = "Decision boundary",
    animated: bool = False,
    colorbar: bool = True,
    output: str = "a^{[2]}",
    bands: Optional[int] = None,
    legend_outside: bool = False,
) -> BoundaryArtists:
    """Shade P(y = 1 | x) = ``probability(points)`` over a grid, draw the 0.5 line and the data on top.

    ``probability`` maps points of shape (2, k) (columns are examples) to k
    probabilities; a coarse grid (80 x 80) is plenty and keeps redraws fast. ``output`` names the
    prediction in the labels (TeX without dollars): ``a^{[2]}`` for the two-layer network, ``a`` for
    logistic regression, which has a single neuron and so no layer 2. ``bands`` (e.g. 10) shades the
    probability in that many flat bands of width 1/bands instead of a smooth ramp: easier to read off, and
    a static figure's PNG a fraction of the size. ``legend_outside`` puts the legend below the panel, in one
    row, where it covers neither data nor boundary (the static figures; the live panel keeps it inside).
    """
    if bands is not None and (isinstance(bands, bool) or not isinstance(bands, int) or bands < 2):
        raise ValueError(f"bands must be None (a smooth ramp) or a whole number of at least 2, got {bands!r}")
    x1, x2, points = plot_grid(X, resolution)
    image = ax.imshow(np.full((len(x2), len(x1)), 0.5), origin="lower", extent=(x1[0], x1[-1], x2[0], x2[-1]),
                      cmap=PROBABILITY_CMAP if bands is None else PROBABILITY_CMAP.resampled(bands),
                      vmin=0.0, vmax=1.0, aspect="auto",
                      interpolation="bilinear", animated=animated, zorder=1)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(f"${output}$ = P(y = 1 | x)")
    overlay = draw_data(ax, X, Y)
    ax.plot([], [], color=COLORS["black"], linewidth=2.5, label=f"${output} = 0.5$")
    ax.set_xlim(x1[0], x1[-1])
    ax.set_ylim(x2[0], x2[-1])
    ax.set_title(title)
    if legend_outside:
        overlay.append(ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=3, framealpha=0.9))
    else:
        overlay.append(ax.legend(loc="lower left", framealpha=0.9))
    for artist in overlay:
        artist.set_animated(animated)
    artists = BoundaryArtists(ax, x1, x2, points, image, animated, overlay if animated else [])
    artists.update(probability(points))
    return artists


@dataclass
class CostArtists:
    """The changing parts of the cost-curve picture: the curve, the current iteration and a message."""

    line: object
    marker: object
    message: object
    legend: Optional[object] = None  # set when animated: redrawn over the curve

    def update(self, costs: np.ndarray, iteration: Optional[int] = None, message: str = "") -> list:
        """Show a new cost curve, a dot at ``iteration`` (None: the last) and ``message``; returns the artists."""
        costs = np.clip(np.asarray(costs, dtype=float), *COST_YLIM)
        self.line.set_data(np.arange(len(costs)), costs)
        k = len(costs) - 1 if iteration is None else min(int(iteration), len(costs) - 1)
        self.marker.set_data([k], [costs[k]])
        self.message.set_text(message)
        self.message.set_visible(bool(message))
        return [self.line, self.marker, self.message] + ([self.legend] if self.legend is not None else [])


def draw_cost_curve(
    ax: Axes,
    costs: np.ndarray,
    *,
    num_iterations: Optional[int] = None,
    label: str = "cross-entropy cost $J$",
    iteration: Optional[int] = None,
    animated: bool = False,
    style: Optional[dict] = None,
    ylim: tuple[float, float] = COST_YLIM,
    marker_label: Optional[str] = "iteration(s) shown",
) -> CostArtists:
    """The cost J against the iteration on a log scale, with a dot at ``iteration``.

    ``style`` (colour, line style) defaults to the network's blue; ``marker_label=None`` hides the dot, for a
    figure that shows no particular iteration.
    """
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    (line,) = ax.semilogy([], [], label=label, animated=animated, **(style or dict(color=GD_COLOR)))
    (marker,) = ax.plot([], [], "o", color=COLORS["vermillion"], markersize=11, animated=animated, zorder=4,
                        label=marker_label if marker_label is not None else "_iteration shown",
                        visible=marker_label is not None)
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=15,
                      color=COLORS["vermillion"], fontweight="bold", animated=animated, visible=False,
                      bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
    ax.set_xlim(0, num_iterations if num_iterations is not None else max(len(costs) - 1, 1))
    ax.set_ylim(*ylim)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J (log scale)")
    ax.set_title("Cost during gradient descent")
    legend = ax.legend(loc="lower left")
    legend.set_animated(animated)
    artists = CostArtists(line, marker, message, legend if animated else None)
    artists.update(costs, iteration)
    return artists


def draw_boundary_and_cost(ax_boundary: Axes, ax_cost: Axes, probability: Callable[[np.ndarray], np.ndarray],
                           X: np.ndarray, Y: np.ndarray, costs: np.ndarray, *, title: str, label: str,
                           output: str = "a^{[2]}", bands: Optional[int] = None) -> tuple[BoundaryArtists, CostArtists]:
    """Logistic regression's decision boundary (``draw_decision_boundary``) above its cost curve.

    The curve has logistic regression's style (``LOGISTIC_STYLE``, as in ``draw_training_snapshots``) and no
    iteration marker: the figure shows the end of training only.
    """
    boundary = draw_decision_boundary(ax_boundary, probability, X, Y, title=title, output=output, bands=bands,
                                      legend_outside=True)
    return boundary, draw_cost_curve(ax_cost, costs, label=label, style=LOGISTIC_STYLE, ylim=STATIC_COST_YLIM,
                                     marker_label=None)


def draw_boundaries(axes: Sequence[Axes], X: np.ndarray, Y: np.ndarray, probabilities: Sequence[Callable],
                    titles: Sequence[str], *, output: str = "a^{[2]}", bands: Optional[int] = 10
                    ) -> list[BoundaryArtists]:
    """One decision boundary per axes (the axes of a stacked figure), each with its own colour bar.

    ``probabilities[k]`` maps points (2, r) to P(y = 1 | x) for the model titled ``titles[k]``.
    """
    if not (len(axes) == len(probabilities) == len(titles)):
        raise ValueError(f"axes, probabilities and titles must have the same length, got {len(axes)}, "
                         f"{len(probabilities)} and {len(titles)}")
    return [draw_decision_boundary(ax, probability, X, Y, title=title, output=output, bands=bands,
                                   legend_outside=True)
            for ax, probability, title in zip(axes, probabilities, titles)]


def draw_training_snapshots(axes: Sequence[Axes], X: np.ndarray, Y: np.ndarray, probabilities: list, titles: list,
                            costs: np.ndarray, shown: list,
                            label: str, baseline_costs: Optional[np.ndarray] = None,
                            baseline_label: str = "") -> None:
    """Decision boundaries at some iterations (one axes each) and, in the last axes, the cost curve.

    ``probabilities[k]`` maps points (2, r) to P(y = 1 | x) at iteration ``shown[k]``; the cost
    curve marks those iterations and draws ``baseline_costs`` (another model) dashed for comparison.
    """
    draw_boundaries(axes[:-1], X, Y, probabilities, titles)
    curve = draw_cost_curve(axes[-1], costs, label=label, ylim=STATIC_COST_YLIM,
                            marker_label="iterations shown above")
    curve.marker.set_data(list(shown), np.asarray(costs)[list(shown)])
    if baseline_costs is not None:
        axes[-1].semilogy(baseline_costs, label=baseline_label, **LOGISTIC_STYLE)
    axes[-1].legend(loc="lower left")


def _dark(color: str, amount: float = 0.45) -> tuple[float, float, float]:
    """``color`` mixed with ``amount`` of black: a darker shade of the same hue."""
    return tuple((1 - amount) * np.array(to_rgb(color)))


# One colour AND one line style per learning rate, so the curves stay apart in grey-scale too. The reference
# learning rate (alpha = 1, the run of every other full-batch figure) keeps the full-batch blue; smaller ones
# are lighter, larger ones darker: a sequential ramp, clear of the method colours of notebook 07.
REFERENCE_LEARNING_RATE = 1.0
REFERENCE_STYLE = dict(color=GD_COLOR, linestyle="-")
SMALLER_LEARNING_RATE_STYLES = (  # the nearest to alpha = 1 first
    dict(color=COLORS["sky"], linestyle="--"),
    dict(color=_pale(COLORS["sky"], 0.45), linestyle=(0, (3, 1.5))),
)
LARGER_LEARNING_RATE_STYLES = (  # the nearest to alpha = 1 first
    dict(color=_dark(COLORS["blue"]), linestyle="-."),
    dict(color=COLORS["black"], linestyle=(0, (1, 1.5))),
    dict(color=COLORS["grey"], linestyle=(0, (5, 1.5, 1, 1.5, 1, 1.5))),
)


def learning_rate_styles(alphas: Sequence[float]) -> dict[float, dict]:
    """The style of each learning rate in ``alphas``: blue for alpha = 1, lighter below it, darker above."""
    alphas = sorted(float(a) for a in alphas)
    smaller = [a for a in alphas if a < REFERENCE_LEARNING_RATE][::-1]
    larger = [a for a in alphas if a > REFERENCE_LEARNING_RATE]
    if len(smaller) > len(SMALLER_LEARNING_RATE_STYLES) or len(larger) > len(LARGER_LEARNING_RATE_STYLES):
        raise ValueError(f"at most {len(SMALLER_LEARNING_RATE_STYLES)} learning rates below 1 and "
                         f"{len(LARGER_LEARNING_RATE_STYLES)} above 1, got {alphas}")
    styles = {a: s for a, s in zip(smaller, SMALLER_LEARNING_RATE_STYLES)}
    styles.update({a: s for a, s in zip(larger, LARGER_LEARNING_RATE_STYLES)})
    if REFERENCE_LEARNING_RATE in alphas:
        styles[REFERENCE_LEARNING_RATE] = REFERENCE_STYLE
    return styles


def draw_learning_rate_costs(ax: Axes, runs: dict, title: str, *, hidden_units: Optional[int] = None,
                             hidden_activation: str = "tanh", irregular: Optional[dict] = None) -> None:
    """One cost curve per learning rate (``runs`` maps alpha to its costs), each its own colour and style.

    A chaotic run never settles, and its exact costs change with the smallest rounding difference (another
    CPU). Such a run is described, in the alt text, by its ``twolayer.ChaoticBand`` instead of its digits:
    the band of ``twolayer.chaotic_band`` for the network (``hidden_units``, ``hidden_activation``), or the
    one ``irregular`` gives for its alpha.
    """
    irregular = dict(irregular or {})
    if not set(irregular) <= set(runs):
        raise ValueError(f"irregular names learning rates without a run: {sorted(set(irregular) - set(runs))}")
    if hidden_units is not None:
        for alpha in runs:
            band = chaotic_band(alpha, hidden_units, hidden_activation)
            if band is not None:
                irregular.setdefault(alpha, band)
    styles = learning_rate_styles(runs)
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    handles, names, bands = [], [], []
    for alpha in sorted(runs):
        costs = runs[alpha]
        name = f"α = {alpha:g}"
        # a leading underscore keeps alt.py from quoting a chaotic run's digits; the legend is built by hand
        (line,) = ax.semilogy(np.clip(costs, *COST_YLIM), linewidth=2.5,
                              label=f"_{name}" if alpha in irregular else name, **styles[float(alpha)])
        handles.append(line)
        names.append(name)
        if alpha in irregular:
            bands.append(f"{name} is chaotic: {describe_band(irregular[alpha])}")
    if bands:
        alt.note(ax, "; ".join(bands) + ".", key="irregular")
    ax.set_ylim(*COST_YLIM)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J (log scale)")
    ax.set_title(title)
    ax.legend([ax.get_lines()[0], *handles], ["ln 2: guessing 0.5", *names], loc="lower left", ncol=2)


def describe_band(band: ChaoticBand) -> str:
    """A chaotic run in words: its wild start, then the band its cost stays in (the alt text's phrase)."""
    return (f"after a wild start, from about iteration {band.start} on its cost stays mostly between about "
            f"{band.low:g} and {band.high:g}, resting on flat stretches or bouncing, with rare spikes higher")


def draw_equal_work_costs(ax: Axes, full_batch_costs: np.ndarray, minibatch_costs: np.ndarray, batch_size: int,
                          num_examples: int) -> None:
    """Full-batch iterations and mini-batch epochs on one axis: the same example-gradients per unit of x."""
    steps = int(np.ceil(num_examples / batch_size))
    passes = min(len(full_batch_costs), len(minibatch_costs))
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    ax.semilogy(np.clip(full_batch_costs[:passes], *STATIC_COST_YLIM), color=GD_COLOR,
                label="full batch: one step per pass")
    ax.semilogy(np.clip(minibatch_costs[:passes], *STATIC_COST_YLIM), color=SGD_COLOR, linestyle="--",
                label=f"mini-batches of {batch_size}: {steps} steps per pass")
    ax.set_xlim(0, passes - 1)
    ax.set_ylim(*STATIC_COST_YLIM)
    ax.set_xlabel(f"passes over the {num_examples} examples\n(full-batch iterations = mini-batch epochs)")
    ax.set_ylabel("cost J on all data (log scale)")
    ax.set_title("Equal work: mini-batches leave the plateau first")
    ax.legend(loc="lower left")
