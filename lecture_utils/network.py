"""A one-hidden-layer network P = X Thetaᵀ, A = g(P), Ŷ = A β, with backpropagation by hand.

Used by notebook 03 (backpropagation by hand) and notebook 04 (the same
gradients compared with automatic differentiation).

Shapes follow the lecture. Θ (``Theta``) is (m, p) and β (``beta``) is (m,),
where m is the hidden width (the lecture's diagram calls it D) and p the
number of input features. The lecture writes one example X_i as a p × 1
column; here n examples are stacked as the *rows* of X, so X is (n, p),
Y is (n,), P = X Θᵀ and A = g(P) are (n, m) and Ŷ = A β is (n,).

The loss is the lecture's SUM of squared errors, L = Σ_i (Y_i − Ŷ_i)², not
the mean: the gradients of the mean-squared error are these divided by n.
There is no bias term (as in the lecture); append a constant-1 column to X
to get one.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional, Union

import numpy as np

from ._validation import as_float_array, check_finite, check_int, check_positive
from .schedules import StepSize, as_schedule

ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "identity")


# --- activations -------------------------------------------------------------------------------
# Each derivative is written with the activation's OUTPUT A = g(P) only (relu: A > 0; tanh: 1 - A²;
# sigmoid: A (1 - A)), so the backward pass needs A and never P: A can be written over P.

def _relu(P: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    return np.maximum(P, 0.0, out=out)


def _relu_prime(A: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    # A > 0 exactly where P > 0; g'(0) is taken as 0 (any value in [0, 1] is a valid subgradient).
    if out is None:
        return (A > 0.0).astype(np.float64)
    return np.greater(A, 0.0, out=out)


def _tanh(P: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    return np.tanh(P, out=out)


def _tanh_prime(A: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    out = np.multiply(A, A, out=out)  # g' = 1 - tanh²
    return np.subtract(1.0, out, out=out)


def _sigmoid(P: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    # sigma(z) = (1 + tanh(z/2)) / 2: never overflows and tanh is cheaper than exp.
    out = np.multiply(P, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _sigmoid_prime(A: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    one_minus_A = np.subtract(1.0, A)  # g' = sigma (1 - sigma); a fresh array, so ``out`` may be A itself
    return np.multiply(A, one_minus_A, out=out)


def _identity(P: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    if out is None:
        return np.array(P, dtype=np.float64, copy=True)
    if out is not P:
        out[...] = P
    return out


def _identity_prime(A: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    if out is None:
        return np.ones_like(A, dtype=np.float64)
    out.fill(1.0)
    return out


@dataclass(frozen=True)
class Activation:
    """An element-wise activation g with its derivative g' written with g's output A = g(P)."""

    name: str
    formula: str
    _g: Callable[..., np.ndarray]
    _g_prime_of_output: Callable[..., np.ndarray]

    def __call__(self, P: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
        """g(P) element-wise (into ``out`` if given; ``out=P`` overwrites P)."""
        return self._g(np.asarray(P, dtype=np.float64), out=out)

    def derivative(self, P: np.ndarray, A: Optional[np.ndarray] = None,
                   out: Optional[np.ndarray] = None) -> np.ndarray:
        """g'(P) element-wise; pass A = g(P) if you have it, to avoid recomputing it."""
        A = self(P) if A is None else np.asarray(A, dtype=np.float64)
        return self._g_prime_of_output(A, out=out)

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.formula})"


ACTIVATIONS = {
    "relu": Activation("relu", "g(z) = max(z, 0), g'(z) = 1 if z > 0 else 0", _relu, _relu_prime),
    "tanh": Activation("tanh", "g(z) = tanh(z), g'(z) = 1 - tanh(z)^2", _tanh, _tanh_prime),
    "sigmoid": Activation("sigmoid", "g(z) = 1 / (1 + exp(-z)), g'(z) = g(z) (1 - g(z))", _sigmoid,
                          _sigmoid_prime),
    "identity": Activation("identity", "g(z) = z, g'(z) = 1", _identity, _identity_prime),
}


def get_activation(activation: Union[str, Activation]) -> Activation:
    """The activation called ``activation`` (relu, tanh, sigmoid or identity); ValueError listing them otherwise."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(f"activation must be one of {', '.join(ACTIVATION_NAMES)}; got {activation!r}")


# --- argument checks -----------------------------------------------------------------------------

def _float_array(name: str, value: object, finite: bool = True) -> np.ndarray:
    """``value`` as a finite float64 array; a finite float64 ndarray is returned as is (no copy, one cheap pass).

    ``finite=False`` skips the finiteness pass for a float64 ndarray (the caller checks it another way).
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        if not finite:
            return value
        if value.size <= 4096:  # small: the direct test is cheapest
            if np.isfinite(value).all():
                return value
        else:  # large: one sum, since any NaN or inf makes it non-finite (an overflow only sends us to the full check)
            with np.errstate(over="ignore", invalid="ignore"):
                if np.isfinite(np.add.reduce(value, axis=None)):
                    return value
    return as_float_array(name, value)  # the full check, naming the parameter


def _shape_error(name: str, got: tuple, expected: str, why: str) -> ValueError:
    return ValueError(f"{name} has shape {got}, expected {expected} ({why})")


def _check_params(Theta: object, beta: object, names: tuple[str, str] = ("Theta", "beta"),
                  finite_beta: bool = True) -> tuple[np.ndarray, np.ndarray]:
    theta_name, beta_name = names
    Theta = _float_array(theta_name, Theta)
    if Theta.ndim != 2:
        raise _shape_error(theta_name, Theta.shape, "(m, p)", "one row theta_j per hidden unit")
    beta = _float_array(beta_name, beta, finite_beta)
    m = Theta.shape[0]
    if beta.shape != (m,):
        raise _shape_error(beta_name, beta.shape, f"({m},)",
                           f"one weight per hidden unit; {theta_name} has shape {Theta.shape}")
    return Theta, beta


def _check_inputs(X: object, Theta: np.ndarray, finite: bool = True) -> np.ndarray:
    X = _float_array("X", X, finite)
    p = Theta.shape[1]
    if X.ndim != 2 or X.shape[1] != p:
        hint = "; for one example x use x[None, :]" if X.ndim == 1 else ""
        raise _shape_error("X", X.shape, f"(n, {p})",
                           f"rows are examples and Theta has shape {Theta.shape}, so p = {p}{hint}")
    return X


def _check_targets(Y: object, X: np.ndarray, finite: bool = True) -> np.ndarray:
    Y = _float_array("Y", Y, finite)
    n = X.shape[0]
    if Y.shape != (n,):
        raise _shape_error("Y", Y.shape, f"({n},)", f"one target per row of X; X has shape {X.shape}")
    return Y


# --- forward pass --------------------------------------------------------------------------------

class ForwardPass(NamedTuple):
    """The forward pass's named intermediates for n examples: P (n, m), A (n, m), Y_hat (n,)."""

    P: np.ndarray
    A: np.ndarray
    Y_hat: np.ndarray


def forward(X: np.ndarray, Theta: np.ndarray, beta: np.ndarray, activation: Union[str, Activation]) -> ForwardPass:
    """P = X Thetaᵀ (n, m), A = g(P) (n, m), Y_hat = A beta (n,): row i is the lecture's P_i, A_i, Ŷ_i."""
    g = get_activation(activation)
    Theta, beta = _check_params(Theta, beta)
    X = _check_inputs(X, Theta)
    P = X @ Theta.T
    A = g(P)
    return ForwardPass(P, A, A @ beta)


def basis_functions(X: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                    activation: Union[str, Activation]) -> np.ndarray:
    """The (n, m) terms beta_j g(theta_jᵀ x_i) whose row sums are the predictions Ŷ_i."""
    _, A, _ = forward(X, Theta, beta, activation)
    return A * beta


# --- backward pass, vectorised -------------------------------------------------------------------

# Examples per block in ``_loss_and_gradients``: a block's P (rows x m float64) takes about 512 KB,
# so it stays in the CPU's cache (L2) while the activation, its derivative and the products with
# the residual pass over it. All at once, P goes out to main memory and each of those passes waits
# on it (make bench: about 2x faster at n = 65536, p = 10, m = 256).
BLOCK_BYTES = 512 * 1024


def _loss_and_gradients(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                        g: Activation, rows: Optional[int] = None) -> tuple[float, np.ndarray, np.ndarray]:
    """The unchecked core of ``loss_and_gradients`` (arguments already validated float64 arrays).

    L, dL/dTheta and dL/dbeta are sums over the examples, so they can be summed block by block
    of ``rows`` examples (default: ``BLOCK_BYTES`` of P per block); the result is the same.
    """
    n, m = X.shape[0], Theta.shape[0]
    rows = max(64, BLOCK_BYTES // (8 * m)) if rows is None else rows
    if n <= rows:
        return _loss_and_gradients_of_block(X, Y, Theta, beta, g)
    loss, dTheta, dbeta = 0.0, np.zeros_like(Theta), np.zeros_like(beta)
    for start in range(0, n, rows):
        block = slice(start, start + rows)
        block_loss, block_dTheta, block_dbeta = _loss_and_gradients_of_block(X[block], Y[block], Theta, beta, g)
        loss += block_loss
        dTheta += block_dTheta
        dbeta += block_dbeta
    return loss, dTheta, dbeta


def _loss_and_gradients_of_block(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                                 g: Activation) -> tuple[float, np.ndarray, np.ndarray]:
    """Forward and backward pass over the examples (rows) of X at once: (L, dL/dTheta, dL/dbeta)."""
    P = (Theta @ X.T).T                # (n, m)  row i is P_i = Theta X_i (Theta Xᵀ has them as columns)
    A = g._g(P, out=P)                 # (n, m)  A_i = g(P_i), written over P: g' below needs only A
    residual = A @ beta                # (n,)    Y_hat
    residual -= Y                      # (n,)    Y_hat - Y
    loss = float(residual @ residual)  #         sum_i (Y_i - Y_hat_i)^2
    residual *= 2.0                    # (n,)    dL_i/dY_hat_i = -2 (Y_i - Y_hat_i)
    dbeta = A.T @ residual             # (m,)    sum_i dL_i/dY_hat_i A_i
    delta = g._g_prime_of_output(A, out=A)  # (n, m)  g'(P_i), written over A (no longer needed)
    # dTheta = sum_i (dL_i/dY_hat_i g'(P_i))ᵀ X_iᵀ: the number dL_i/dY_hat_i may scale row i of
    # g'(P) or row i of X, the sum is the same; X (n x p) is the cheaper one when p is much smaller than m.
    if 4 * X.shape[1] <= Theta.shape[0]:
        dTheta = delta.T @ (residual[:, None] * X)  # (m, p)
    else:
        delta *= residual[:, None]     # (n, m)  row i is dL_i/dY_hat_i g'(P_i)
        dTheta = delta.T @ X           # (m, p)
    dTheta *= beta[:, None]            # (m, p)  times beta_j in row j: dL_i/dP_i = dL_i/dY_hat_i betaᵀ diag(g'(P_i)),
    return loss, dTheta, dbeta         #         and beta_j is the same for every i, so it leaves the sum


def _all_finite(loss: float, *arrays: np.ndarray) -> bool:
    return math.isfinite(loss) and all(np.isfinite(a).all() for a in arrays)


def loss_and_gradients(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                       activation: Union[str, Activation]) -> tuple[float, np.ndarray, np.ndarray]:
    """(L, dL/dTheta, dL/dbeta) for the SUM of squared errors L = Σ_i (Y_i − Ŷ_i)², all n examples at once.

    X is (n, p) with examples as rows, Y (n,), Theta (m, p), beta (m,).
    dTheta has Theta's shape and dbeta beta's. The loss is a sum, not a mean:
    for the mean-squared error divide the loss and both gradients by n.
    """
    g = get_activation(activation)
    # Theta is checked first: an inf in Theta can saturate a unit (tanh(inf) = 1) and vanish from the
    # results. beta, X and Y are checked through the results instead of by separate passes: a NaN or
    # inf in any of them always reaches the loss or dTheta (through Ŷ, or through a term 0 * inf or
    # g' * inf of dTheta), so only non-finite results send us back to them.
    Theta, beta = _check_params(Theta, beta, finite_beta=False)
    X = _check_inputs(X, Theta, finite=False)
    Y = _check_targets(Y, X, finite=False)
    with np.errstate(over="ignore", invalid="ignore"):
        loss, dTheta, dbeta = _loss_and_gradients(X, Y, Theta, beta, g)
    if not _all_finite(loss, dTheta, dbeta):
        for name, value in (("beta", beta), ("Y", Y), ("X", X)):
            _float_array(name, value)  # raises a ValueError naming the first of them that holds a NaN or an inf
        warnings.warn("loss_and_gradients: the loss or a gradient overflowed to inf or NaN although X, Y, "
                      "Theta and beta are finite; the weights or inputs are too large", RuntimeWarning,
                      stacklevel=2)
    return loss, dTheta, dbeta


# --- backward pass, one example at a time (for teaching) -------------------------------------------

@dataclass(frozen=True)
class ExampleFactors:
    """Every intermediate and chain-rule factor of one example, as the lecture writes them.

    Row vectors are stored as (1, k) arrays and matrices with their true shapes,
    so the products in ``backward`` are the lecture's products, literally.
    """

    x: np.ndarray          # X_i, (p,)
    y: float               # Y_i
    P: np.ndarray          # P_i = Theta X_i, (m,)
    A: np.ndarray          # A_i = g(P_i), (m,)
    Y_hat: float           # Ŷ_i = betaᵀ A_i
    loss: float            # L_i = (Y_i - Ŷ_i)^2
    dL_dYhat: np.ndarray   # ∂L_i/∂Ŷ_i = -2 (Y_i - Ŷ_i), (1, 1)
    dYhat_dA: np.ndarray   # ∂Ŷ_i/∂A_i = betaᵀ, (1, m)
    dL_dA: np.ndarray      # ∂L_i/∂A_i = ∂L_i/∂Ŷ_i · betaᵀ, (1, m)
    dA_dP: np.ndarray      # ∂A_i/∂P_i = diag(g'(P_i1), ..., g'(P_im)), (m, m)
    dL_dP: np.ndarray      # ∂L_i/∂P_i = ∂L_i/∂A_i · diag(g'(P_i)), (1, m)
    dL_dTheta: np.ndarray  # ∂L_i/∂Theta = (∂L_i/∂P_i)ᵀ X_iᵀ, (m, p)
    dYhat_dbeta: np.ndarray  # ∂Ŷ_i/∂beta = A_iᵀ, (1, m)
    dL_dbeta: np.ndarray   # ∂L_i/∂beta = ∂L_i/∂Ŷ_i · A_iᵀ, as a (m,) gradient

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every stored factor, by name."""
        return {name: np.shape(getattr(self, name)) for name in self.__dataclass_fields__}


def example_factors(x: np.ndarray, y: float, Theta: np.ndarray, beta: np.ndarray,
                    activation: Union[str, Activation]) -> ExampleFactors:
    """Forward and backward pass of ONE example (x of shape (p,)), building each chain-rule factor explicitly."""
    g = get_activation(activation)
    Theta, beta = _check_params(Theta, beta)
    x = as_float_array("x", x)
    p = Theta.shape[1]
    if x.shape != (p,):
        raise _shape_error("x", x.shape, f"({p},)", f"one example with p = {p} features; Theta has shape {Theta.shape}")
    y = check_finite("y", y)
    return _example_factors(x, y, Theta, beta, g)


def _example_factors(x: np.ndarray, y: float, Theta: np.ndarray, beta: np.ndarray, g: Activation) -> ExampleFactors:
    # forward, exactly as in the lecture (column vectors as 1D arrays)
    P = Theta @ x                                  # (m,)
    A = g(P)                                       # (m,)
    Y_hat = float(beta @ A)                        # scalar
    loss = (y - Y_hat) ** 2
    # backward: one factor per edge of the graph, multiplied from the loss towards the inputs
    dL_dYhat = np.array([[-2.0 * (y - Y_hat)]])    # (1, 1)
    dYhat_dA = beta[None, :]                       # (1, m)  = betaᵀ
    dL_dA = dL_dYhat @ dYhat_dA                    # (1, 1)(1, m) -> (1, m)
    dA_dP = np.diag(g.derivative(P, A))            # (m, m)
    dL_dP = dL_dA @ dA_dP                          # (1, m)(m, m) -> (1, m)
    dL_dTheta = dL_dP.T @ x[None, :]               # (m, 1)(1, p) -> (m, p): the "X_iᵀ" factor
    dYhat_dbeta = A[None, :]                       # (1, m)  = A_iᵀ
    dL_dbeta = (dL_dYhat @ dYhat_dbeta)[0]         # (1, m) -> (m,)
    return ExampleFactors(x, y, P, A, Y_hat, loss, dL_dYhat, dYhat_dA, dL_dA, dA_dP, dL_dP, dL_dTheta,
                          dYhat_dbeta, dL_dbeta)


def loss_and_gradients_per_example(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                                   activation: Union[str, Activation]) -> tuple[float, np.ndarray, np.ndarray]:
    """The same (L, dL/dTheta, dL/dbeta) as ``loss_and_gradients`` (SUM of squared errors), one example at a time.

    Slow on purpose: it builds the lecture's factors ∂L_i/∂Ŷ_i, βᵀ,
    diag(g'(P_i)) and X_iᵀ for each example i and sums L_i and ∂L_i/∂Θ,
    ∂L_i/∂β over i. Use it to read, not to train.
    """
    g = get_activation(activation)
    Theta, beta = _check_params(Theta, beta)
    X = _check_inputs(X, Theta)
    Y = _check_targets(Y, X)
    loss, dTheta, dbeta = 0.0, np.zeros_like(Theta), np.zeros_like(beta)
    for x, y in zip(X, Y):
        f = _example_factors(x, float(y), Theta, beta, g)
        loss += f.loss
        dTheta += f.dL_dTheta
        dbeta += f.dL_dbeta
    return loss, dTheta, dbeta


# --- data, initialisation and training -----------------------------------------------------------

def noisy_sine(n: int = 40, noise: float = 0.15, seed: int = 0, low: float = -3.0,
               high: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded 1D regression set: x sorted uniform on [low, high], y = sin(x) + Gaussian noise."""
    n = check_int("n", n, minimum=1)
    noise = check_finite("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(check_finite("low", low), check_finite("high", high), n))
    return x, np.sin(x) + noise * rng.standard_normal(n)


def with_constant_feature(x: np.ndarray) -> np.ndarray:
    """The (n, 2) design matrix [x, 1]: the constant column lets theta_j shift its unit (a bias in disguise)."""
    x = as_float_array("x", x, ndim=1)
    return np.column_stack([x, np.ones_like(x)])


def init_params(m: int, p: int, seed: int = 0, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded starting values: Theta (m, p) ~ N(0, scale²), beta (m,) ~ N(0, 1/m)."""
    m = check_int("m", m, minimum=1)
    p = check_int("p", p, minimum=1)
    scale = check_positive("scale", scale)
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((m, p)), rng.standard_normal(m) / np.sqrt(m)


DIVERGENCE_LOSS = 1e12  # a run stops, marked diverged, once the loss exceeds this (or is not finite)


@dataclass(frozen=True)
class TrainingRun:
    """Full-batch gradient descent on the summed squared error: the final parameters and the loss per step.

    ``losses`` has one entry per parameter vector visited: losses[k] is L at
    step k (before the k-th update), so it is one longer than ``step_sizes``.
    """

    Theta: np.ndarray
    beta: np.ndarray
    losses: np.ndarray
    step_sizes: np.ndarray
    activation: str
    diverged: bool

    @property
    def num_steps(self) -> int:
        """How many updates were made."""
        return len(self.losses) - 1

    def describe(self) -> str:
        """One line: steps, first and final loss, or where it diverged."""
        if self.diverged:
            return f"diverged after {self.num_steps} steps (loss above {DIVERGENCE_LOSS:g})"
        return f"{self.num_steps} steps: loss {self.losses[0]:.4g} -> {self.losses[-1]:.4g}"


def train(X: np.ndarray, Y: np.ndarray, Theta0: np.ndarray, beta0: np.ndarray,
          activation: Union[str, Activation], step_size: StepSize, num_steps: int) -> TrainingRun:
    """Full-batch gradient descent Theta -= gamma_k dL/dTheta, beta -= gamma_k dL/dbeta on the summed loss."""
    g = get_activation(activation)
    Theta, beta = _check_params(Theta0, beta0, names=("Theta0", "beta0"))
    X = _check_inputs(X, Theta)
    Y = _check_targets(Y, X)
    num_steps = check_int("num_steps", num_steps, minimum=0)
    gammas = as_schedule(step_size).values(num_steps)
    Theta, beta = Theta.copy(), beta.copy()
    losses = np.empty(num_steps + 1)
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(num_steps + 1):
            loss, dTheta, dbeta = _loss_and_gradients(X, Y, Theta, beta, g)
            losses[k] = loss
            if not loss <= DIVERGENCE_LOSS:  # also catches NaN
                diverged = True
                break
            if k == num_steps:
                break
            dTheta *= gammas[k]
            dbeta *= gammas[k]
            Theta -= dTheta
            beta -= dbeta
    losses = losses[: k + 1]
    return TrainingRun(Theta, beta, losses, gammas[:k], g.name, diverged)


def tiny_example(seed: int = 44) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The seeded n = 3, p = 2, m = 4 example of notebooks 03 and 04: (X, Y, Theta, beta), rounded to 0.1."""
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    X = rng.normal(size=(3, 2)).round(1)          # rows are the examples X_i
    Y = rng.normal(size=3).round(1)
    Theta = rng.normal(size=(4, 2)).round(1)      # m x p
    beta = (rng.normal(size=4) / 2).round(1)
    return X, Y, Theta, beta
