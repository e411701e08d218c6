"""Figures of notebook 03: the network as a basis regressor, the chain of backprop factors, loss and fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch

from .style import COLORS

BASIS_CAPACITY = 32  # basis-function lines drawn at most (the widest network the panel offers)
BASIS_COLORS = [COLORS[c] for c in ("vermillion", "orange", "green", "purple", "sky", "grey")]


def _node(ax: Axes, xy: tuple[float, float], text: str, color: str, radius: float = 0.32,
          fontsize: int = 15) -> None:
    ax.add_patch(Circle(xy, radius, facecolor="white", edgecolor=color, linewidth=2.5, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str, shrink: float = 14,
           width: float = 1.5, style: str = "-|>") -> FancyArrowPatch:
    arrow = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=color, linewidth=width,
                            shrinkA=shrink, shrinkB=shrink, zorder=2)
    ax.add_patch(arrow)
    return arrow


def draw_basis_regressor(ax: Axes, m: int = 4) -> None:
    """The one-hidden-layer network drawn as a basis regressor: inputs → m basis functions g(θ_jᵀx) → Σ β_j."""
    input_labels = ("$x$", "$1$")  # the input and the constant feature of notebook 03
    p = len(input_labels)
    ys_in = np.linspace(-(p - 1) / 2, (p - 1) / 2, p) * 1.6
    ys_hid = np.linspace((m - 1) / 2, -(m - 1) / 2, m) * 1.25
    x_in, x_hid, x_out = 0.0, 4.0, 8.0
    for y_in, label in zip(ys_in[::-1], input_labels):
        for y_hid in ys_hid:
            _arrow(ax, (x_in, y_in), (x_hid, y_hid), COLORS["grey"], shrink=18, width=1.2)
        _node(ax, (x_in, y_in), label, COLORS["black"])
    for j, y_hid in enumerate(ys_hid, start=1):
        _arrow(ax, (x_hid, y_hid), (x_out, 0.0), COLORS["blue"], shrink=18, width=1.8)
        _node(ax, (x_hid, y_hid), f"$A_{j}$", COLORS["vermillion"], radius=0.42)
        ax.text(x_hid + 0.5, y_hid + 0.3, rf"$g(\theta_{j}^\top x)$", fontsize=13, va="bottom",
                color=COLORS["vermillion"])
        t = 0.62
        ax.text(x_hid + t * (x_out - x_hid), y_hid + t * (0.0 - y_hid) + 0.05, rf"$\beta_{j}$", fontsize=14,
                color=COLORS["blue"], ha="center", va="bottom")
    _node(ax, (x_out, 0.0), r"$\hat y$", COLORS["blue"], radius=0.42, fontsize=17)
    top = max(ys_hid.max(), ys_in.max()) + 1.0
    ax.text(x_in, top, "inputs\n$X_i$ ($p$)", ha="center", va="bottom", fontsize=14)
    ax.text(x_hid, top, f"$m$ = {m} hidden units\n$A_i = g(\\Theta X_i)$", ha="center", va="bottom", fontsize=14)
    ax.text(x_out, top, "output\n" + r"$\hat y = \sum_j \beta_j A_j$", ha="center", va="bottom", fontsize=14)
    ax.text((x_in + x_hid) / 2, ys_hid.min() - 1.0, r"weights $\Theta$ ($m \times p$)", ha="center",
            fontsize=14, color=COLORS["grey"])
    ax.text((x_hid + x_out) / 2 + 0.3, ys_hid.min() - 1.0, r"weights $\beta$ ($m$)", ha="center", fontsize=14,
            color=COLORS["blue"])
    ax.set_xlim(-1.0, 9.2)
    ax.set_ylim(ys_hid.min() - 1.4, top + 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A basis regressor whose basis functions are learned")


CHAIN_NODES = (
    (r"$X_i,\ \Theta$", r"$p \times 1,\ m \times p$"),
    (r"$P_i = \Theta X_i$", r"$m \times 1$"),
    (r"$A_i = g(P_i)$", r"$m \times 1$"),
    (r"$\hat Y_i = \beta^\top A_i$", r"$1 \times 1$"),
    (r"$\mathcal{L}_i = (Y_i - \hat Y_i)^2$", r"$1 \times 1$"),
)
CHAIN_FACTORS = (
    (r"$\dfrac{\partial P_i}{\partial \Theta}$: $X_i^\top$", r"$1 \times p$"),
    (r"$\dfrac{\partial A_i}{\partial P_i} = \mathrm{diag}(g'(P_i))$", r"$m \times m$"),
    (r"$\dfrac{\partial \hat Y_i}{\partial A_i} = \beta^\top$", r"$1 \times m$"),
    (r"$\dfrac{\partial \mathcal{L}_i}{\partial \hat Y_i} = -2(Y_i - \hat Y_i)$", r"$1 \times 1$"),
)


def draw_backprop_chain(ax: Axes) -> None:
    """The forward chain X_i → P_i → A_i → Ŷ_i → L_i on top and, under each edge, its backward chain-rule factor.

    Drawn for a figure about 9 in wide: the factors alternate between two rows so that neighbours never touch.
    """
    xs = np.arange(len(CHAIN_NODES)) * 2.6
    half_widths = (0.55, 0.7, 0.75, 0.75, 1.1)  # of each node's box, in data units (for the arrows between them)
    for x, (label, shape) in zip(xs, CHAIN_NODES):
        ax.text(x, 1.0, label, ha="center", va="center", fontsize=14,
                bbox=dict(boxstyle="round,pad=0.35", facecolor="white", edgecolor=COLORS["black"], linewidth=1.5))
        ax.text(x, 0.45, shape, ha="center", va="center", fontsize=13, color=COLORS["grey"])
    for (x0, w0), (x1, w1) in zip(zip(xs[:-1], half_widths[:-1]), zip(xs[1:], half_widths[1:])):
        _arrow(ax, (x0 + w0, 1.0), (x1 - w1, 1.0), COLORS["black"], shrink=2, width=1.5)
    for k, (x0, x1) in enumerate(zip(xs[:-1], xs[1:])):
        label, shape = CHAIN_FACTORS[k]
        mid = (x0 + x1) / 2
        _arrow(ax, (x1 - 0.3, -0.35), (x0 + 0.3, -0.35), COLORS["vermillion"], shrink=2, width=2.0)
        ax.text(mid, -0.1, shape, ha="center", va="bottom", fontsize=12, color=COLORS["vermillion"])
        row = -0.7 if k % 2 == 0 else -1.75  # alternate rows: neighbouring factors are wider than their spacing
        ax.text(mid, row, label, ha="center", va="top", fontsize=15, color=COLORS["vermillion"])
    # the beta branch: beta enters Y_hat_i from above, and its factor leaves Y_hat_i upwards
    xb = xs[3]
    ax.text(xb, 2.35, r"$\beta$", ha="center", va="center", fontsize=14,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="white", edgecolor=COLORS["black"], linewidth=1.5))
    ax.text(xb - 0.4, 2.35, r"$m \times 1$", ha="right", va="center", fontsize=13, color=COLORS["grey"])
    _arrow(ax, (xb - 0.25, 2.05), (xb - 0.25, 1.35), COLORS["black"], shrink=2, width=1.5)
    _arrow(ax, (xb + 0.25, 1.35), (xb + 0.25, 2.05), COLORS["vermillion"], shrink=2, width=2.0)
    ax.text(xb + 0.45, 1.75, r"$\dfrac{\partial \hat Y_i}{\partial \beta} = A_i^\top$  ($1 \times m$)",
            ha="left", va="center", fontsize=14, color=COLORS["vermillion"])
    ax.text(xs[0] - 0.6, 2.0, "forward (black) →", ha="left", va="center", fontsize=13, fontweight="bold")
    ax.text(xs[0] - 0.6, -2.75, "← backward (vermillion)", ha="left", va="center", fontsize=13, fontweight="bold",
            color=COLORS["vermillion"])
    ax.set_xlim(xs[0] - 0.7, xs[-1] + 1.2)
    ax.set_ylim(-3.0, 2.8)
    ax.axis("off")
    ax.set_title(r"One example: one backward factor per forward edge, multiplied from $\mathcal{L}_i$ back",
                 fontsize=15)


def draw_loss_curve(ax: Axes, losses: np.ndarray, num_steps: Optional[int] = None, noise_floor: Optional[float] = None,
                    *, animated: bool = False, label: str = r"$\mathcal{L}(\Theta^{(k)}, \beta^{(k)})$") -> object:
    """The summed loss per step on a log scale (optionally with the noise floor n σ²); returns the line."""
    losses = np.asarray(losses, dtype=float)
    (line,) = ax.plot(np.arange(len(losses)), losses, color=COLORS["vermillion"], label=label, animated=animated)
    if noise_floor is not None:
        ax.axhline(noise_floor, color=COLORS["grey"], linestyle=":", linewidth=2,
                   label=rf"noise floor $n\sigma^2$ = {noise_floor:.2g}")
    ax.set_yscale("log")
    ax.set_xlim(0, num_steps if num_steps is not None else max(len(losses) - 1, 1))
    ax.set_xlabel("step $k$")
    ax.set_ylabel("summed squared error")
    ax.set_title("Training loss (sum over examples)")
    ax.legend(loc="upper right")
    return line


@dataclass
class BasisFitArtists:
    """The changing artists of the fitted-curve picture (see ``draw_basis_fit``)."""

    fit: object
    basis: list
    message: object

    def update(self, grid: np.ndarray, contributions: Optional[np.ndarray], message: str = "") -> None:
        """Show the (len(grid), m) terms β_j g(θ_jᵀx) and their sum (or hide them and show a message)."""
        m = 0 if contributions is None else contributions.shape[1]
        for j, line in enumerate(self.basis):
            if j < m:
                line.set_data(grid, contributions[:, j])
            else:
                line.set_data([], [])
        if contributions is None:
            self.fit.set_data([], [])
        else:
            self.fit.set_data(grid, contributions.sum(axis=1))
        self.message.set_text(message)

    @property
    def artists(self) -> list:
        """Every changing artist, for blitting."""
        return [*self.basis, self.fit, self.message]


def draw_basis_fit(ax: Axes, x: np.ndarray, y: np.ndarray, grid: np.ndarray,
                   contributions: Optional[np.ndarray] = None, truth: Optional[np.ndarray] = None,
                   *, animated: bool = False) -> BasisFitArtists:
    """Data, the fitted curve Ŷ(x) and its m terms β_j g(θ_jᵀx); ``contributions`` is (len(grid), m)."""
    ax.scatter(x, y, s=36, color=COLORS["blue"], zorder=3, label="data $(x_i, y_i)$")
    if truth is not None:
        ax.plot(grid, truth, color=COLORS["grey"], linestyle=":", linewidth=2, label=r"true $\sin x$")
    basis = []
    for j in range(BASIS_CAPACITY):
        (line,) = ax.plot([], [], color=BASIS_COLORS[j % len(BASIS_COLORS)], linewidth=1.4, alpha=0.8,
                          animated=animated, label=r"terms $\beta_j\, g(\theta_j^\top x)$" if j == 0 else None)
        basis.append(line)
    (fit,) = ax.plot([], [], color=COLORS["black"], linewidth=3.2, animated=animated, zorder=4,
                     label=r"fit $\hat y(x) = \sum_j \beta_j\, g(\theta_j^\top x)$")
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=16,
                      color=COLORS["vermillion"], fontweight="bold", animated=animated, zorder=6,
                      bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    ax.set_xlim(grid.min(), grid.max())
    ax.set_ylim(-2.6, 2.6)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title("The fit is a sum of learned basis functions")
    ax.legend(loc="lower right", fontsize=12, framealpha=0.9)
    artists = BasisFitArtists(fit, basis, message)
    artists.update(grid, contributions)
    return artists


LOSS_CEILING = 1e6  # diverging losses are drawn at most this high (keeps Agg away from huge coordinates)


def clipped_losses(losses: np.ndarray) -> np.ndarray:
    """Losses ready for a log axis: NaN and inf drawn at ``LOSS_CEILING``, zeros at 1e-16."""
    losses = np.nan_to_num(np.asarray(losses, dtype=float), nan=LOSS_CEILING, posinf=LOSS_CEILING)
    return np.clip(losses, 1e-16, LOSS_CEILING)


def divergence_text(run: object) -> str:
    """The message drawn on the fit when a training run diverged (empty otherwise)."""
    if not getattr(run, "diverged", False):
        return ""
    return f"diverged after {run.num_steps} steps:\nthe step size is too large for this network"


@dataclass
class TrainingArtists:
    """The changing artists of the training figure (see ``draw_training``)."""

    loss: object
    fit: BasisFitArtists
    grid: np.ndarray

    def update(self, run: object, contributions: Optional[np.ndarray]) -> None:
        """Show a new run: its loss curve and, unless it diverged, its fit and basis terms."""
        losses = clipped_losses(run.losses)
        self.loss.set_data(np.arange(len(losses)), losses)
        self.fit.update(self.grid, None if run.diverged else contributions, divergence_text(run))

    @property
    def artists(self) -> list:
        """Every changing artist, for blitting."""
        return [self.loss, *self.fit.artists]


def draw_training(ax_loss: Axes, ax_fit: Axes, x: np.ndarray, y: np.ndarray, grid: np.ndarray, run: object,
                  contributions: Optional[np.ndarray], num_steps: int, noise_floor: Optional[float] = None,
                  truth: Optional[np.ndarray] = None, *, animated: bool = False) -> TrainingArtists:
    """Loss curve (left) and fitted curve with its basis terms (right) of one training run (a ``TrainingRun``)."""
    loss = draw_loss_curve(ax_loss, clipped_losses(run.losses), num_steps, noise_floor, animated=animated)
    ax_loss.set_ylim(0.3, 1e3)
    fit = draw_basis_fit(ax_fit, x, y, grid, None, truth, animated=animated)
    artists = TrainingArtists(loss, fit, np.asarray(grid, dtype=float))
    artists.update(run, contributions)
    return artists
