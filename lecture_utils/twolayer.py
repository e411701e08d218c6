"""Logistic regression and a two-layer network in Andrew Ng's notation (notebook 06).

Conventions (Ng's, and the blog post's): **columns are examples**. With m
examples of n0 features, X has shape (n0, m) and the labels Y shape (1, m);
W1 is (n1, n0), b1 (n1, 1), W2 (n2, n1), b2 (n2, 1). The forward pass is

    Z1 = W1 X + b1,   A1 = g(Z1),   Z2 = W2 A1 + b2,   A2 = sigmoid(Z2)

and the cost is the binary cross-entropy averaged over the m examples. The
backward pass is written exactly as the blog post writes it (with its typos
fixed): dZ2 = A2 - Y, dW2 = (1/m) dZ2 A1^T, db2 = (1/m) row-sum of dZ2,
dZ1 = W2^T dZ2 * g'(Z1), dW1 = (1/m) dZ1 X^T, db1 = (1/m) row-sum of dZ1.

The lecture's own notation (rows are examples, Theta, beta, no bias, summed
squared error) is in ``network.py``; ``to_lecture_notation`` and
``from_lecture_notation`` translate the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from ._validation import as_float_array, check_finite, check_int, check_positive

Params = dict[str, np.ndarray]

HIDDEN_ACTIVATIONS = ("tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "identity")
COST_EPSILON = 1e-12  # predictions are clipped to [eps, 1 - eps] inside the log
DIVERGENCE_THRESHOLD = 1e6  # a training run stops when any weight exceeds this in absolute value
DIVERGENCE_CHECK_EVERY = 10  # ... checked every this many steps (and at the end, or when the cost is not finite)


# --- activations -------------------------------------------------------------
def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = as_float_array("z", z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), element-wise."""
    return np.maximum(as_float_array("z", z), 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (we take the derivative at the kink z = 0 to be 0)."""
    return (as_float_array("z", z) > 0).astype(float)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2."""
    t = np.tanh(as_float_array("z", z))
    return 1.0 - t * t


ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "tanh": (np.tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "identity": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float)),
}


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


# --- shape checks that explain the usual bug -----------------------------------
def check_examples_in_columns(name: str, value: object, n_rows: int, m: Optional[int] = None) -> np.ndarray:
    """Return ``value`` as a float (n_rows, m) array, or raise a ValueError that names ``name``.

    The message spells out the most common mistake: passing data with one
    example per *row* (the lecture's and scikit-learn's convention) where
    Ng's notation wants one example per *column*.
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


def check_columns_are_examples(name: str, value: object, m: int) -> np.ndarray:
    """Return ``value`` as a float 2-D array with ``m`` columns (one per example), or raise naming ``name``."""
    array = as_float_array(name, value)
    if array.ndim == 2 and array.shape[1] == m:
        return array
    if array.ndim == 2 and array.shape[0] == m:
        raise ValueError(
            f"{name} has shape {array.shape} but must be (n0, {m}): it looks like it has one example per ROW. "
            f"In Ng's notation the examples are the COLUMNS: pass {name}.T instead."
        )
    raise ValueError(f"{name} must be 2-D with shape (n0, {m}) (one example per column), got shape {array.shape}")


def _check_params(params: Params) -> tuple[int, int, int]:
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys W1, b1, W2, b2, got {type(params).__name__}")
    missing = [key for key in ("W1", "b1", "W2", "b2") if key not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)} (expected keys W1, b1, W2, b2)")
    W1, b1, W2, b2 = (np.asarray(params[k]) for k in ("W1", "b1", "W2", "b2"))
    if W1.ndim != 2:
        raise ValueError(f"params['W1'] must have shape (n1, n0), got {W1.shape}")
    n1, n0 = W1.shape
    if W2.ndim != 2 or W2.shape[1] != n1:
        raise ValueError(f"params['W2'] must have shape (n2, {n1}) to multiply A1 of shape ({n1}, m), got {W2.shape}")
    n2 = W2.shape[0]
    if b1.shape != (n1, 1):
        raise ValueError(f"params['b1'] must have shape ({n1}, 1), got {b1.shape}")
    if b2.shape != (n2, 1):
        raise ValueError(f"params['b2'] must have shape ({n2}, 1), got {b2.shape}")
    return n0, n1, n2


# --- the two-layer network -------------------------------------------------------
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
    X = check_examples_in_columns("X", X, n0)
    g = ACTIVATIONS[_check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)][0]
    out = ACTIVATIONS[_check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)][0]
    Z1 = params["W1"] @ X + params["b1"]
    A1 = g(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]  # the blog's typo W2 X would not even have matching shapes
    A2 = out(Z2)
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
    Y = check_examples_in_columns("Y", Y, A2.shape[0], A2.shape[1])
    if np.any((A2 < 0) | (A2 > 1)):
        raise ValueError("A2 must hold probabilities in [0, 1]")
    if np.any((Y < 0) | (Y > 1)):
        raise ValueError("Y must hold labels in [0, 1]")
    m = A2.shape[1]
    A = np.clip(A2, eps, 1.0 - eps)
    return float(-(Y * np.log(A) + (1.0 - Y) * np.log1p(-A)).sum() / m)


def compute_squared_cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """Half mean squared error (1/(2m)) sum (A2 - Y)^2: the cost whose dZ2 is also A2 - Y for an identity output."""
    A2 = as_float_array("A2", A2)
    if A2.ndim != 2:
        raise ValueError(f"A2 must be 2-D with shape (1, m) (one example per column), got shape {A2.shape}")
    if A2.shape[1] == 0:
        raise ValueError(f"A2 must hold at least one example (column), got shape {A2.shape}")
    Y = check_examples_in_columns("Y", Y, A2.shape[0], A2.shape[1])
    return float(((A2 - Y) ** 2).sum() / (2 * A2.shape[1]))


def backward_propagation(
    params: Params, cache: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, hidden_activation: str = "tanh"
) -> Params:
    """The blog's vectorised backprop; returns dW1, db1, dW2, db2 (each the shape of its parameter).

    dZ2 = A2 - Y is the derivative of the averaged cost times m: it holds for a
    sigmoid output with cross-entropy and equally for an identity output with
    the half squared error.
    """
    n0, n1, n2 = _check_params(params)
    X = check_examples_in_columns("X", X, n0)
    m = X.shape[1]
    Y = check_examples_in_columns("Y", Y, n2, m)
    gprime = ACTIVATIONS[_check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)][1]
    for key, shape in (("Z1", (n1, m)), ("A1", (n1, m)), ("A2", (n2, m))):
        if key not in cache:
            raise ValueError(f"cache is missing {key}: pass the cache returned by forward_propagation")
        if np.shape(cache[key]) != shape:
            raise ValueError(f"cache['{key}'] must have shape {shape}, got {np.shape(cache[key])}")
    A1, A2, Z1 = cache["A1"], cache["A2"], cache["Z1"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * dZ2 @ A1.T
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (params["W2"].T @ dZ2) * gprime(Z1)
    dW1 = (1 / m) * dZ1 @ X.T
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(params: Params, grads: Params, learning_rate: float) -> Params:
    """One gradient-descent step: each parameter minus learning_rate times its gradient (a new dict)."""
    _check_params(params)
    learning_rate = check_positive("learning_rate", learning_rate)
    return {key: params[key] - learning_rate * grads["d" + key] for key in ("W1", "b1", "W2", "b2")}


def predict(X: np.ndarray, params: Params, hidden_activation: str = "tanh") -> np.ndarray:
    """Class labels 0/1 of shape (1, m): 1 where A2 > 0.5."""
    A2, _ = forward_propagation(X, params, hidden_activation)
    return (A2 > 0.5).astype(float)


def accuracy(X: np.ndarray, Y: np.ndarray, params: Params, hidden_activation: str = "tanh") -> float:
    """Fraction of the columns of X classified correctly."""
    prediction = predict(X, params, hidden_activation)
    Y = check_examples_in_columns("Y", Y, prediction.shape[0], prediction.shape[1])
    return float(np.mean(prediction == Y))


def cost_of(params: Params, X: np.ndarray, Y: np.ndarray, hidden_activation: str = "tanh") -> float:
    """The cross-entropy cost of the network ``params`` on (X, Y)."""
    A2, _ = forward_propagation(X, params, hidden_activation)
    return compute_cost(A2, Y)


def numerical_gradients(
    params: Params, X: np.ndarray, Y: np.ndarray, hidden_activation: str = "tanh", h: float = 1e-6,
    cost: Optional[Callable[[Params], float]] = None,
) -> Params:
    """Central differences (J(p + h) - J(p - h)) / 2h of the cost for every entry of every parameter."""
    h = check_positive("h", h)
    _check_params(params)
    if cost is None:
        def cost(p: Params) -> float:
            return cost_of(p, X, Y, hidden_activation)
    grads: Params = {}
    for key in ("W1", "b1", "W2", "b2"):
        base = np.asarray(params[key], dtype=float)
        grad = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            shifted = {k: np.array(v, dtype=float) for k, v in params.items()}
            shifted[key][index] = base[index] + h
            plus = cost(shifted)
            shifted[key][index] = base[index] - h
            minus = cost(shifted)
            grad[index] = (plus - minus) / (2 * h)
        grads["d" + key] = grad
    return grads


def relative_difference(a: Params, b: Params) -> float:
    """||a - b|| / (||a|| + ||b||) over all gradients together (Ng's gradient-check number)."""
    if not isinstance(a, dict) or not isinstance(b, dict) or not a:
        raise TypeError(f"a and b must be non-empty dicts of gradients, got {type(a).__name__} and {type(b).__name__}")
    if sorted(a) != sorted(b):
        raise ValueError(f"a and b must have the same keys, got {sorted(a)} and {sorted(b)}")
    keys = sorted(a)
    va = np.concatenate([np.ravel(as_float_array(f"a[{k!r}]", a[k])) for k in keys])
    vb = np.concatenate([np.ravel(as_float_array(f"b[{k!r}]", b[k])) for k in keys])
    if va.shape != vb.shape:
        raise ValueError(f"a and b must hold arrays of the same sizes, got {va.size} and {vb.size} numbers")
    denominator = np.linalg.norm(va) + np.linalg.norm(vb)
    return float(np.linalg.norm(va - vb) / denominator) if denominator > 0 else 0.0


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
        iteration = check_int("iteration", iteration, minimum=0)
        index = int(np.searchsorted(self.snapshot_iterations, iteration, side="right")) - 1
        return self.snapshots[index]

    def iteration_shown(self, iteration: int) -> int:
        """The snapshot iteration ``params_at(iteration)`` actually returns."""
        index = int(np.searchsorted(self.snapshot_iterations, check_int("iteration", iteration, minimum=0),
                                    side="right")) - 1
        return int(self.snapshot_iterations[index])


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

    A run whose weights become non-finite or exceed DIVERGENCE_THRESHOLD
    stops early (``diverged=True``) without overflow warnings.
    """
    Y = as_float_array("Y", Y)
    if Y.ndim != 2 or Y.shape[0] != 1:
        Y = check_examples_in_columns("Y", Y, 1)  # raises with the rows-vs-columns hint
    m = Y.shape[1]
    X = check_columns_are_examples("X", X, m)
    hidden_units = check_int("hidden_units", hidden_units, minimum=1)
    learning_rate = check_positive("learning_rate", learning_rate)
    num_iterations = check_int("num_iterations", num_iterations, minimum=0)
    record_every = check_int("record_every", record_every, minimum=1)
    _check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    params = initialize_parameters(X.shape[0], hidden_units, 1, seed, scale)
    g_in_place = {"tanh": lambda Z: np.tanh(Z, out=Z),  # g(Z1), written over Z1
                  "relu": lambda Z: np.maximum(Z, 0.0, out=Z)}[hidden_activation]
    costs = np.empty(num_iterations + 1)
    snapshots, snapshot_iterations = [], []
    diverged = False
    taken = num_iterations
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    good_k, good = 0, (W1, b1, W2, b2)  # the latest parameters that passed the divergence check
    # The formulas of forward_propagation, compute_cost and backward_propagation, inlined without
    # their argument checks: the live panel retrains when a slider moves, so every microsecond counts.
    # With one output unit, Z2, A2 and dZ2 are kept as flat (m,) rows; the cost's sums over the
    # examples are dot products with Y and 1 - Y. g'(Z1) is computed from A1 as Ng does:
    # 1 - A1^2 for tanh, (A1 > 0) for relu, so A1 may be written over Z1.
    y, not_y = Y[0], 1.0 - Y[0]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(num_iterations + 1):
            Z1 = W1 @ X
            Z1 += b1
            A1 = g_in_place(Z1)
            Z2 = (W2 @ A1)[0] + b2[0, 0]
            A2 = np.reciprocal(1.0 + np.exp(-Z2))  # exp may overflow to inf: A2 = 0 exactly, as it should
            A = np.minimum(np.maximum(A2, COST_EPSILON), 1.0 - COST_EPSILON)
            costs[k] = -(y @ np.log(A) + not_y @ np.log1p(-A)) / m
            if k % record_every == 0 or k == num_iterations:
                snapshots.append({"W1": W1, "b1": b1, "W2": W2, "b2": b2})
                snapshot_iterations.append(k)
            if k == num_iterations:
                break
            dZ2 = A2 - y
            dW2 = (A1 @ dZ2)[None, :] / m
            db2 = dZ2.sum() / m
            dZ1 = W2.T * dZ2
            dZ1 *= (1.0 - A1 * A1) if hidden_activation == "tanh" else (A1 > 0)
            dW1 = dZ1 @ X.T
            dW1 /= m
            db1 = dZ1.sum(axis=1, keepdims=True)
            db1 /= m
            W1, b1 = W1 - learning_rate * dW1, b1 - learning_rate * db1  # new arrays: snapshots keep the old
            W2, b2 = W2 - learning_rate * dW2, b2 - learning_rate * db2
            if (k + 1) % DIVERGENCE_CHECK_EVERY == 0 or k + 1 == num_iterations or not np.isfinite(costs[k]):
                largest = max(float(np.abs(p).max()) for p in (W1, b1, W2, b2))
                if not np.isfinite(largest) or largest > DIVERGENCE_THRESHOLD:
                    diverged = True  # go back to the last parameters that passed the check
                    taken = good_k
                    W1, b1, W2, b2 = good
                    break
                good_k, good = k + 1, (W1, b1, W2, b2)
    costs = costs[: taken + 1]
    while snapshot_iterations[-1] > taken:
        snapshot_iterations.pop()
        snapshots.pop()
    if snapshot_iterations[-1] != taken:
        snapshots.append({"W1": W1, "b1": b1, "W2": W2, "b2": b2})
        snapshot_iterations.append(taken)
    return TrainingRun(costs, np.array(snapshot_iterations), tuple(snapshots), learning_rate, hidden_units,
                       hidden_activation, diverged)


# --- logistic regression: one sigmoid unit ---------------------------------------------
def logistic_forward(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """A = sigmoid(w^T X + b) of shape (1, m) for X of shape (n0, m) and w of shape (n0, 1)."""
    w = as_float_array("w", w)
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column of shape (n0, 1), got shape {w.shape}")
    X = check_examples_in_columns("X", X, w.shape[0])
    b = check_finite("b", b)
    return sigmoid(w.T @ X + b)


def logistic_backward(X: np.ndarray, A: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, float]:
    """dz = A - Y, dw = (1/m) X dz^T (shape (n0, 1)), db = (1/m) sum(dz): gradients of the mean cross-entropy."""
    A = as_float_array("A", A)
    if A.ndim != 2 or A.shape[0] != 1:
        raise ValueError(f"A must have shape (1, m), got shape {A.shape}")
    m = A.shape[1]
    X = check_columns_are_examples("X", X, m)
    Y = check_examples_in_columns("Y", Y, 1, m)
    dz = A - Y
    return (1 / m) * X @ dz.T, float(np.sum(dz) / m)


def train_logistic_regression(
    X: np.ndarray, Y: np.ndarray, learning_rate: float, num_iterations: int
) -> tuple[np.ndarray, float, np.ndarray]:
    """Gradient descent on the mean cross-entropy from w = 0, b = 0; returns w, b and the cost per iteration."""
    Y = as_float_array("Y", Y)
    if Y.ndim != 2 or Y.shape[0] != 1:
        Y = check_examples_in_columns("Y", Y, 1)
    X = check_columns_are_examples("X", X, Y.shape[1])
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


def make_circles(m: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An inner circle (label 1) inside an outer one (label 0); X (2, m), Y (1, m), columns are examples."""
    m = check_int("m", m, minimum=2)
    noise = check_finite("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    factor = check_positive("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor must be below 1 (inner radius / outer radius), got {factor}")
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    m_outer = m // 2
    m_inner = m - m_outer
    t_outer = np.linspace(0, 2 * np.pi, m_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, m_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)])
    X = np.concatenate([outer, inner], axis=1) + noise * rng.standard_normal((2, m))
    Y = np.concatenate([np.zeros(m_outer), np.ones(m_inner)]).reshape(1, m)
    order = rng.permutation(m)
    return X[:, order], Y[:, order]
