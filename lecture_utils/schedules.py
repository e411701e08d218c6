"""Step-size schedules: small callables of the global step number k.

Pass one as ``step_size`` to ``gradient_descent`` (notebook 01) or ``sgd``
(notebook 05). None of them keeps a counter: the caller passes k, so a
schedule can never restart by accident at an epoch boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable, Union

import numpy as np

from ._validation import check_in_range, check_int, check_nonnegative, check_positive, check_real_number

TINY = np.finfo(float).tiny  # a decayed step is floored here: never exactly 0


class Schedule:
    """Base class: ``schedule(k)`` is the step size at step k = 0, 1, 2, ...; ``values(n)`` the first n."""

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        """gamma_k for an array of step numbers k (the formula; no checks)."""
        raise NotImplementedError

    def __call__(self, k: int) -> float:
        return float(self._gammas(np.array([check_int("k", k, minimum=0)]))[0])

    def values(self, num_steps: int, start: int = 0) -> np.ndarray:
        """The step sizes for k = start .. start + num_steps - 1 as an array."""
        start = check_int("start", start, minimum=0)
        return self._gammas(np.arange(start, start + check_int("num_steps", num_steps, minimum=0)))

    def __repr__(self) -> str:
        """E.g. ``ExponentialDecay(gamma0=0.9, rate=0.9)``, numbers in their shortest form (1, not 1.0)."""
        return f"{type(self).__name__}({', '.join(f'{f.name}={getattr(self, f.name):g}' for f in fields(self))})"


@dataclass(frozen=True, repr=False)
class Constant(Schedule):
    """gamma_k = gamma for every k."""

    gamma: float

    def __post_init__(self) -> None:
        check_positive("gamma", self.gamma)

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        return np.full(k.shape, float(self.gamma))


@dataclass(frozen=True, repr=False)
class ExponentialDecay(Schedule):
    """gamma_k = gamma0 * rate^k with 0 < rate <= 1 (the lecture's 0.9 * 0.9^k)."""

    gamma0: float
    rate: float

    def __post_init__(self) -> None:
        check_positive("gamma0", self.gamma0)
        check_positive("rate", self.rate)
        check_in_range("rate", self.rate, 0.0, 1.0)

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        with np.errstate(under="ignore"):
            return np.maximum(self.gamma0 * float(self.rate) ** k, TINY)


@dataclass(frozen=True, repr=False)
class InverseTimeDecay(Schedule):
    """gamma_k = gamma0 / (1 + decay * k) with decay >= 0."""

    gamma0: float
    decay: float

    def __post_init__(self) -> None:
        check_positive("gamma0", self.gamma0)
        check_nonnegative("decay", self.decay)

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        return self.gamma0 / (1.0 + self.decay * k)


@dataclass(frozen=True, repr=False)
class StepDecay(Schedule):
    """gamma_k = gamma0 * factor^(k // every): constant plateaus, cut by ``factor`` every ``every`` steps."""

    gamma0: float
    factor: float
    every: int = 10

    def __post_init__(self) -> None:
        check_positive("gamma0", self.gamma0)
        check_positive("factor", self.factor)
        check_in_range("factor", self.factor, 0.0, 1.0)
        check_int("every", self.every, minimum=1)

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        with np.errstate(under="ignore"):
            return np.maximum(self.gamma0 * float(self.factor) ** (k // self.every), TINY)


@dataclass(frozen=True)
class FunctionSchedule(Schedule):
    """Wraps any callable k -> gamma_k, checking each value it returns."""

    function: Callable[[int], float]

    def __call__(self, k: int) -> float:
        k = check_int("k", k, minimum=0)
        return check_positive(f"step_size({k})", check_real_number(f"step_size({k})", self.function(k)))

    def _gammas(self, k: np.ndarray) -> np.ndarray:
        return np.array([self(int(i)) for i in k], dtype=float)

    def __repr__(self) -> str:
        return f"FunctionSchedule({getattr(self.function, '__name__', self.function)!r})"


StepSize = Union[float, Schedule, Callable[[int], float]]

SCHEDULE_NAMES = ("constant", "exponential", "inverse-time", "step")


def make_schedule(name: str, gamma0: float, decay: float = 0.9, every: int = 10) -> Schedule:
    """Build a schedule by name (used by the sliders in notebooks 01 and 05).

    ``decay`` is the rate r of ``exponential`` (gamma0 r^k, 0 < r <= 1), the d of
    ``inverse-time`` (gamma0 / (1 + d k), d >= 0) and the factor of ``step``
    (gamma0 factor^(k // every), 0 < factor <= 1); ``constant`` ignores it.
    """
    if not isinstance(name, str) or name not in SCHEDULE_NAMES:
        raise ValueError(f"schedule name must be one of {', '.join(SCHEDULE_NAMES)}; got {name!r}")
    check_positive("gamma0", gamma0)
    if name == "constant":
        return Constant(gamma0)
    if name == "inverse-time":
        return InverseTimeDecay(gamma0, check_nonnegative("decay", decay))
    check_positive("decay", decay)
    check_in_range("decay", decay, 0.0, 1.0)  # a rate or a factor: at most 1
    if name == "exponential":
        return ExponentialDecay(gamma0, decay)
    return StepDecay(gamma0, decay, check_int("every", every, minimum=1))


def as_schedule(step_size: StepSize) -> Schedule:
    """Turn a float, a Schedule or a callable k -> gamma into a Schedule; raise naming step_size otherwise."""
    if isinstance(step_size, Schedule):
        return step_size
    if callable(step_size):
        return FunctionSchedule(step_size)
    if isinstance(step_size, (bool, np.bool_)) or not isinstance(step_size, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"step_size must be a positive number or a schedule (callable of k), got {type(step_size).__name__}"
        )
    return Constant(check_positive("step_size", step_size))
