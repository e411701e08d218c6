"""Beyond the lecture: heavy-ball momentum, Nesterov, RMSProp and Adam, and their closed forms on quadratics.

Used by notebook 07. Every method returns the same record as
``descent.gradient_descent`` (a ``Trajectory``: iterates, step sizes,
gradient norms, values, why it stopped) and takes the same step sizes: a
number or a schedule of the global step k (``schedules.py``). Each update
rule is a few lines, one equation a line; g_k = grad f(w_k) is taken at the
recorded iterate w_k, once per step, so every method costs one gradient a
step. On a quadratic with curvatures (Hessian eigenvalues) mu <= ... <= L,
kappa = L / mu, the rates of gradient descent, heavy ball and Nesterov have
closed forms, given here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

import math

import numpy as np

from ._validation import as_float_array, check_callable, check_in_range, check_int, check_positive
from .descent import Trajectory
from .schedules import StepSize, as_schedule

METHODS = ("GD", "momentum", "Nesterov", "RMSProp", "Adam")
DIVERGENCE_FACTOR = 1e8  # a run diverged once ||w_k|| exceeds this many times max(1, ||w_0||)


@dataclass(frozen=True)
class MethodTrajectory(Trajectory):
    """A ``Trajectory`` that also says which method made it and, for RMSProp and Adam, the step each coordinate took.

    ``scaled_steps`` has shape (k, *w0.shape): the factor gamma_k / (sqrt(s_hat) + eps)
    that multiplies the gradient (RMSProp) or the averaged gradient (Adam) in each
    coordinate; None for GD, momentum and Nesterov, whose step is gamma_k in every coordinate.
    """

    method: str = "GD"
    scaled_steps: Optional[np.ndarray] = None


# --- the update rules: one step each, w_k and g_k = grad f(w_k) in, w_{k+1} out ---------------------
def _gd_step(w, g, gamma):
    return (w - gamma * g,)                           # w_{k+1} = w_k - gamma_k g_k


def _momentum_step(w, g, v, gamma, beta):
    v = beta * v - gamma * g                          # v_{k+1} = beta v_k - gamma_k g_k
    return w + v, v                                   # w_{k+1} = w_k + v_{k+1}


def _nesterov_step(w, g, v, gamma, beta):
    v = beta * v - gamma * g                          # v_{k+1} = beta v_k - gamma_k g_k
    return w + beta * v - gamma * g, v                # w_{k+1} = w_k + beta v_{k+1} - gamma_k g_k


def _rmsprop_step(w, g, s, gamma, rho, eps):
    s = rho * s + (1 - rho) * g**2                    # s_{k+1} = rho s_k + (1 - rho) g_k^2, per coordinate
    scale = gamma / (np.sqrt(s) + eps)                # each coordinate's own step gamma_k / (sqrt(s_{k+1}) + eps)
    return w - scale * g, s, scale                    # w_{k+1} = w_k - scale * g_k


def _adam_step(w, g, m, s, k, gamma, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g                   # m_{k+1} = beta1 m_k + (1 - beta1) g_k
    s = beta2 * s + (1 - beta2) * g**2                # s_{k+1} = beta2 s_k + (1 - beta2) g_k^2
    m_hat = m / (1 - beta1 ** (k + 1))                # bias correction: m and s start at 0
    s_hat = s / (1 - beta2 ** (k + 1))
    scale = gamma / (np.sqrt(s_hat) + eps)
    return w - scale * m_hat, m, s, scale             # w_{k+1} = w_k - gamma_k m_hat / (sqrt(s_hat) + eps)


# --- the shared loop -----------------------------------------------------------------------------------
def _gradient(grad: Callable, w: np.ndarray) -> np.ndarray:
    g = grad(w)
    if type(g) is np.ndarray and g.dtype == np.float64 and g.shape == w.shape:
        return g  # the common case, taken fast
    try:
        g = np.asarray(g, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"grad must return an array of numbers like w0, got an error: {error}") from None
    if g.shape != w.shape:
        raise ValueError(f"grad must return an array of the same shape as w0 {w.shape}, got shape {g.shape}")
    return g


def _norm(x: np.ndarray) -> float:
    v = x.ravel()
    return math.sqrt(float(v @ v))  # what np.linalg.norm computes, without its overhead (called twice a step)


def _value(f: Callable, w: np.ndarray) -> float:
    value = f(w)
    if isinstance(value, float):  # also numpy's float64: the common case, taken fast
        return value
    try:
        value = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"f must return a number, got an error: {error}") from None
    if value.size != 1:
        raise ValueError(f"f must return one number, got shape {value.shape}")
    return float(value.reshape(-1)[0])


def _run(method: str, rule: Callable, state: tuple, grad: Callable, w0: Union[float, np.ndarray],
         step_size: StepSize, num_steps: int, f: Optional[Callable], divergence_factor: float,
         adaptive: bool = False) -> MethodTrajectory:
    """Apply ``rule(w, g, k, gamma, *state) -> (w_next, *state[, scale])`` num_steps times; stop if ||w|| blows up."""
    check_callable("grad", grad, "w -> gradient")
    check_callable("f", f, "w -> value", optional=True)
    w = as_float_array("w0", w0)
    num_steps = check_int("num_steps", num_steps, minimum=0)
    limit = check_positive("divergence_factor", divergence_factor) * max(1.0, float(np.linalg.norm(w)))
    gammas = as_schedule(step_size).values(num_steps)
    state = tuple(np.zeros_like(w) for _ in state)
    iterates, norms, values, scales = [w], [], [], []
    stop_reason = "max_steps"
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        g = _gradient(grad, w)
        norms.append(_norm(g))
        if f is not None:
            values.append(_value(f, w))
        for k in range(num_steps):
            w_next, *rest = rule(w, g, k, gammas[k], *state)
            if adaptive:
                *rest, scale = rest
            size = _norm(w_next)
            if not size <= limit:  # also catches inf and nan
                stop_reason = "diverged"
                break
            state = tuple(rest)
            if adaptive:
                scales.append(scale)
            w = w_next
            iterates.append(w)
            g = _gradient(grad, w)
            norms.append(_norm(g))
            if f is not None:
                values.append(_value(f, w))
            if not math.isfinite(norms[-1]) or (values and not math.isfinite(values[-1])):
                stop_reason = "diverged"  # the gradient or the loss overflowed at a finite w
                break
    taken = len(iterates) - 1
    return MethodTrajectory(
        iterates=np.array(iterates),
        step_sizes=np.asarray(gammas[:taken]),
        grad_norms=np.array(norms),
        values=np.array(values) if f is not None else None,
        stop_reason=stop_reason,
        divergence_threshold=limit,
        method=method,
        scaled_steps=np.array(scales).reshape(len(scales), *w.shape) if adaptive else None,
    )


def _beta(name: str, value: float) -> float:
    """A decay factor of an average: a number in [0, 1)."""
    value = check_in_range(name, value, 0.0, 1.0)
    if value == 1.0:
        raise ValueError(f"{name} must be below 1 (1 would never forget the first gradient), got {value}")
    return value


# --- the methods -----------------------------------------------------------------------------------------
def descend(grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray], step_size: StepSize,
            num_steps: int, *, f: Optional[Callable[[np.ndarray], float]] = None,
            divergence_factor: float = DIVERGENCE_FACTOR) -> MethodTrajectory:
    """Plain gradient descent w_{k+1} = w_k - gamma_k grad f(w_k), by the same loop as the other methods (notebook 01's update)."""
    def rule(w, g, k, gamma):
        return _gd_step(w, g, gamma)
    return _run("GD", rule, (), grad, w0, step_size, num_steps, f, divergence_factor)


def heavy_ball(grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray], step_size: StepSize,
               num_steps: int, *, beta: float = 0.9, f: Optional[Callable[[np.ndarray], float]] = None,
               divergence_factor: float = DIVERGENCE_FACTOR) -> MethodTrajectory:
    """Polyak's heavy ball: v_{k+1} = beta v_k - gamma_k grad f(w_k), w_{k+1} = w_k + v_{k+1} (v_0 = 0).

    Equivalently w_{k+1} = w_k - gamma_k grad f(w_k) + beta (w_k - w_{k-1}); beta = 0 is gradient descent.
    """
    beta = _beta("beta", beta)

    def rule(w, g, k, gamma, v):
        return _momentum_step(w, g, v, gamma, beta)
    return _run("momentum", rule, ("v",), grad, w0, step_size, num_steps, f, divergence_factor)


def nesterov(grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray], step_size: StepSize,
             num_steps: int, *, beta: float = 0.9, f: Optional[Callable[[np.ndarray], float]] = None,
             divergence_factor: float = DIVERGENCE_FACTOR) -> MethodTrajectory:
    """Nesterov's accelerated gradient, in the form that takes the gradient at the recorded iterate.

    The textbook form takes it at a look-ahead point, u_{k+1} = beta u_k - gamma_k grad f(x_k + beta u_k),
    x_{k+1} = x_k + u_{k+1}; the iterates recorded here are those look-ahead points w_k = x_k + beta u_k,
    for which v_{k+1} = beta v_k - gamma_k grad f(w_k) and w_{k+1} = w_k + beta v_{k+1} - gamma_k grad f(w_k).
    """
    beta = _beta("beta", beta)

    def rule(w, g, k, gamma, v):
        return _nesterov_step(w, g, v, gamma, beta)
    return _run("Nesterov", rule, ("v",), grad, w0, step_size, num_steps, f, divergence_factor)


def rmsprop(grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray], step_size: StepSize,
            num_steps: int, *, rho: float = 0.9, eps: float = 1e-8, f: Optional[Callable[[np.ndarray], float]] = None,
            divergence_factor: float = DIVERGENCE_FACTOR) -> MethodTrajectory:
    """RMSProp: s_{k+1} = rho s_k + (1 - rho) g_k^2 and w_{k+1} = w_k - gamma_k g_k / (sqrt(s_{k+1}) + eps), per coordinate."""
    rho = _beta("rho", rho)
    eps = check_positive("eps", eps)

    def rule(w, g, k, gamma, s):
        return _rmsprop_step(w, g, s, gamma, rho, eps)
    return _run("RMSProp", rule, ("s",), grad, w0, step_size, num_steps, f, divergence_factor, adaptive=True)


def adam(grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray], step_size: StepSize,
         num_steps: int, *, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         f: Optional[Callable[[np.ndarray], float]] = None,
         divergence_factor: float = DIVERGENCE_FACTOR) -> MethodTrajectory:
    """Adam: averages m of g and s of g^2, bias-corrected by 1 - beta^(k+1), then w -= gamma_k m_hat / (sqrt(s_hat) + eps)."""
    beta1 = _beta("beta1", beta1)
    beta2 = _beta("beta2", beta2)
    eps = check_positive("eps", eps)

    def rule(w, g, k, gamma, m, s):
        return _adam_step(w, g, m, s, k, gamma, beta1, beta2, eps)
    return _run("Adam", rule, ("m", "s"), grad, w0, step_size, num_steps, f, divergence_factor, adaptive=True)


def run_method(method: str, grad: Callable[[np.ndarray], np.ndarray], w0: Union[float, np.ndarray],
               step_size: StepSize, num_steps: int, *, beta: float = 0.9,
               f: Optional[Callable[[np.ndarray], float]] = None) -> MethodTrajectory:
    """One of METHODS by name; ``beta`` is the momentum (momentum, Nesterov), rho (RMSProp) or beta1 (Adam); GD ignores it."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "GD":
        _beta("beta", beta)  # checked even though GD does not use it
        return descend(grad, w0, step_size, num_steps, f=f)
    runner = {"momentum": heavy_ball, "Nesterov": nesterov}.get(method)
    if runner is not None:
        return runner(grad, w0, step_size, num_steps, beta=beta, f=f)
    if method == "RMSProp":
        return rmsprop(grad, w0, step_size, num_steps, rho=beta, f=f)
    return adam(grad, w0, step_size, num_steps, beta1=beta, f=f)


# --- closed forms on a quadratic whose curvatures (Hessian eigenvalues) lie in [mu, L] -------------------
def _curvatures(mu: float, L: float) -> tuple[float, float]:
    mu, L = check_positive("mu", mu), check_positive("L", L)
    if mu > L:
        raise ValueError(f"mu must not exceed L (mu is the smallest curvature), got mu = {mu:g} and L = {L:g}")
    return mu, L


def gd_optimal_step(mu: float, L: float) -> float:
    """The constant step that makes GD's slowest coordinate fastest: gamma = 2 / (L + mu)."""
    mu, L = _curvatures(mu, L)
    return 2.0 / (L + mu)


def gd_optimal_rate(mu: float, L: float) -> float:
    """GD's error factor per step at that step: (kappa - 1) / (kappa + 1) with kappa = L / mu."""
    mu, L = _curvatures(mu, L)
    kappa = L / mu
    return (kappa - 1.0) / (kappa + 1.0)


def momentum_optimal(mu: float, L: float) -> tuple[float, float]:
    """Heavy ball's best constants: gamma* = 4 / (sqrt(L) + sqrt(mu))^2 and beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2."""
    mu, L = _curvatures(mu, L)
    root_kappa = np.sqrt(L / mu)
    gamma = 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((root_kappa - 1.0) / (root_kappa + 1.0)) ** 2
    return float(gamma), float(beta)


def momentum_optimal_rate(mu: float, L: float) -> float:
    """Heavy ball's error factor per step at (gamma*, beta*): (sqrt(kappa) - 1) / (sqrt(kappa) + 1) = sqrt(beta*)."""
    mu, L = _curvatures(mu, L)
    root_kappa = np.sqrt(L / mu)
    return float((root_kappa - 1.0) / (root_kappa + 1.0))


def heavy_ball_edge(L: float, beta: float) -> float:
    """The edge of divergence of heavy ball: it converges on every curvature in (0, L] exactly when gamma < 2 (1 + beta) / L."""
    return 2.0 * (1.0 + _beta("beta", beta)) / check_positive("L", L)


def nesterov_edge(L: float, beta: float) -> float:
    """The edge of divergence of Nesterov's method: gamma < 2 (1 + beta) / ((1 + 2 beta) L)."""
    beta = _beta("beta", beta)
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * check_positive("L", L))


def _largest_root(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max |z| over the roots of z^2 - a z + b = 0 (real coefficients)."""
    disc = a * a - 4.0 * b
    real = 0.5 * (np.abs(a) + np.sqrt(np.maximum(disc, 0.0)))  # two real roots: the larger in size
    return np.where(disc >= 0.0, real, np.sqrt(np.abs(b)))     # a complex pair: both have |z| = sqrt(b)


def linear_rate(method: str, gamma: Union[float, np.ndarray], beta: Union[float, np.ndarray],
                curvatures: Union[float, np.ndarray]) -> Union[float, np.ndarray]:
    """The factor by which a constant-step run shrinks the error per step on a quadratic, in the long run.

    Along an eigenvector with curvature lam the error e_k obeys a linear recurrence
    with characteristic polynomial z^2 - a z + b:
    GD: z = 1 - gamma lam;  momentum: a = 1 + beta - gamma lam, b = beta;
    Nesterov: a = (1 + beta)(1 - gamma lam), b = beta (1 - gamma lam).
    The rate is the largest |z| over all ``curvatures``: below 1 the run converges, above 1 it diverges.
    ``gamma`` and ``beta`` may be arrays (they broadcast); GD ignores ``beta``.
    """
    if not isinstance(method, str) or method not in METHODS[:3]:
        raise ValueError(f"method must be GD, momentum or Nesterov (RMSProp and Adam have no closed form); got {method!r}")
    gamma = as_float_array("gamma", gamma)
    beta = as_float_array("beta", beta)
    lam = as_float_array("curvatures", curvatures).reshape(-1)
    if np.any(gamma <= 0):
        raise ValueError("gamma must be positive")
    if np.any(beta < 0) or np.any(beta >= 1):
        raise ValueError("beta must lie in [0, 1)")
    if lam.size == 0 or np.any(lam <= 0):
        raise ValueError(f"curvatures must be positive numbers, got {lam}")
    gamma, beta = np.broadcast_arrays(gamma, beta)
    g, b, lam = gamma[..., None], beta[..., None], lam  # (..., 1) against the curvatures (c,)
    if method == "GD":
        rates = np.abs(1.0 - g * lam)
    elif method == "momentum":
        rates = _largest_root(1.0 + b - g * lam, b + 0.0 * lam)
    else:
        rates = _largest_root((1.0 + b) * (1.0 - g * lam), b * (1.0 - g * lam))
    rate = rates.max(axis=-1)
    return float(rate) if rate.ndim == 0 else rate


def measured_rate(trajectory: Trajectory, minimizer: Union[float, np.ndarray] = 0.0) -> float:
    """The error's factor per step over the second half of a run, from ||w_k - w*||.

    An error that oscillates (momentum) passes near zero now and then, so the largest
    error of the last quarter of the steps is compared with the largest of a window
    of the same length half a run earlier: rate = (late / early)^(1 / (k / 2)).
    inf for a run that diverged; needs at least 4 steps.
    """
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory (from a run), got {type(trajectory).__name__}")
    if trajectory.diverged:
        return float("inf")
    steps = trajectory.num_steps
    if steps < 4:
        raise ValueError(f"trajectory must have at least 4 steps to measure a rate, got {steps}")
    w_star = as_float_array("minimizer", minimizer)
    iterates = trajectory.iterates.reshape(steps + 1, -1)
    try:
        errors = np.linalg.norm(iterates - w_star.reshape(-1), axis=1)
    except ValueError:
        raise ValueError(f"minimizer must have the shape of one iterate {trajectory.iterates.shape[1:]}, "
                         f"got {w_star.shape}") from None
    window, shift = steps // 4, steps // 2
    late = errors[steps + 1 - window:].max()
    early = errors[steps + 1 - window - shift: steps + 1 - shift].max()
    if early == 0.0 or late == 0.0:
        return 0.0
    with np.errstate(over="ignore", under="ignore"):
        return float((late / early) ** (1.0 / shift))


def steps_per_decade(rate: float) -> float:
    """How many steps a run with this error factor per step needs to shrink the error tenfold: ln 10 / ln(1 / rate)."""
    rate = check_positive("rate", rate)
    if rate >= 1.0:
        return float("inf")
    return float(np.log(10.0) / -np.log(rate))


# --- notebook 06's two-layer network as a function of one flat parameter vector ----------------------------
class TwoLayerObjective:
    """The cost J(w) of notebook 06's network, with all its parameters W1, b1, W2, b2 in one flat vector w.

    ``value`` and ``grad`` call ``twolayer.forward_propagation``, ``compute_cost`` and
    ``backward_propagation``, so any method above can train the network: one
    gradient per step is one forward and one backward pass over the m examples.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, hidden_units: int = 4, hidden_activation: str = "tanh",
                 seed: int = 0, scale: float = 0.01) -> None:
        from . import twolayer

        self._twolayer = twolayer
        self.X = as_float_array("X", X, ndim=2)  # (n0, m): one example per column, as in notebook 06
        if min(self.X.shape) == 0:
            raise ValueError(f"X must hold at least one feature and one example, got shape {self.X.shape}")
        hidden_units = check_int("hidden_units", hidden_units, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        scale = check_positive("scale", scale)
        if not isinstance(hidden_activation, str) or hidden_activation not in ("tanh", "relu"):
            raise ValueError(f"hidden_activation must be 'tanh' or 'relu', got {hidden_activation!r}")
        self.hidden_activation = hidden_activation
        params = twolayer.initialize_parameters(self.X.shape[0], hidden_units, 1, seed, scale)
        A2, _ = twolayer.forward_propagation(self.X, params, hidden_activation)  # checks X and the activation
        twolayer.compute_cost(A2, Y)  # checks Y: (1, m) labels in [0, 1]
        self.Y = as_float_array("Y", Y, ndim=2)
        self.shapes = {key: params[key].shape for key in ("W1", "b1", "W2", "b2")}
        self.w0 = self.flatten(params)
        self._last: tuple[bytes, float] = (b"", 0.0)  # the cost at the last point grad() saw

    def flatten(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """W1, b1, W2, b2 joined into one vector."""
        return np.concatenate([np.asarray(params[key], dtype=float).reshape(-1) for key in self.shapes])

    def unflatten(self, w: np.ndarray) -> dict[str, np.ndarray]:
        """The parameter dictionary of a flat vector w."""
        w = as_float_array("w", w, ndim=1)
        if w.size != self.w0.size:
            raise ValueError(f"w must have {self.w0.size} entries, got {w.size}")
        params, start = {}, 0
        for key, shape in self.shapes.items():
            size = int(np.prod(shape))
            params[key] = w[start:start + size].reshape(shape)
            start += size
        return params

    def value(self, w: np.ndarray) -> float:
        """J(w), the cross-entropy averaged over the examples."""
        key = np.asarray(w, dtype=float).tobytes()
        if key == self._last[0]:
            return self._last[1]  # grad() just computed it at this very point
        A2, _ = self._twolayer.forward_propagation(self.X, self.unflatten(w), self.hidden_activation)
        return self._twolayer.compute_cost(A2, self.Y)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """dJ/dw from one forward and one backward pass (the cost is kept for ``value``)."""
        params = self.unflatten(w)
        A2, cache = self._twolayer.forward_propagation(self.X, params, self.hidden_activation)
        grads = self._twolayer.backward_propagation(params, cache, self.X, self.Y, self.hidden_activation)
        self._last = (np.asarray(w, dtype=float).tobytes(), self._twolayer.compute_cost(A2, self.Y))
        return np.concatenate([grads["d" + key].reshape(-1) for key in self.shapes])
