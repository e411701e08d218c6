"""The lecture's objective functions, each with its value and gradient.

Used by notebooks 01 (the 1D and 2D quadratics), 02 (Taylor models) and
05 (the non-convex quartic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, check_finite, check_positive


@dataclass(frozen=True)
class ShiftedSquare:
    """f(w) = (w - center)^2 in one dimension; the lecture's example has center 6."""

    center: float = 6.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "center", check_finite("center", self.center))

    @property
    def name(self) -> str:
        """The formula as plain text."""
        return f"(w - {self.center:g})^2"

    @property
    def latex(self) -> str:
        """The formula as matplotlib mathtext, for titles and legends."""
        return f"$(w - {self.center:g})^2$"

    @property
    def minimizer(self) -> float:
        """The unique minimiser w* = center."""
        return float(self.center)

    @property
    def curvature(self) -> float:
        """The constant second derivative f''(w) = 2."""
        return 2.0

    def value(self, w: np.ndarray | float) -> np.ndarray | float:
        """f(w), element-wise for an array of points."""
        return (np.asarray(w, dtype=float) - self.center) ** 2

    def grad(self, w: np.ndarray | float) -> np.ndarray | float:
        """f'(w) = 2 (w - center), element-wise."""
        return 2.0 * (np.asarray(w, dtype=float) - self.center)


@dataclass(frozen=True)
class DiagonalQuadratic:
    """f(w) = sum_i a_i w_i^2 on R^d; the lecture uses a = (1, 2) and a = (1, 0.5)."""

    coefficients: tuple[float, ...]

    def __post_init__(self) -> None:
        coeffs = as_float_array("coefficients", self.coefficients, ndim=1)
        if coeffs.size == 0:
            raise ValueError("coefficients must not be empty")
        for i, c in enumerate(coeffs):
            check_positive(f"coefficients[{i}]", float(c))
        object.__setattr__(self, "coefficients", tuple(float(c) for c in coeffs))

    @property
    def name(self) -> str:
        """The formula as plain text."""
        return " + ".join(f"{c:g} w{i + 1}^2" if c != 1 else f"w{i + 1}^2" for i, c in enumerate(self.coefficients))

    @property
    def latex(self) -> str:
        """The formula as matplotlib mathtext, for titles and legends."""
        terms = [f"{c:g}w_{i + 1}^2" if c != 1 else f"w_{i + 1}^2" for i, c in enumerate(self.coefficients)]
        return "$" + " + ".join(terms) + "$"

    @property
    def dim(self) -> int:
        """Number of coordinates d."""
        return len(self.coefficients)

    @property
    def minimizer(self) -> np.ndarray:
        """The unique minimiser, the origin."""
        return np.zeros(self.dim)

    def _point(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        if w.shape[-1:] != (self.dim,):
            raise ValueError(f"w must have last dimension {self.dim}, got shape {w.shape}")
        return w

    def value(self, w: np.ndarray) -> np.ndarray | float:
        """f(w) for a point of shape (d,) or a stack of points (..., d)."""
        w = self._point(w)
        return np.sum(np.asarray(self.coefficients) * w**2, axis=-1)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """grad f(w) = 2 a * w, same shape as w."""
        w = self._point(w)
        return 2.0 * np.asarray(self.coefficients) * w

    def iterate_closed_form(self, w0: np.ndarray, gamma: float, n: int) -> np.ndarray:
        """The n-th constant-step iterate, (1 - 2 gamma a_i)^n w0_i per coordinate."""
        return (1.0 - 2.0 * gamma * np.asarray(self.coefficients)) ** n * np.asarray(w0, dtype=float)


@dataclass(frozen=True)
class NonConvexQuartic:
    """f(w) = (w - 2.5)^2 (w + 1)^2 + 0.3 (w - 0.2)^2 - 2: two minima and a maximum between."""

    name: ClassVar[str] = "(w - 2.5)^2 (w + 1)^2 + 0.3 (w - 0.2)^2 - 2"
    latex: ClassVar[str] = "$(w - 2.5)^2 (w + 1)^2 + 0.3(w - 0.2)^2 - 2$"

    def value(self, w: np.ndarray | float) -> np.ndarray | float:
        """f(w), element-wise."""
        w = np.asarray(w, dtype=float)
        return (w - 2.5) ** 2 * (w + 1.0) ** 2 + 0.3 * (w - 0.2) ** 2 - 2.0

    def grad(self, w: np.ndarray | float) -> np.ndarray | float:
        """f'(w) = 2 (w - 2.5)(w + 1)(2w - 1.5) + 0.6 (w - 0.2), element-wise."""
        w = np.asarray(w, dtype=float)
        return 2.0 * (w - 2.5) * (w + 1.0) * (2.0 * w - 1.5) + 0.6 * (w - 0.2)

    def stationary_points(self) -> np.ndarray:
        """The three real roots of f'(w), sorted: global min, local max, local min."""
        # f'(w) = 4 w^3 - 9 w^2 - 4.9 w + 7.38 (expanded by hand; the tests check it).
        roots = np.roots([4.0, -9.0, -4.9, 7.38])
        return np.sort(roots.real[np.abs(roots.imag) < 1e-9])


# The lecture's objectives (fact numbers from ../shared/lecture/README.md).
LECTURE_1D = ShiftedSquare(6.0)                         # fact 1: (w - 6)^2
GRADIENT_PICTURE = DiagonalQuadratic((1.0, 2.0))        # fact 2: w1^2 + 2 w2^2
STEP_SIZE_COMPARISON = DiagonalQuadratic((1.0, 0.5))    # fact 3: w1^2 + 0.5 w2^2
QUARTIC = NonConvexQuartic()                            # fact 4: the non-convex loss
