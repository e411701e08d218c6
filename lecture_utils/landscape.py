"""A designed non-convex empirical risk in 2D with a small shallow basin beside a wide deep one (notebook 05).

The model: estimate the centre w of a 2D point cloud with a robust (Cauchy)
loss. Each example x_i contributes

    L_i(w) = (c^2 / 2) log(1 + ||w - x_i||^2 / c^2),

which is the squared error ||w - x_i||^2 / 2 for points near w and grows only
logarithmically for far ones, so a far point pulls with a force that fades
like 1/distance. The data set (seeded) is a wide main cloud plus a tight
minority clump (a faulty sensor, say). The empirical risk L(w) = sum_i L_i(w)
then has a deep, wide basin at the main cloud and a shallow, narrow one at
the clump. Everything is vectorised: a stack of points w (..., 2) and a stack
of index sets (..., B) give per-example gradients (..., B, 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np

from ._validation import as_float_array, check_int, check_positive

DIM = 2
GRID_CHUNK = 64  # rows of a value grid computed at once
HESSIAN_STEP = 1e-5  # h of the central differences


def _points(name: str, w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.ndim == 0 or w.shape[-1] != DIM:
        raise ValueError(f"{name} must have last dimension {DIM}, got shape {w.shape}")
    return w


@dataclass(frozen=True, eq=False)
class RobustCentreRisk:
    """L(w) = sum_i (c^2/2) log(1 + ||w - x_i||^2 / c^2) over the rows x_i of ``data`` (n x 2)."""

    data: np.ndarray
    scale: float = 0.3
    in_clump: Optional[np.ndarray] = None  # which examples belong to the minority clump (for plots)
    _minima: dict = field(default_factory=dict, repr=False)  # cache: minima, saddle, grids

    def __post_init__(self) -> None:
        data = as_float_array("data", self.data, ndim=2)
        if data.shape[0] == 0:
            raise ValueError("data must hold at least one example, got shape (0, 2)")
        if data.shape[1] != DIM:
            raise ValueError(f"data must have shape (n, {DIM}), got shape {data.shape}")
        check_positive("scale", self.scale)
        object.__setattr__(self, "data", data)
        if self.in_clump is not None:
            mask = np.asarray(self.in_clump, dtype=bool)
            if mask.shape != (data.shape[0],):
                raise ValueError(f"in_clump must have shape ({data.shape[0]},), got shape {mask.shape}")
            object.__setattr__(self, "in_clump", mask)

    @property
    def n(self) -> int:
        """Number of examples |D|."""
        return int(self.data.shape[0])

    # --- per-example pieces ------------------------------------------------
    def _rows(self, indices: Optional[np.ndarray]) -> np.ndarray:
        if indices is None:
            return self.data
        idx = np.asarray(indices)
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.n):
            raise ValueError(f"indices must lie in 0 .. {self.n - 1}, got min {idx.min()} and max {idx.max()}")
        return self.data[idx]

    def per_example_loss(self, w: np.ndarray, indices: Optional[np.ndarray] = None) -> np.ndarray:
        """L_i(w) for every example (or those in ``indices``): shape (..., n) or (..., B)."""
        w = _points("w", w)
        diff = w[..., None, :] - self._rows(indices)
        r2 = np.einsum("...j,...j->...", diff, diff)
        c2 = self.scale**2
        return 0.5 * c2 * np.log1p(r2 / c2)

    def per_example_grad(self, w: np.ndarray, indices: Optional[np.ndarray] = None) -> np.ndarray:
        """grad L_i(w) = (w - x_i) / (1 + ||w - x_i||^2 / c^2): shape (..., n, 2) or (..., B, 2).

        ``w`` may be one point (2,) with indices (B,), or a stack (S, 2) with
        indices (S, B): one batch per point (used to run many seeds at once).
        """
        w = _points("w", w)
        diff = w[..., None, :] - self._rows(indices)
        r2 = np.einsum("...j,...j->...", diff, diff)
        return diff / (1.0 + r2 / self.scale**2)[..., None]

    # --- the empirical risk -------------------------------------------------
    def value(self, w: np.ndarray) -> np.ndarray | float:
        """L(w) = sum_i L_i(w) for a point (2,) or a stack of points (..., 2)."""
        total = np.sum(self.per_example_loss(w), axis=-1)
        return float(total) if np.ndim(total) == 0 else total

    def grad(self, w: np.ndarray) -> np.ndarray:
        """The full-batch gradient sum_i grad L_i(w), same shape as w (costs n per-example gradients)."""
        return np.sum(self.per_example_grad(w), axis=-2)

    def value_grid(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """L on the grid of x (columns) and y (rows), computed GRID_CHUNK rows at a time to bound memory."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        key = ("grid", x.tobytes(), y.tobytes())
        if key in self._minima:  # the figures of notebook 05 reuse a few grids: compute each once
            return self._minima[key].copy()
        out = np.empty((y.size, x.size))
        for start in range(0, y.size, GRID_CHUNK):
            rows = y[start:start + GRID_CHUNK]
            grid = np.stack(np.meshgrid(x, rows), axis=-1)
            out[start:start + GRID_CHUNK] = self.value(grid)
        self._minima[key] = out
        return out.copy()

    def hessian(self, w: np.ndarray) -> np.ndarray:
        """The 2 x 2 Hessian of L at w by central differences (step HESSIAN_STEP) of the exact gradient."""
        w = as_float_array("w", w, ndim=1)
        columns = []
        for j in range(DIM):
            e = np.zeros(DIM)
            e[j] = HESSIAN_STEP
            columns.append((self.grad(w + e) - self.grad(w - e)) / (2 * HESSIAN_STEP))
        hess = np.column_stack(columns)
        return 0.5 * (hess + hess.T)

    # --- landmarks ----------------------------------------------------------
    def local_minimum(self, start: Sequence[float]) -> np.ndarray:
        """The local minimum reached by small-step gradient descent from ``start`` (gradient norm below 1e-10)."""
        w = as_float_array("start", start, ndim=1)
        if w.shape != (DIM,):
            raise ValueError(f"start must have shape ({DIM},), got shape {w.shape}")
        gamma = 0.5 / self.n  # each L_i has curvature at most 1, so this step is always stable
        for _ in range(5000):
            g = self.grad(w)
            if np.linalg.norm(g) < 1e-10:
                break
            w = w - gamma * g
        return w

    def minima(self) -> tuple[np.ndarray, np.ndarray]:
        """(deep, shallow): the two local minima, found from the centres of the main cloud and the clump."""
        if "deep" not in self._minima:
            if self.in_clump is None or not self.in_clump.any() or self.in_clump.all():
                raise ValueError("minima() needs in_clump marking a non-empty minority clump")
            a = self.local_minimum(self.data[~self.in_clump].mean(axis=0))
            b = self.local_minimum(self.data[self.in_clump].mean(axis=0))
            deep, shallow = (a, b) if self.value(a) <= self.value(b) else (b, a)
            self._minima.update(deep=deep, shallow=shallow)
        return self._minima["deep"].copy(), self._minima["shallow"].copy()

    def saddle(self) -> np.ndarray:
        """The saddle point between the two minima: Newton's method on grad L from the highest point of the segment."""
        if "saddle" not in self._minima:
            deep, shallow = self.minima()
            t = np.linspace(0.0, 1.0, 401)[:, None]
            segment = shallow + t * (deep - shallow)
            w = segment[int(np.argmax(self.value(segment)))]
            for _ in range(50):
                step = np.linalg.solve(self.hessian(w), self.grad(w))
                w = w - step
                if np.linalg.norm(step) < 1e-12:
                    break
            self._minima["saddle"] = w
        return self._minima["saddle"].copy()

    def in_deep_basin(self, w: np.ndarray) -> np.ndarray:
        """True where a (settled) point is nearer the deep minimum than the shallow one; shape (...)."""
        w = _points("w", w)
        deep, shallow = self.minima()
        return np.linalg.norm(w - deep, axis=-1) < np.linalg.norm(w - shallow, axis=-1)


# The data set of notebook 05: fixed here so that every number in the notebook is reproducible.
TWO_BASIN_SETTINGS = dict(
    n=512,                 # examples: 16 mini-batches of 32 per epoch
    clump_size=136,        # the minority clump (about a quarter of the data)
    clump_centre=(-1.2, 0.0),
    clump_spread=0.1,
    main_centre=(1.2, 0.0),
    main_spread=0.5,
    scale=0.3,             # c of the Cauchy loss
    seed=0,
)
START = np.array([-1.6, 0.9])  # the start of every run in notebook 05: on the clump's side of the ridge


def make_two_basin_risk(
    n: int = 512,
    clump_size: int = 136,
    clump_centre: Sequence[float] = (-1.2, 0.0),
    clump_spread: float = 0.1,
    main_centre: Sequence[float] = (1.2, 0.0),
    main_spread: float = 0.5,
    scale: float = 0.3,
    seed: int = 0,
) -> RobustCentreRisk:
    """Draw the seeded data set (clump first, then main cloud) and return its robust-centre risk."""
    n = check_int("n", n, minimum=2)
    clump_size = check_int("clump_size", clump_size, minimum=1)
    if clump_size >= n:
        raise ValueError(f"clump_size must be smaller than n = {n}, got {clump_size}")
    check_positive("clump_spread", clump_spread)
    check_positive("main_spread", main_spread)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    clump = as_float_array("clump_centre", clump_centre, ndim=1) + clump_spread * rng.standard_normal((clump_size, DIM))
    main = as_float_array("main_centre", main_centre, ndim=1) + main_spread * rng.standard_normal((n - clump_size, DIM))
    mask = np.zeros(n, dtype=bool)
    mask[:clump_size] = True
    return RobustCentreRisk(np.vstack([clump, main]), scale=scale, in_clump=mask)


@lru_cache(maxsize=1)
def two_basin_risk() -> RobustCentreRisk:
    """The notebook's risk (built on first use and cached; nothing happens at import)."""
    return make_two_basin_risk(**TWO_BASIN_SETTINGS)


@dataclass(frozen=True)
class EscapeRow:
    """One line of notebook 05's table: a method, its settings, and how its runs ended."""

    method: str
    gamma0: float
    decay: float
    batch_size: int
    num_steps: int
    evaluations: int
    fraction_deep: float
    median_distance: float  # median distance to the deep minimum, over the runs that ended in the deep basin

    def format(self) -> str:
        """The row as fixed-width text (rounded, for nbval)."""
        dist = "   -" if np.isnan(self.median_distance) else f"{self.median_distance:5.3f}"
        return (f"{self.method:<4} {self.gamma0:6.3f} {self.decay:6.3f} {self.batch_size:5d} {self.num_steps:5d} "
                f"{self.evaluations:7d} {100 * self.fraction_deep:6.0f}% {dist:>9}")


ESCAPE_HEADER = "run  gamma0  decay     B steps   grads in deep  med dist"


def escape_row(risk: RobustCentreRisk, gamma0: float, decay: float, batch_size: int, num_epochs: int,
               seeds: Sequence[int], start: Sequence[float] = START) -> EscapeRow:
    """Run SGD (B < n) for every seed, or full-batch GD (B = n, seeds do not matter), with
    gamma_k = gamma0 / (1 + decay k) for ``num_epochs`` passes over the data; tabulate where the runs end."""
    from .descent import gradient_descent
    from .schedules import InverseTimeDecay
    from .sgd import sgd_final_iterates

    if not isinstance(risk, RobustCentreRisk):
        raise TypeError(f"risk must be a RobustCentreRisk, got {type(risk).__name__}")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    num_epochs = check_int("num_epochs", num_epochs, minimum=0)
    schedule = InverseTimeDecay(gamma0, decay)
    deep, _ = risk.minima()
    if batch_size == risk.n:
        steps = check_int("num_epochs", num_epochs, minimum=0)
        finals = gradient_descent(risk.grad, np.asarray(start, dtype=float), schedule, steps).final[None, :]
        method = "GD"
    else:
        finals = sgd_final_iterates(risk.per_example_grad, start, risk.n, schedule, batch_size, num_epochs, seeds)
        steps = num_epochs * -(-risk.n // batch_size)
        method = "SGD"
    ok = np.all(np.isfinite(finals), axis=1)
    deep_mask = np.zeros(len(finals), dtype=bool)
    deep_mask[ok] = risk.in_deep_basin(finals[ok])
    distances = np.linalg.norm(finals[deep_mask] - deep, axis=1)
    return EscapeRow(method, float(gamma0), float(decay), int(batch_size), int(steps), int(num_epochs * risk.n),
                     float(deep_mask.mean()), float(np.median(distances)) if distances.size else float("nan"))
