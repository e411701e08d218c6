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
to get one. The activations g and their derivatives are in ``activations.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Union

import numpy as np

from ._validation import as_float_array, check_finite, check_int, check_positive
from .activations import Activation, get_activation
from .schedules import StepSize, as_schedule


# --- argument checks -----------------------------------------------------------------------------

def _shape_error(name: str, got: tuple, expected: str, why: str) -> ValueError:
    return ValueError(f"{name} has shape {got}, expected {expected} ({why})")


def _check_params(Theta: object, beta: object, p: int | None = None,
                  names: tuple[str, str] = ("Theta", "beta")) -> tuple[np.ndarray, np.ndarray]:
    """Theta (m, p) and beta (m,) as finite float64 arrays; ``p`` is the data's number of features, if known."""
    theta_name, beta_name = names
    Theta = as_float_array(theta_name, Theta)
    beta = as_float_array(beta_name, beta)
    if Theta.ndim != 2:
        raise _shape_error(theta_name, Theta.shape, "(m, p)", "one row theta_j per hidden unit")
    m = Theta.shape[0]
    if beta.shape != (m,):
        if beta.shape == (Theta.shape[1],) and p == m != Theta.shape[1]:  # Theta is (p, m)
            raise _shape_error(theta_name, Theta.shape, f"({beta.shape[0]}, {p})",
                               f"one row per hidden unit: {beta_name} has {beta.shape[0]} entries and the "
                               f"data {p} features; is {theta_name} transposed?")
        raise _shape_error(beta_name, beta.shape, f"({m},)",
                           f"one weight per hidden unit; {theta_name} has shape {Theta.shape}")
    return Theta, beta


def _check_inputs(X: np.ndarray, Theta: np.ndarray) -> np.ndarray:
    p = Theta.shape[1]
    if X.ndim != 2 or X.shape[1] != p:
        hint = "; for one example x use x[None, :]" if X.ndim == 1 else ""
        raise _shape_error("X", X.shape, f"(n, {p})",
                           f"rows are examples and Theta has shape {Theta.shape}, so p = {p}{hint}")
    return X


def _check_network(X: object, Theta: object, beta: object,
                   names: tuple[str, str] = ("Theta", "beta")) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n, p), Theta (m, p), beta (m,) as finite float64 arrays, or an error naming the one at fault."""
    X = as_float_array("X", X)
    Theta, beta = _check_params(Theta, beta, X.shape[1] if X.ndim == 2 else None, names)
    return _check_inputs(X, Theta), Theta, beta


def _check_targets(Y: object, X: np.ndarray) -> np.ndarray:
    Y = as_float_array("Y", Y)
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
    X, Theta, beta = _check_network(X, Theta, beta)
    P = X @ Theta.T
    A = g.g(P)
    return ForwardPass(P, A, A @ beta)


def basis_functions(X: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                    activation: Union[str, Activation]) -> np.ndarray:
    """The (n, m) terms beta_j g(theta_jᵀ x_i) whose row sums are the predictions Ŷ_i."""
    _, A, _ = forward(X, Theta, beta, activation)
    return A * beta


# --- backward pass, vectorised -------------------------------------------------------------------

def loss_and_gradients(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                       activation: Union[str, Activation]) -> tuple[float, np.ndarray, np.ndarray]:
    """(L, dL/dTheta, dL/dbeta) for the SUM of squared errors L = Σ_i (Y_i − Ŷ_i)², all n examples at once.

    X is (n, p) with examples as rows, Y (n,), Theta (m, p), beta (m,).
    dTheta has Theta's shape and dbeta beta's. The loss is a sum, not a mean:
    for the mean-squared error divide the loss and both gradients by n.
    The equations are in ``_loss_and_gradients``, right below.
    """
    g = get_activation(activation)
    X, Theta, beta = _check_network(X, Theta, beta)
    Y = _check_targets(Y, X)
    return _loss_and_gradients(X, Y, Theta, beta, g)


def _loss_and_gradients(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                        g: Activation) -> tuple[float, np.ndarray, np.ndarray]:
    """The lecture's forward and backward pass with the examples as rows (arguments already checked)."""
    P = X @ Theta.T                                  # (n, m)  row i is P_iᵀ = (Θ X_i)ᵀ
    A = g.g(P)                                       # (n, m)  A = g(P)
    Y_hat = A @ beta                                 # (n,)    Ŷ = A β
    loss = float(np.sum((Y - Y_hat) ** 2))           #         L = Σ_i (Y_i − Ŷ_i)²
    dL_dYhat = -2.0 * (Y - Y_hat)                    # (n,)    ∂L/∂Ŷ_i = −2 (Y_i − Ŷ_i)
    dL_dbeta = A.T @ dL_dYhat                        # (m,)    ∂L/∂β = Σ_i ∂L/∂Ŷ_i A_i
    dL_dP = np.outer(dL_dYhat, beta) * g.g_prime(A)  # (n, m)  row i: ∂L/∂P_i = ∂L/∂Ŷ_i βᵀ diag(g′(P_i))
    dL_dTheta = dL_dP.T @ X                          # (m, p)  ∂L/∂Θ = Σ_i (∂L/∂P_i)ᵀ X_iᵀ
    return loss, dL_dTheta, dL_dbeta


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


def example_factors(x: np.ndarray, y: float, Theta: np.ndarray, beta: np.ndarray,
                    activation: Union[str, Activation]) -> ExampleFactors:
    """Forward and backward pass of ONE example (x of shape (p,)), building each chain-rule factor explicitly."""
    g = get_activation(activation)
    x = as_float_array("x", x)
    Theta, beta = _check_params(Theta, beta, x.shape[0] if x.ndim == 1 else None)
    p = Theta.shape[1]
    if x.shape != (p,):
        raise _shape_error("x", x.shape, f"({p},)", f"one example with p = {p} features; Theta has shape {Theta.shape}")
    y = check_finite("y", y)
    return _example_factors(x, y, Theta, beta, g)


def _example_factors(x: np.ndarray, y: float, Theta: np.ndarray, beta: np.ndarray, g: Activation) -> ExampleFactors:
    # forward, exactly as in the lecture (column vectors as 1D arrays)
    P = Theta @ x                                  # (m,)
    A = g.g(P)                                     # (m,)
    Y_hat = float(beta @ A)                        # scalar
    loss = (y - Y_hat) ** 2
    # backward: one factor per edge of the graph, multiplied from the loss towards the inputs
    dL_dYhat = np.array([[-2.0 * (y - Y_hat)]])    # (1, 1)
    dYhat_dA = beta[None, :]                       # (1, m)  = betaᵀ
    dL_dA = dL_dYhat @ dYhat_dA                    # (1, 1)(1, m) -> (1, m)
    dA_dP = np.diag(g.g_prime(A))                  # (m, m)
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
    X, Theta, beta = _check_network(X, Theta, beta)
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
    X, Theta, beta = _check_network(X, Theta0, beta0, names=("Theta0", "beta0"))
    Y = _check_targets(Y, X)
    num_steps = check_int("num_steps", num_steps, minimum=0)
    gammas = as_schedule(step_size).values(num_steps)
    losses = np.empty(num_steps + 1)
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows: it is reported, not warned
        for k in range(num_steps + 1):
            losses[k], dTheta, dbeta = _loss_and_gradients(X, Y, Theta, beta, g)
            if not losses[k] <= DIVERGENCE_LOSS:  # also catches NaN
                diverged = True
                break
            if k == num_steps:
                break
            Theta = Theta - gammas[k] * dTheta  # Θ ← Θ − γ_k ∂L/∂Θ
            beta = beta - gammas[k] * dbeta     # β ← β − γ_k ∂L/∂β
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


# --- curvature: the step-size bound γ < 2/λ_max ------------------------------------------------------

def hessian_lambda_max(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                       activation: Union[str, Activation], iterations: int = 200, seed: int = 0,
                       h: float = 1e-5) -> float:
    """The largest-magnitude eigenvalue of the Hessian of L at (Theta, beta), by power iteration.

    Each Hessian-vector product is a central difference of the gradient along v,
    H v ≈ (∇L(w + h v) − ∇L(w − h v)) / (2h), so the Hessian is never formed.
    """
    g = get_activation(activation)
    X, Theta, beta = _check_network(X, Theta, beta)
    Y = _check_targets(Y, X)
    iterations = check_int("iterations", iterations, minimum=1)
    h = check_positive("h", h)
    m, p = Theta.shape

    def gradient(w: np.ndarray) -> np.ndarray:   # (m p + m,)  ∇L at the flattened parameters w = (Θ, β)
        _, dT, db = _loss_and_gradients(X, Y, w[:m * p].reshape(m, p), w[m * p:], g)
        return np.concatenate([dT.ravel(), db])

    w = np.concatenate([Theta.ravel(), beta])
    v = np.random.default_rng(check_int("seed", seed, minimum=0)).normal(size=w.size)
    v /= np.linalg.norm(v)
    eigenvalue = 0.0
    for _ in range(iterations):
        Hv = (gradient(w + h * v) - gradient(w - h * v)) / (2 * h)   # H v
        eigenvalue = float(v @ Hv)                                   # Rayleigh quotient vᵀ H v
        norm = np.linalg.norm(Hv)
        if norm == 0.0:
            return 0.0
        v = Hv / norm
    return eigenvalue
