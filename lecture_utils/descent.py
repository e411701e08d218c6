"""Gradient descent with step-size schedules, stopping criteria and divergence detection.

Used by notebooks 01 (the lecture's examples), 02 and 03 (training loops
build on it) and 05 (full-batch baseline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Optional, Union

import numpy as np

from ._validation import as_float_array, check_callable, check_int, check_positive
from .schedules import Schedule, StepSize, as_schedule

STOPPING_CRITERIA = ("gradient", "step", "value")
DEFAULT_EPSILON = 1e-6
DIVERGENCE_FACTOR = 1e8  # a run has diverged once ||w_k|| > 1e8 · max(1, ||w_0||), or w_k is not finite


@dataclass(frozen=True)
class Trajectory:
    """The record of one gradient-descent run.

    ``iterates`` has shape (k + 1, *w0.shape): w_0 .. w_k. ``values`` (f at
    each iterate, when f was given) and ``grad_norms`` have length k + 1,
    ``step_sizes`` length k. ``stop_reason`` is one of "gradient", "step",
    "value" (a stopping criterion fired), "diverged" or "max_steps";
    ``divergence_threshold`` is the norm past which the run counted as diverged.
    """

    iterates: np.ndarray
    step_sizes: np.ndarray
    grad_norms: np.ndarray
    values: Optional[np.ndarray] = None
    stop_reason: str = "max_steps"
    epsilon: Mapping[str, float] = field(default_factory=dict)
    divergence_threshold: float = DIVERGENCE_FACTOR

    @property
    def num_steps(self) -> int:
        """How many steps were taken (k)."""
        return len(self.iterates) - 1

    @property
    def diverged(self) -> bool:
        """True when the run stopped because the iterates blew up."""
        return self.stop_reason == "diverged"

    @property
    def final(self) -> np.ndarray:
        """The last iterate w_k."""
        return self.iterates[-1]

    def describe(self) -> str:
        """A one-line human summary: steps taken, why it stopped, where it ended."""
        final = np.asarray(self.final)
        where = f"{float(final):.6f}" if final.ndim == 0 else np.array2string(final, precision=6, suppress_small=True)
        if self.diverged:
            factor = f"{DIVERGENCE_FACTOR:.0e}".replace("e+0", "e")  # 1e8
            return f"diverged after {self.num_steps} steps (|w| > {factor} * max(1, |w(0)|) = {self.divergence_threshold:.3g})"
        if self.stop_reason == "max_steps":
            return f"ran all {self.num_steps} steps; final w = {where}"
        eps = self.epsilon.get(self.stop_reason, DEFAULT_EPSILON)
        return f"stopped after {self.num_steps} steps: {self.stop_reason} criterion < {eps:g}; final w = {where}"


def _epsilons(tol: Union[None, float, Mapping[str, float]], has_f: bool) -> dict[str, float]:
    if tol is None:
        return {}
    if isinstance(tol, Mapping):
        unknown = set(tol) - set(STOPPING_CRITERIA)
        if unknown:
            raise ValueError(f"tol keys must be among {STOPPING_CRITERIA}, got {sorted(unknown)}")
        eps = {name: check_positive(f"tol[{name!r}]", value) for name, value in tol.items()}
    else:
        value = check_positive("tol", tol)
        eps = {name: value for name in STOPPING_CRITERIA}
    if "value" in eps and not has_f:
        if isinstance(tol, Mapping):
            raise ValueError("tol['value'] needs the objective: pass f=...")
        del eps["value"]
    return eps


def _at(w: np.ndarray) -> str:
    """A point, short, for an error message."""
    return f"{float(w):.6g}" if w.ndim == 0 else np.array2string(w, precision=6, threshold=8)


def _shown(value: object) -> str:
    return "None" if value is None else f"{type(value).__name__} {value!r:.40}"


def _gradient(grad: Callable, w: np.ndarray) -> tuple[np.ndarray, float]:
    """grad(w) as floats of w's shape, and its norm; None, text, NaN or a wrong shape is grad's fault."""
    raw = grad(w)
    g = np.asarray(raw)
    if g.dtype.kind not in "fiub":  # float, int, unsigned, bool
        raise TypeError(f"grad must return real numbers, got {_shown(raw)} at w = {_at(w)}")
    if g.shape != w.shape:
        raise ValueError(f"grad must return an array of the same shape as w0 {w.shape}, got shape {g.shape}")
    g = g.astype(float, copy=False)
    norm = float(np.linalg.norm(g))
    if norm != norm:  # NaN: some entry of the gradient is NaN
        raise ValueError(f"grad returned NaN at w = {_at(w)}: check the gradient function")
    return g, norm


def _value(f: Callable, w: np.ndarray) -> float:
    """f(w) as a float; anything but one real number, or NaN, is the objective's fault."""
    raw = f(w)
    if isinstance(raw, (float, np.floating)) or (isinstance(raw, np.ndarray) and raw.shape == ()
                                                 and raw.dtype.kind in "fiu"):
        value = float(raw)
    else:
        array = np.asarray(raw)
        if array.size != 1 or array.dtype.kind not in "fiu":
            raise TypeError(f"f must return one real number, got {_shown(raw)} at w = {_at(w)}")
        value = float(array.reshape(()))
    if value != value:
        raise ValueError(f"f returned NaN at w = {_at(w)}: check the objective function")
    return value


def _step_sizes(schedule: Schedule, num_steps: int) -> Iterator[float]:
    """gamma_0 .. gamma_{num_steps - 1}, a block at a time: a run that stops early never computes the rest."""
    start, block = 0, 16
    while start < num_steps:
        size = min(block, num_steps - start)
        yield from schedule.values(size, start)
        start, block = start + size, min(2 * block, 4096)


def gradient_descent(
    grad: Callable[[np.ndarray], np.ndarray],
    w0: Union[float, np.ndarray],
    step_size: StepSize,
    num_steps: int,
    *,
    f: Optional[Callable[[np.ndarray], float]] = None,
    tol: Union[None, float, Mapping[str, float]] = None,
) -> Trajectory:
    """Run w_{k+1} = w_k - gamma_k grad f(w_k) for at most ``num_steps`` steps.

    ``step_size`` is a positive float or a schedule (``schedules.py``) of the
    global step k. With ``tol`` (a float, or a dict such as
    ``{"gradient": 1e-6}``) the run stops when the first enabled criterion
    holds: ||grad f(w_k)|| < eps, ||w_k - w_{k-1}|| < eps or
    |f(w_k) - f(w_{k-1})| < eps (the last needs ``f``). A run whose iterates
    become non-finite or grow past ``DIVERGENCE_FACTOR`` · max(1, ||w_0||)
    stops early and is reported as diverged, without overflow warnings.
    """
    check_callable("grad", grad, "w -> gradient")
    check_callable("f", f, "w -> value", optional=True)
    w = as_float_array("w0", w0)
    num_steps = check_int("num_steps", num_steps, minimum=0)
    schedule = as_schedule(step_size)
    eps = _epsilons(tol, f is not None)
    limit = DIVERGENCE_FACTOR * max(1.0, float(np.linalg.norm(w)))

    iterates = [w]
    gammas: list[float] = []
    norms: list[float] = []
    values: list[float] = []
    stop_reason = "max_steps"
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        g, norm = _gradient(grad, w)
        norms.append(norm)
        if f is not None:
            values.append(_value(f, w))
        for gamma in _step_sizes(schedule, num_steps):
            if "gradient" in eps and norms[-1] < eps["gradient"]:
                stop_reason = "gradient"
                break
            w_next = w - gamma * g  # w_{k+1} = w_k - gamma_k grad f(w_k)
            gammas.append(gamma)
            size = float(np.linalg.norm(w_next))
            if not np.isfinite(size) or size > limit:
                if np.isfinite(size):
                    iterates.append(w_next)
                    norms.append(np.inf)
                    if f is not None:
                        values.append(_value(f, w_next))
                stop_reason = "diverged"
                break
            iterates.append(w_next)
            g, norm = _gradient(grad, w_next)
            norms.append(norm)
            if f is not None:
                values.append(_value(f, w_next))
            moved = float(np.linalg.norm(w_next - w))
            w = w_next
            if "step" in eps and moved < eps["step"]:
                stop_reason = "step"
                break
            if "value" in eps and abs(values[-1] - values[-2]) < eps["value"]:
                stop_reason = "value"
                break
        else:
            if "gradient" in eps and norms[-1] < eps["gradient"]:
                stop_reason = "gradient"
    taken = len(iterates) - 1
    return Trajectory(
        iterates=np.array(iterates),
        step_sizes=np.array(gammas[:taken], dtype=float),
        grad_norms=np.array(norms),
        values=np.array(values) if f is not None else None,
        stop_reason=stop_reason,
        epsilon=eps,
        divergence_threshold=limit,
    )


def first_stopping_steps(trajectory: Trajectory, epsilon: float = DEFAULT_EPSILON) -> dict[str, Optional[int]]:
    """For a finished run, the first step k at which each criterion holds (None if never); notebook 01."""
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory from gradient_descent, got {type(trajectory).__name__}")
    epsilon = check_positive("epsilon", epsilon)
    result: dict[str, Optional[int]] = {}
    iterates = trajectory.iterates.reshape(len(trajectory.iterates), -1)
    checks = {
        "gradient": trajectory.grad_norms,
        "step": np.concatenate([[np.inf], np.linalg.norm(np.diff(iterates, axis=0), axis=1)]),
    }
    if trajectory.values is not None:
        checks["value"] = np.concatenate([[np.inf], np.abs(np.diff(trajectory.values))])
    for name, measure in checks.items():
        hits = np.flatnonzero(np.asarray(measure) < epsilon)
        result[name] = int(hits[0]) if hits.size else None
    return result


def step_size_landmarks(curvature: float = 2.0) -> dict[str, float]:
    """The constant steps where the behaviour on a quadratic with f'' = curvature changes (notebook 01's ruler).

    gamma = 1 / curvature lands on the minimum in one step (q = 0); gamma = 2 / curvature
    oscillates forever (q = -1): below it the run converges, above it the run diverges.
    """
    curvature = check_positive("curvature", curvature)
    return {"one step": 1.0 / curvature, "endless oscillation": 2.0 / curvature}


def step_size_regime(gamma: float, curvature: float = 2.0) -> str:
    """Name the behaviour of a constant step on a quadratic with f'' = curvature (notebook 01 landmarks).

    The error is multiplied by q = 1 - gamma * curvature each step: q in (0, 1)
    creeps in monotonically, q = 0 lands in one step, q in (-1, 0) oscillates
    but converges, q = -1 oscillates forever, q < -1 diverges.
    """
    gamma = check_positive("gamma", gamma)
    curvature = check_positive("curvature", curvature)
    q = 1.0 - gamma * curvature
    if np.isclose(q, 0.0, atol=1e-12):
        return "one step"
    if np.isclose(q, -1.0, atol=1e-12):
        return "endless oscillation"
    if q > 0:
        return "monotone"
    if q > -1:
        return "oscillating, converging"
    return "diverging"


def run_behaviour(trajectory: Trajectory) -> str:
    """What a finished run did: "diverged", "growing", "no progress" (f back where it began),
    "stalled" (the step decayed away far from the minimum) or "progress"."""
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory from gradient_descent, got {type(trajectory).__name__}")
    if trajectory.diverged:
        return "diverged"
    values = trajectory.values
    if values is None or len(values) < 3:
        return "progress"
    if values[-1] > values[0] * (1 + 1e-9) + 1e-12:
        return "growing"
    if abs(values[-1] - values[0]) <= 1e-9 * abs(values[0]) and values[0] > 1e-12:
        return "no progress"
    gammas = trajectory.step_sizes
    if len(gammas) > 1 and gammas[-1] < 0.01 * gammas[0] and values[-1] > 0.25 * values[0]:
        return "stalled"
    return "progress"
