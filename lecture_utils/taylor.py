"""First-order Taylor models and the gradient step they imply (used by notebook 02).

Around a point w0 an objective f is replaced by its linear model

    m(w) = f(w0) + grad f(w0)^T (w - w0).

A linear model has no minimum, so it is only trusted near w0. Two ways to say
"near" give the same step:

* penalised (Lagrangian) form: minimise m(w) + lam ||w - w0||^2 (lam > 0);
  the minimiser is w0 - grad / (2 lam), a gradient step with gamma = 1/(2 lam);
* trust-region form: minimise m(w) subject to ||w - w0|| <= alpha (alpha > 0);
  the minimiser is w0 - alpha grad / ||grad||, on the boundary of the ball.

The two minimisers coincide exactly when lam = ||grad|| / (2 alpha), that is
alpha = ||grad|| / (2 lam) = gamma ||grad||: a larger trust radius means a
smaller penalty, and the penalty matching a given radius also depends on the
gradient's length (not on alpha alone).

Points are NumPy scalars/0-d arrays for 1D objectives and arrays of shape
(d,) in d dimensions; the model functions accept a stack of points, shape
(...,) in 1D and (..., d) in d dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ._validation import as_float_array, check_finite, check_int, check_positive


class Objective(Protocol):
    """Anything with ``value(w)`` and ``grad(w)``, like the objectives of ``functions.py``."""

    def value(self, w: Any) -> Any: ...

    def grad(self, w: Any) -> Any: ...


def _point(name: str, value: Any) -> np.ndarray:
    """A base point: a finite 0-d array (1D) or 1-d array (d dimensions)."""
    array = as_float_array(name, value)
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-d array, got shape {array.shape}")
    return array


def _base(w0: Any, grad_w0: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check w0 and grad_w0 and that their shapes agree."""
    w0 = _point("w0", w0)
    grad_w0 = _point("grad_w0", grad_w0)
    if grad_w0.shape != w0.shape:
        raise ValueError(f"grad_w0 must have the shape of w0 {w0.shape}, got shape {grad_w0.shape}")
    return w0, grad_w0


def _offsets(w: Any, w0: np.ndarray) -> np.ndarray:
    """w - w0 for a point or a stack of points, checking the trailing shape."""
    w = as_float_array("w", w)
    if w0.ndim == 1 and w.shape[-1:] != w0.shape:
        raise ValueError(f"w must have last dimension {w0.shape[0]} (the shape of w0), got shape {w.shape}")
    return w - w0


def _inner_and_square(diff: np.ndarray, grad_w0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """grad^T (w - w0) and ||w - w0||^2 for each point of the stack ``diff``."""
    if grad_w0.ndim == 0:
        return grad_w0 * diff, diff**2
    return diff @ grad_w0, np.sum(diff**2, axis=-1)


def linear_model(w: Any, w0: Any, f_w0: float, grad_w0: Any) -> np.ndarray:
    """The first-order Taylor model f(w0) + grad_w0^T (w - w0), evaluated at w (one point or a stack)."""
    w0, grad_w0 = _base(w0, grad_w0)
    f_w0 = check_finite("f_w0", f_w0)
    inner, _ = _inner_and_square(_offsets(w, w0), grad_w0)
    return f_w0 + inner


def penalised_model(w: Any, w0: Any, f_w0: float, grad_w0: Any, lam: float) -> np.ndarray:
    """The Lagrangian model f(w0) + grad_w0^T (w - w0) + lam ||w - w0||^2, evaluated at w."""
    w0, grad_w0 = _base(w0, grad_w0)
    f_w0 = check_finite("f_w0", f_w0)
    lam = check_positive("lam", lam)
    inner, square = _inner_and_square(_offsets(w, w0), grad_w0)
    return f_w0 + inner + lam * square


def lagrangian_step(w0: Any, grad_w0: Any, lam: float) -> np.ndarray:
    """The minimiser of the penalised model, w0 - grad_w0 / (2 lam): a gradient step with gamma = 1/(2 lam)."""
    w0, grad_w0 = _base(w0, grad_w0)
    lam = check_positive("lam", lam)
    return np.asarray(w0 - grad_w0 / (2.0 * lam))


def gamma_from_lam(lam: float) -> float:
    """The step size of the Lagrangian step, gamma = 1 / (2 lam)."""
    return 1.0 / (2.0 * check_positive("lam", lam))


def trust_region_step(w0: Any, grad_w0: Any, alpha: float) -> np.ndarray:
    """The minimiser of the linear model over the ball ||w - w0|| <= alpha: w0 - alpha grad_w0 / ||grad_w0||.

    With a zero gradient the linear model is flat, every point of the ball is a
    minimiser, and w0 itself is returned.
    """
    w0, grad_w0 = _base(w0, grad_w0)
    alpha = check_positive("alpha", alpha)
    norm = float(np.linalg.norm(grad_w0))
    if norm == 0.0:
        return w0.copy()
    return np.asarray(w0 - alpha * grad_w0 / norm)


def lam_from_alpha(grad_w0: Any, alpha: float) -> float:
    """The penalty whose Lagrangian step equals the trust-region step of radius alpha: ||grad|| / (2 alpha).

    A zero gradient gives 0.0: the constraint is then not active and no
    positive penalty is needed (the Lagrangian step is w0 for every lam).
    """
    grad_w0 = _point("grad_w0", grad_w0)
    alpha = check_positive("alpha", alpha)
    return float(np.linalg.norm(grad_w0)) / (2.0 * alpha)


def alpha_from_lam(grad_w0: Any, lam: float) -> float:
    """The trust radius matching a penalty: the length of the Lagrangian step, ||grad|| / (2 lam)."""
    grad_w0 = _point("grad_w0", grad_w0)
    lam = check_positive("lam", lam)
    return float(np.linalg.norm(grad_w0)) / (2.0 * lam)


def lam_for_curvature(curvature: float) -> float:
    """The penalty that makes lam (w - w0)^2 equal the second-order Taylor term f''/2 (w - w0)^2: curvature / 2."""
    return check_positive("curvature", curvature) / 2.0


def grid_argmin(values: Any, grid: Any) -> float:
    """The grid point with the smallest value (brute-force 1D minimisation)."""
    grid = as_float_array("grid", grid, ndim=1)
    values = as_float_array("values", values, ndim=1)
    if values.shape != grid.shape:
        raise ValueError(f"values must have the shape of grid {grid.shape}, got shape {values.shape}")
    if grid.size == 0:
        raise ValueError("grid must not be empty")
    return float(grid[int(np.argmin(values))])


def brute_force_lagrangian_step(w0: float, f_w0: float, grad_w0: float, lam: float, low: float, high: float,
                                num: int = 200_001) -> float:
    """Minimise the 1D penalised model on ``num`` evenly spaced points of [low, high], without the closed form."""
    low, high = check_finite("low", low), check_finite("high", high)
    if not low < high:
        raise ValueError(f"high must be greater than low, got low = {low}, high = {high}")
    num = check_int("num", num, minimum=2)
    w0, grad_w0 = _base(w0, grad_w0)
    if w0.ndim != 0:
        raise ValueError(f"w0 must be a number (the brute-force check is 1D), got shape {w0.shape}")
    grid = np.linspace(low, high, num)
    return grid_argmin(penalised_model(grid, w0, f_w0, grad_w0, lam), grid)


@dataclass(frozen=True)
class TaylorPoint:
    """An objective's value and gradient at w0: everything the first-order model needs."""

    w0: np.ndarray
    f_w0: float
    grad_w0: np.ndarray

    def linear(self, w: Any) -> np.ndarray:
        """The linear model at w."""
        return linear_model(w, self.w0, self.f_w0, self.grad_w0)

    def penalised(self, w: Any, lam: float) -> np.ndarray:
        """The penalised model at w."""
        return penalised_model(w, self.w0, self.f_w0, self.grad_w0, lam)

    def lagrangian_step(self, lam: float) -> np.ndarray:
        """The penalised model's minimiser, w0 - grad / (2 lam)."""
        return lagrangian_step(self.w0, self.grad_w0, lam)

    def trust_region_step(self, alpha: float) -> np.ndarray:
        """The linear model's minimiser over the ball of radius alpha."""
        return trust_region_step(self.w0, self.grad_w0, alpha)

    @property
    def grad_norm(self) -> float:
        """||grad f(w0)||."""
        return float(np.linalg.norm(self.grad_w0))


def expand(objective: Objective, w0: Any) -> TaylorPoint:
    """Evaluate ``objective`` (anything with value and grad, e.g. from ``functions.py``) at w0 for its Taylor model."""
    if not (callable(getattr(objective, "value", None)) and callable(getattr(objective, "grad", None))):
        raise TypeError(f"objective must have value(w) and grad(w) methods, got {type(objective).__name__}")
    w0 = _point("w0", w0)
    f_w0 = check_finite("f(w0)", float(objective.value(w0)))
    grad_w0 = as_float_array("grad f(w0)", objective.grad(w0))
    if grad_w0.shape != w0.shape:
        raise ValueError(f"grad f(w0) must have the shape of w0 {w0.shape}, got shape {grad_w0.shape}")
    return TaylorPoint(w0, f_w0, grad_w0)


@dataclass(frozen=True)
class StepReport:
    """One Lagrangian step from w0 with penalty lam, with what the model promised and what f did."""

    w0: np.ndarray
    f_w0: float
    grad_w0: np.ndarray
    lam: float
    w1: np.ndarray
    model_w1: float
    f_w1: float

    @property
    def gamma(self) -> float:
        """The step size 1 / (2 lam)."""
        return gamma_from_lam(self.lam)

    @property
    def alpha(self) -> float:
        """The matching trust radius, i.e. the step length ||w1 - w0|| = ||grad|| / (2 lam)."""
        return alpha_from_lam(self.grad_w0, self.lam)

    @property
    def predicted_decrease(self) -> float:
        """f(w0) minus the model's minimum: ||grad||^2 / (4 lam)."""
        return self.f_w0 - self.model_w1

    @property
    def actual_decrease(self) -> float:
        """f(w0) - f(w1): negative when the step overshoots and f goes up."""
        return self.f_w0 - self.f_w1


def take_step(objective: Objective, w0: Any, lam: float) -> StepReport:
    """Expand ``objective`` at w0, take the Lagrangian step with penalty lam, and evaluate f at the result."""
    point = expand(objective, w0)
    w1 = point.lagrangian_step(lam)
    with np.errstate(over="ignore"):
        f_w1 = float(objective.value(w1))
    return StepReport(point.w0, point.f_w0, point.grad_w0, float(lam), w1,
                      float(point.penalised(w1, lam)), f_w1)


@dataclass(frozen=True)
class TrustRegionReport:
    """One trust-region step from w0 with radius alpha, the matching penalty, and what f did."""

    w0: np.ndarray
    f_w0: float
    grad_w0: np.ndarray
    alpha: float
    w1: np.ndarray
    model_w1: float
    f_w1: float
    lam: float  # ||grad|| / (2 alpha); 0 for a zero gradient (the constraint is not active)

    @property
    def grad_norm(self) -> float:
        """||grad f(w0)||."""
        return float(np.linalg.norm(self.grad_w0))

    @property
    def gamma(self) -> float:
        """The matching step size alpha / ||grad|| = 1 / (2 lam); NaN for a zero gradient (no step to match)."""
        return gamma_from_lam(self.lam) if self.lam > 0 else float("nan")


def take_trust_region_step(objective: Objective, w0: Any, alpha: float) -> TrustRegionReport:
    """Expand ``objective`` at w0, minimise the linear model over the ball of radius alpha, evaluate f there."""
    point = expand(objective, w0)
    w1 = point.trust_region_step(alpha)
    with np.errstate(over="ignore"):
        f_w1 = float(objective.value(w1))
    return TrustRegionReport(point.w0, point.f_w0, point.grad_w0, float(alpha), w1, float(point.linear(w1)),
                             f_w1, lam_from_alpha(point.grad_w0, alpha))
