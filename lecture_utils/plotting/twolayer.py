"""Figures of notebook 06: the 2-D data, a network's decision boundary and its cost curve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap

from . import alt
from .sgd import GD_COLOR, SGD_COLOR
from .style import COLORS

# Probability of class 1: blue (class 0) through white (undecided) to vermillion (class 1).
def _pale(color: str, amount: float = 0.55) -> tuple[float, float, float]:
    """``color`` mixed with white (amount 0: the colour, 1: white), so the data stay visible on top."""
    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return tuple(rgb + (1.0 - rgb) * amount)


PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "class_probability", [_pale(COLORS["blue"]), (1.0, 1.0, 1.0), _pale(COLORS["vermillion"])]
)
COST_YLIM = (1e-3, 30.0)  # log scale: from a well-trained net to a confidently wrong one (-log 1e-12 ~ 27.6)


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
) -> BoundaryArtists:
    """Shade P(y = 1 | x) = ``probability(points)`` over a grid, draw the 0.5 line and the data on top.

    ``probability`` maps points of shape (2, k) (columns are examples) to k
    probabilities; a coarse grid (80 x 80) is plenty and keeps redraws fast. ``output`` names the
    prediction in the labels (TeX without dollars): ``a^{[2]}`` for the two-layer network, ``a`` for
    logistic regression, which has a single neuron and so no layer 2. ``bands`` (e.g. 10) shades the
    probability in that many flat bands of width 1/bands instead of a smooth ramp: easier to read off, and
    a static figure's PNG a fraction of the size.
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
) -> CostArtists:
    """The cost J against the iteration on a log scale, with a dot at ``iteration``."""
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    (line,) = ax.semilogy([], [], color=COLORS["blue"], label=label, animated=animated)
    (marker,) = ax.plot([], [], "o", color=COLORS["vermillion"], markersize=11, label="iteration(s) shown",
                        animated=animated, zorder=4)
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=15,
                      color=COLORS["vermillion"], fontweight="bold", animated=animated, visible=False,
                      bbox=dict(facecolor="white", edgecolor=COLORS["vermillion"], alpha=0.9))
    ax.set_xlim(0, num_iterations if num_iterations is not None else max(len(costs) - 1, 1))
    ax.set_ylim(*COST_YLIM)
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
    """A trained model's decision boundary (``draw_decision_boundary``) above its cost curve (``draw_cost_curve``)."""
    boundary = draw_decision_boundary(ax_boundary, probability, X, Y, title=title, output=output, bands=bands)
    return boundary, draw_cost_curve(ax_cost, costs, label=label)


def draw_boundaries(axes: Sequence[Axes], X: np.ndarray, Y: np.ndarray, probabilities: Sequence[Callable],
                    titles: Sequence[str], *, output: str = "a^{[2]}", bands: Optional[int] = 10
                    ) -> list[BoundaryArtists]:
    """One decision boundary per axes (the axes of a stacked figure), each with its own colour bar.

    ``probabilities[k]`` maps points (2, r) to P(y = 1 | x) for the model titled ``titles[k]``.
    """
    if not (len(axes) == len(probabilities) == len(titles)):
        raise ValueError(f"axes, probabilities and titles must have the same length, got {len(axes)}, "
                         f"{len(probabilities)} and {len(titles)}")
    return [draw_decision_boundary(ax, probability, X, Y, title=title, output=output, bands=bands)
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
    curve = draw_cost_curve(axes[-1], costs, label=label)
    curve.marker.set_data(list(shown), np.asarray(costs)[list(shown)])
    if baseline_costs is not None:
        axes[-1].semilogy(baseline_costs, color=COLORS["orange"], linestyle="--", label=baseline_label)
    axes[-1].legend(loc="lower left")


# One colour AND one line style per learning rate, so the curves stay apart in grey-scale too.
LEARNING_RATE_STYLES = (
    dict(color=COLORS["sky"], linestyle="-"),
    dict(color=COLORS["green"], linestyle="--"),
    dict(color=COLORS["orange"], linestyle="-."),
    dict(color=COLORS["purple"], linestyle=(0, (1, 1.5))),
    dict(color=COLORS["vermillion"], linestyle=(0, (5, 1.5, 1, 1.5, 1, 1.5))),
)


def _power_of_ten(x: float) -> str:
    """10⁻³ for 0.001: a band's edge written as a power of ten."""
    return alt.plain(f"$10^{{{int(round(np.log10(x)))}}}$")  # alt.py's own superscripts


def draw_learning_rate_costs(ax: Axes, runs: dict, title: str, irregular: Optional[dict] = None) -> None:
    """One cost curve per learning rate (``runs`` maps alpha to its costs), each its own colour and style.

    ``irregular`` maps an alpha whose run never settles (a chaotic one) to the band (low, high), powers of ten,
    that its cost keeps bouncing in. Its alt text then gives that band instead of the run's last values, which
    the tiniest change (another CPU) moves.
    """
    irregular = dict(irregular or {})
    if len(runs) > len(LEARNING_RATE_STYLES):
        raise ValueError(f"at most {len(LEARNING_RATE_STYLES)} learning rates, got {len(runs)}")
    if not set(irregular) <= set(runs):
        raise ValueError(f"irregular names learning rates without a run: {sorted(set(irregular) - set(runs))}")
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    handles, names, bands = [], [], []
    for (alpha, costs), style in zip(runs.items(), LEARNING_RATE_STYLES):
        name = f"α = {alpha:g}"
        # a leading underscore keeps alt.py from quoting a chaotic run's digits; the legend is built by hand
        (line,) = ax.semilogy(np.clip(costs, *COST_YLIM), linewidth=2.5,
                              label=f"_{name}" if alpha in irregular else name, **style)
        handles.append(line)
        names.append(name)
        if alpha in irregular:
            low, high = irregular[alpha]
            bands.append(f"{name} never settles: after its first steps the cost bounces irregularly, mostly "
                         f"between about {_power_of_ten(low)} and {_power_of_ten(high)}")
    if bands:
        alt.note(ax, "; ".join(bands) + ".", key="irregular")
    ax.set_ylim(*COST_YLIM)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J (log scale)")
    ax.set_title(title)
    ax.legend([ax.get_lines()[0], *handles], ["ln 2: guessing 0.5", *names], loc="lower left", ncol=2)


def draw_equal_work_costs(ax: Axes, full_batch_costs: np.ndarray, minibatch_costs: np.ndarray, batch_size: int,
                          num_examples: int) -> None:
    """Full-batch iterations and mini-batch epochs on one axis: the same example-gradients per unit of x."""
    steps = int(np.ceil(num_examples / batch_size))
    passes = min(len(full_batch_costs), len(minibatch_costs))
    ax.axhline(np.log(2.0), color=COLORS["grey"], linestyle=":", linewidth=2, label="ln 2: guessing 0.5")
    ax.semilogy(np.clip(full_batch_costs[:passes], *COST_YLIM), color=GD_COLOR,
                label="full batch: one step per pass")
    ax.semilogy(np.clip(minibatch_costs[:passes], *COST_YLIM), color=SGD_COLOR, linestyle="--",
                label=f"mini-batches of {batch_size}: {steps} steps per pass")
    ax.set_xlim(0, passes - 1)
    ax.set_xlabel(f"passes over the {num_examples} examples\n(full-batch iterations = mini-batch epochs)")
    ax.set_ylabel("cost J on all data (log scale)")
    ax.set_title("Equal work: mini-batches leave the plateau first")
    ax.legend(loc="lower left")
