"""Logistic regression and a two-layer network in Andrew Ng's notation (notebook 06).

Conventions (Ng's, and the blog post's): **columns are examples**. With m
examples of n0 features, X has shape (n0, m) and the labels Y shape (1, m);
W1 is (n1, n0), b1 (n1, 1), W2 (n2, n1), b2 (n2, 1). The forward pass is

    Z1 = W1 X + b1,   A1 = g(Z1),   Z2 = W2 A1 + b2,   A2 = sigmoid(Z2)

and the cost is the binary cross-entropy averaged over the m examples. The
backward pass is written exactly as the blog post writes it (with its typos
fixed): dZ2 = A2 - Y, dW2 = (1/m) dZ2 A1^T, db2 = (1/m) row-sum of dZ2,
dZ1 = W2^T dZ2 * g'(Z1), dW1 = (1/m) dZ1 X^T, db1 = (1/m) row-sum of dZ1.

The activations g (and the sigmoid) come from ``activations.py``. Each
public function checks its arguments and then calls a private core written
as the formulas above, without checks; ``train_two_layer`` checks once and
runs Ng's loop on those cores, so each formula is written once.

The lecture's own notation (rows are examples, Theta, beta, no bias, summed
squared error) is in ``network.py``; ``to_lecture_notation`` and
``from_lecture_notation`` translate the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from ._validation import as_float_array, check_finite, check_int, check_positive
from .activations import SIGMOID, Activation, get_activation

Params = dict[str, np.ndarray]

PARAMETERS = ("W1", "b1", "W2", "b2")
HIDDEN_ACTIVATIONS = ("tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "identity")
COST_EPSILON = 1e-12  # predictions are clipped to [eps, 1 - eps] inside the log
DIVERGENCE_WEIGHT = 1e6  # a training run stops, marked diverged, once a weight exceeds this (or is not finite)
DIVERGENCE_CHECK_EVERY = 10  # ... checked every this many steps; a failed check goes back to the last good step


@dataclass(frozen=True)
class ChaoticBand:
    """How a chaotic run is described: from iteration ``start`` on, its cost stays mostly in [low, high].

    A chaotic run's exact costs change with the smallest rounding difference (another CPU, another BLAS),
    so it is described by the band that every such variant stays in, not by its digits.
    """

    start: int
    low: float
    high: float


# Chaotic settings of notebook 06 (make_moons(200, noise=0.15, seed=0), seed-0 weights, 2000 iterations),
# keyed by (learning rate, hidden units, hidden activation). The band was measured on the run and on copies
# whose data were scaled by 1 +- 1e-13 or 1e-12: each rests or bounces elsewhere, all stay in the band.
CHAOTIC_RUNS = {(30.0, 4, "tanh"): ChaoticBand(start=400, low=0.003, high=0.05)}


def chaotic_band(learning_rate: float, hidden_units: int, hidden_activation: str) -> Optional[ChaoticBand]:
    """The band describing a known chaotic run of notebook 06, or None for a run whose digits are stable."""
    return CHAOTIC_RUNS.get((float(learning_rate), int(hidden_units), str(hidden_activation)))


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> Activation:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return get_activation(value)


# --- shape checks that explain the usual bug -----------------------------------
def _check_examples_in_columns(name: str, value: object, n_rows: int, m: Optional[int] = None) -> np.ndarray:
    """``value`` as a float (n_rows, m) array, or a ValueError naming ``name`` that spells out the usual bug.

    The usual bug: data with one example per *row* (the lecture's and
    scikit-learn's convention) where Ng's notation wants one per *column*.
    """
    array = as_float_array(name, value)
    expected = f"({n_rows}, {'m' if m is None else m})"
    if array.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D with shape {expected} (one example per column), got a 1-D array of shape "
            f"{array.shape}; reshape it with {name}.reshape({n_rows}, -1). A 1-D label vector would broadcast "
            "A2 - Y into an (m, m) matrix without any error."
        )
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape {expected}, got shape {array.shape}")
    rows, cols = array.shape
    if rows == n_rows and (m is None or cols == m):
        return array
    if cols == n_rows and (m is None or rows == m):
        raise ValueError(
            f"{name} has shape {array.shape} but must be {expected}: it looks like it has one example per ROW. "
            f"In Ng's notation the examples are the COLUMNS: pass {name}.T instead."
        )
    raise ValueError(f"{name} must have shape {expected} (one example per column), got shape {array.shape}")


def _check_columns_are_examples(name: str, value: object, m: int) -> np.ndarray:
    """``value`` as a float 2-D array with ``m`` columns (one per example), or a ValueError naming ``name``."""
    array = as_float_array(name, value)
    if array.ndim == 2 and array.shape[1] == m:
        return array
    if array.ndim == 2 and array.shape[0] == m:
        raise ValueError(
            f"{name} has shape {array.shape} but must be (n0, {m}): it looks like it has one example per ROW. "
            f"In Ng's notation the examples are the COLUMNS: pass {name}.T instead."
        )
    raise ValueError(f"{name} must be 2-D with shape (n0, {m}) (one example per column), got shape {array.shape}")


def _check_labels(Y: object, n_rows: int = 1, m: Optional[int] = None) -> np.ndarray:
    """Labels Y of shape (n_rows, m) with values in [0, 1] (the cross-entropy needs them there)."""
    Y = _check_examples_in_columns("Y", Y, n_rows, m)
    if np.any((Y < 0) | (Y > 1)):
        raise ValueError("Y must hold labels in [0, 1]")
    return Y


def _check_params(params: object, name: str = "params") -> tuple[int, int, int]:
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict with keys W1, b1, W2, b2, got {type(params).__name__}")
    missing = [key for key in PARAMETERS if key not in params]
    if missing:
        raise ValueError(f"{name} is missing {', '.join(missing)} (expected keys W1, b1, W2, b2)")
    W1, b1, W2, b2 = (as_float_array(f"{name}['{k}']", params[k]) for k in PARAMETERS)
    if W1.ndim != 2:
        raise ValueError(f"{name}['W1'] must have shape (n1, n0), got {W1.shape}")
    n1, n0 = W1.shape
    if W2.ndim != 2 or W2.shape[1] != n1:
        raise ValueError(f"{name}['W2'] must have shape (n2, {n1}) to multiply A1 of shape ({n1}, m), got {W2.shape}")
    n2 = W2.shape[0]
    if b1.shape != (n1, 1):
        raise ValueError(f"{name}['b1'] must have shape ({n1}, 1), got {b1.shape}")
    if b2.shape != (n2, 1):
        raise ValueError(f"{name}['b2'] must have shape ({n2}, 1), got {b2.shape}")
    return n0, n1, n2


# --- the two-layer network, one formula per line ---------------------------------------
def initialize_parameters(n0: int, n1: int, n2: int = 1, seed: int = 0, scale: float = 0.01) -> Params:
    """Small random weights (scale * standard normal, numpy Generator) and zero biases, as in Ng's course."""
    n0 = check_int("n0", n0, minimum=1)
    n1 = check_int("n1", n1, minimum=1)
    n2 = check_int("n2", n2, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    scale = check_positive("scale", scale)
    rng = np.random.default_rng(seed)
    return {
        "W1": scale * rng.standard_normal((n1, n0)),
        "b1": np.zeros((n1, 1)),
        "W2": scale * rng.standard_normal((n2, n1)),
        "b2": np.zeros((n2, 1)),
    }


def forward_propagation(
    X: np.ndarray, params: Params, hidden_activation: str = "tanh", output_activation: str = "sigmoid"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Z1 = W1 X + b1, A1 = g(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2); returns A2 and the cache {Z1, A1, Z2, A2}."""
    n0, _, _ = _check_params(params)
    X = _check_examples_in_columns("X", X, n0)
    g = _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    output = _check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    return _forward(X, params, g, output)


def _forward(X: np.ndarray, params: Params, g: Activation, output: Activation = SIGMOID):
    Z1 = params["W1"] @ X + params["b1"]     # (n1, m)
    A1 = g.g(Z1)                             # (n1, m)
    Z2 = params["W2"] @ A1 + params["b2"]    # (n2, m)  the blog's typo W2 X would not even have matching shapes
    A2 = output.g(Z2)                        # (n2, m)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2: np.ndarray, Y: np.ndarray, eps: float = COST_EPSILON) -> float:
    """Binary cross-entropy -(1/m) sum(Y log A2 + (1 - Y) log(1 - A2)), with A2 clipped to [eps, 1 - eps].

    The clipping keeps the cost finite (and warning-free) for predictions of
    exactly 0 or 1; with eps = 1e-12 a confidently wrong example costs at
    most -log(1e-12) ~ 27.6.
    """
    A2 = as_float_array("A2", A2)
    eps = check_positive("eps", eps)
    if A2.ndim != 2:
        raise ValueError(f"A2 must be 2-D with shape (1, m) (one example per column), got shape {A2.shape}")
    if A2.shape[1] == 0:
        raise ValueError(f"A2 must hold at least one example (column), got shape {A2.shape}")
    if eps >= 0.5:
        raise ValueError(f"eps must be below 0.5 (it clips A2 to [eps, 1 - eps]), got {eps}")
    Y = _check_labels(Y, *A2.shape)
    if np.any((A2 < 0) | (A2 > 1)):
        raise ValueError("A2 must hold probabilities in [0, 1]")
    return _cost(A2, Y, eps)


def _cost(A2: np.ndarray, Y: np.ndarray, eps: float = COST_EPSILON) -> float:
    m = Y.shape[1]
    A = A2.clip(eps, 1.0 - eps)
    return float(-(Y * np.log(A) + (1.0 - Y) * np.log1p(-A)).sum() / m)


def compute_squared_cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """Half mean squared error (1/(2m)) sum (A2 - Y)^2: the cost whose dZ2 is also A2 - Y for an identity output."""
    A2 = as_float_array("A2", A2)
    if A2.ndim != 2:
        raise ValueError(f"A2 must be 2-D with shape (1, m) (one example per column), got shape {A2.shape}")
    if A2.shape[1] == 0:
        raise ValueError(f"A2 must hold at least one example (column), got shape {A2.shape}")
    Y = _check_examples_in_columns("Y", Y, A2.shape[0], A2.shape[1])
    return float(((A2 - Y) ** 2).sum() / (2 * A2.shape[1]))


def backward_propagation(
    params: Params, cache: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, hidden_activation: str = "tanh",
    output_activation: str = "sigmoid",
) -> Params:
    """The blog's vectorised backprop; returns dW1, db1, dW2, db2 (each the shape of its parameter).

    dZ2 = A2 - Y is the derivative of the averaged cost times m: it holds for a
    sigmoid output with cross-entropy (labels Y in [0, 1]) and equally for an
    identity output with the half squared error (any real targets Y).
    """
    n0, n1, n2 = _check_params(params)
    X = _check_examples_in_columns("X", X, n0)
    m = X.shape[1]
    g = _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    output = _check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict returned by forward_propagation, got {type(cache).__name__}")
    for key, shape in (("Z1", (n1, m)), ("A1", (n1, m)), ("A2", (n2, m))):
        if key not in cache:
            raise ValueError(f"cache is missing {key}: pass the cache returned by forward_propagation")
        if np.shape(cache[key]) != shape:
            raise ValueError(f"cache['{key}'] must have shape {shape}, got {np.shape(cache[key])}")
        as_float_array(f"cache['{key}']", cache[key])
    if output is SIGMOID:
        Y = _check_labels(Y, n2, m)
    else:
        Y = _check_examples_in_columns("Y", Y, n2, m)
    return _backward(params, cache, X, Y, g)


def _backward(params: Params, cache: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, g: Activation) -> Params:
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y                                           # (n2, m)
    dW2 = (1 / m) * dZ2 @ A1.T                             # (n2, n1)
    db2 = (1 / m) * dZ2.sum(axis=1, keepdims=True)         # (n2, 1)
    dZ1 = (params["W2"].T @ dZ2) * g.g_prime(A1)           # (n1, m)  g'(Z1) written with A1 = g(Z1)
    dW1 = (1 / m) * dZ1 @ X.T                              # (n1, n0)
    db1 = (1 / m) * dZ1.sum(axis=1, keepdims=True)         # (n1, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(params: Params, grads: Params, learning_rate: float) -> Params:
    """One gradient-descent step: each parameter minus learning_rate times its gradient (a new dict)."""
    _check_params(params)
    learning_rate = check_positive("learning_rate", learning_rate)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict with keys dW1, db1, dW2, db2, got {type(grads).__name__}")
    for key in PARAMETERS:
        if "d" + key not in grads:
            raise ValueError(f"grads is missing d{key} (expected keys dW1, db1, dW2, db2)")
        grad = as_float_array(f"grads['d{key}']", grads["d" + key])
        if grad.shape != np.shape(params[key]):
            raise ValueError(f"grads['d{key}'] must have the shape of params['{key}'], {np.shape(params[key])}, "
                             f"got {grad.shape}")
    return _update(params, grads, learning_rate)


def _update(params: Params, grads: Params, learning_rate: float) -> Params:
    return {key: params[key] - learning_rate * grads["d" + key] for key in PARAMETERS}  # W := W - alpha dW


def predict(X: np.ndarray, params: Params, hidden_activation: str = "tanh") -> np.ndarray:
    """Class labels 0/1 of shape (1, m): 1 where A2 > 0.5."""
    A2, _ = forward_propagation(X, params, hidden_activation)
    return (A2 > 0.5).astype(float)


def class_probability(params: Params, hidden_activation: str = "tanh") -> Callable[[np.ndarray], np.ndarray]:
    """The trained network as a function: points (n0, k), one per column, -> their k probabilities A2."""
    n0, _, n2 = _check_params(params)
    if n2 != 1:
        raise ValueError(f"params must have one output unit (W2 of shape (1, n1)), got n2 = {n2}")
    g = _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    frozen = {key: np.array(params[key], dtype=float) for key in PARAMETERS}  # later training cannot change it

    def probability(points: np.ndarray) -> np.ndarray:
        points = _check_examples_in_columns("points", points, n0)
        return _forward(points, frozen, g)[0].ravel()  # A2 (1, k) -> (k,)
    return probability


def accuracy(X: np.ndarray, Y: np.ndarray, params: Params, hidden_activation: str = "tanh") -> float:
    """Fraction of the columns of X classified correctly."""
    prediction = predict(X, params, hidden_activation)
    Y = _check_examples_in_columns("Y", Y, prediction.shape[0], prediction.shape[1])
    return float(np.mean(prediction == Y))


# --- training ----------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingRun:
    """The record of one gradient-descent run of the two-layer network.

    ``costs[k]`` is the cost at the parameters after k steps (k = 0 .. steps
    taken); ``snapshots`` holds the parameters at the iterations listed in
    ``snapshot_iterations`` (every ``record_every`` steps, and the last).
    """

    costs: np.ndarray
    snapshot_iterations: np.ndarray
    snapshots: tuple[Params, ...]
    learning_rate: float
    hidden_units: int
    hidden_activation: str
    diverged: bool

    @property
    def num_steps(self) -> int:
        """How many gradient steps were taken."""
        return len(self.costs) - 1

    @property
    def final(self) -> Params:
        """The parameters after the last step."""
        return self.snapshots[-1]

    def params_at(self, iteration: int) -> Params:
        """The parameters of the latest snapshot at or before ``iteration``."""
        return self.snapshots[self._index(iteration)]

    def iteration_shown(self, iteration: int) -> int:
        """The snapshot iteration ``params_at(iteration)`` actually returns."""
        return int(self.snapshot_iterations[self._index(iteration)])

    def _index(self, iteration: int) -> int:
        iteration = check_int("iteration", iteration, minimum=0)
        return int(np.searchsorted(self.snapshot_iterations, iteration, side="right")) - 1


def _diverged(params: Params) -> bool:
    return not all(np.abs(value).max() <= DIVERGENCE_WEIGHT for value in params.values())  # NaN fails too


def train_two_layer(
    X: np.ndarray,
    Y: np.ndarray,
    hidden_units: int,
    learning_rate: float,
    num_iterations: int,
    hidden_activation: str = "tanh",
    seed: int = 0,
    scale: float = 0.01,
    record_every: int = 10,
) -> TrainingRun:
    """Ng's loop: initialise, then num_iterations times forward, cost, backward, update.

    A run whose weights exceed DIVERGENCE_WEIGHT (or stop being finite) stops,
    marked ``diverged``, at the last step that passed the check (one every
    DIVERGENCE_CHECK_EVERY steps), without overflow warnings.
    """
    Y = as_float_array("Y", Y)
    if Y.ndim != 2 or Y.shape[0] != 1:
        Y = _check_examples_in_columns("Y", Y, 1)  # raises with the rows-vs-columns hint
    Y = _check_labels(Y, 1, Y.shape[1])
    X = _check_columns_are_examples("X", X, Y.shape[1])
    hidden_units = check_int("hidden_units", hidden_units, minimum=1)
    learning_rate = check_positive("learning_rate", learning_rate)
    num_iterations = check_int("num_iterations", num_iterations, minimum=0)
    record_every = check_int("record_every", record_every, minimum=1)
    g = _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    params = initialize_parameters(X.shape[0], hidden_units, 1, seed, scale)
    costs = np.empty(num_iterations + 1)
    snapshots, snapshot_iterations = [], []
    last_good, diverged = (0, params), False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging run is reported, not warned
        for k in range(num_iterations + 1):
            A2, cache = _forward(X, params, g)
            costs[k] = _cost(A2, Y)
            if k % record_every == 0 or k == num_iterations:
                snapshots.append(params)
                snapshot_iterations.append(k)
            if k == num_iterations:
                break
            grads = _backward(params, cache, X, Y, g)
            params = _update(params, grads, learning_rate)
            if (k + 1) % DIVERGENCE_CHECK_EVERY == 0 or k + 1 == num_iterations:
                if _diverged(params):
                    diverged = True
                    k, params = last_good
                    break
                last_good = (k + 1, params)
    while snapshot_iterations[-1] > k:  # a diverged run keeps only what it had before the last good step
        snapshot_iterations.pop()
        snapshots.pop()
    if snapshot_iterations[-1] != k:
        snapshots.append(params)
        snapshot_iterations.append(k)
    return TrainingRun(costs[: k + 1], np.array(snapshot_iterations), tuple(snapshots), learning_rate, hidden_units,
                       hidden_activation, diverged)


# --- logistic regression: one sigmoid unit ---------------------------------------------
def logistic_forward(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """A = sigmoid(w^T X + b) of shape (1, m) for X of shape (n0, m) and w of shape (n0, 1)."""
    w = as_float_array("w", w)
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column of shape (n0, 1), got shape {w.shape}")
    X = _check_examples_in_columns("X", X, w.shape[0])
    b = check_finite("b", b)
    return SIGMOID.g(w.T @ X + b)


def logistic_backward(X: np.ndarray, A: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, float]:
    """dz = A - Y, dw = (1/m) X dz^T (shape (n0, 1)), db = (1/m) sum(dz): gradients of the mean cross-entropy."""
    A = as_float_array("A", A)
    if A.ndim != 2 or A.shape[0] != 1:
        raise ValueError(f"A must have shape (1, m), got shape {A.shape}")
    m = A.shape[1]
    X = _check_columns_are_examples("X", X, m)
    Y = _check_labels(Y, 1, m)
    dz = A - Y
    return (1 / m) * X @ dz.T, float(np.sum(dz) / m)


def train_logistic_regression(
    X: np.ndarray, Y: np.ndarray, learning_rate: float, num_iterations: int
) -> tuple[np.ndarray, float, np.ndarray]:
    """Gradient descent on the mean cross-entropy from w = 0, b = 0; returns w, b and the cost per iteration."""
    Y = as_float_array("Y", Y)
    if Y.ndim != 2 or Y.shape[0] != 1:
        Y = _check_examples_in_columns("Y", Y, 1)
    Y = _check_labels(Y, 1, Y.shape[1])
    X = _check_columns_are_examples("X", X, Y.shape[1])
    learning_rate = check_positive("learning_rate", learning_rate)
    num_iterations = check_int("num_iterations", num_iterations, minimum=0)
    w, b = np.zeros((X.shape[0], 1)), 0.0
    costs = np.empty(num_iterations + 1)
    for k in range(num_iterations + 1):
        A = logistic_forward(X, w, b)
        costs[k] = compute_cost(A, Y)
        if k == num_iterations:
            break
        dw, db = logistic_backward(X, A, Y)
        w, b = w - learning_rate * dw, b - learning_rate * db
    return w, b, costs


# --- translation to the lecture's notation -----------------------------------------------
def to_lecture_notation(params: Params) -> tuple[np.ndarray, np.ndarray]:
    """(Theta, beta) of the lecture from Ng's W1 (= Theta) and W2 (= beta^T); the biases must be zero."""
    _, _, n2 = _check_params(params)
    if n2 != 1:
        raise ValueError(f"params['W2'] must have one row (a single output) to become beta, got {n2} rows")
    for key in ("b1", "b2"):
        if np.any(np.asarray(params[key]) != 0):
            raise ValueError(f"params['{key}'] must be zero: the lecture's network has no bias terms")
    return np.array(params["W1"], dtype=float), np.array(params["W2"], dtype=float).reshape(-1)


def from_lecture_notation(Theta: np.ndarray, beta: np.ndarray) -> Params:
    """Ng's parameters from the lecture's Theta (m, p) and beta (m,): W1 = Theta, W2 = beta^T, zero biases."""
    Theta = as_float_array("Theta", Theta, ndim=2)
    beta = as_float_array("beta", beta, ndim=1)
    if beta.shape[0] != Theta.shape[0]:
        raise ValueError(f"beta must have shape ({Theta.shape[0]},) to match Theta {Theta.shape}, got {beta.shape}")
    return {"W1": Theta.copy(), "b1": np.zeros((Theta.shape[0], 1)), "W2": beta.reshape(1, -1).copy(),
            "b2": np.zeros((1, 1))}


# --- a synthetic 2-D classification set ------------------------------------------------------
def make_moons(m: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-circles, X of shape (2, m) (columns are examples) and labels Y of shape (1, m)."""
    m = check_int("m", m, minimum=2)
    noise = check_finite("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    m_upper = m // 2
    m_lower = m - m_upper
    t_upper = np.linspace(0, np.pi, m_upper)
    t_lower = np.linspace(0, np.pi, m_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.standard_normal((2, m))
    Y = np.concatenate([np.zeros(m_upper), np.ones(m_lower)]).reshape(1, m)
    order = rng.permutation(m)
    return X[:, order], Y[:, order]


# --- mini-batches: the same loop on a sample of the columns ---------------------------------

def train_two_layer_minibatch(
    X: np.ndarray,
    Y: np.ndarray,
    hidden_units: int,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    hidden_activation: str = "tanh",
    seed: int = 0,
) -> np.ndarray:
    """Ng's loop on mini-batches: per step, forward, backward and update on ``batch_size`` columns.

    Returns the full-data cost J after each epoch (index 0: the start), so that
    epoch e costs the same example-gradients as e full-batch iterations.
    The initial weights are those of ``train_two_layer`` with the same seed.
    """
    from .sgd import MiniBatchSampler

    Y = _check_labels(_check_examples_in_columns("Y", Y, 1), 1)
    X = _check_columns_are_examples("X", X, Y.shape[1])
    hidden_units = check_int("hidden_units", hidden_units, minimum=1)
    learning_rate = check_positive("learning_rate", learning_rate)
    epochs = check_int("epochs", epochs, minimum=0)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    g = _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    params = initialize_parameters(X.shape[0], hidden_units, 1, seed, 0.01)
    sampler = MiniBatchSampler(X.shape[1], min(batch_size, X.shape[1]), seed=seed)
    costs = np.full(epochs + 1, np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        costs[0] = _cost(_forward(X, params, g)[0], Y)
        for epoch in range(1, epochs + 1):
            for batch in sampler.epoch():
                X_b, Y_b = X[:, batch], Y[:, batch]                 # (n0, b), (1, b)
                _, cache = _forward(X_b, params, g)
                params = _update(params, _backward(params, cache, X_b, Y_b, g), learning_rate)
            if _diverged(params):
                break
            costs[epoch] = _cost(_forward(X, params, g)[0], Y)
    return costs
