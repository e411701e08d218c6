"""An exhibit, not teaching code: the cache-blocked, in-place backward pass that ``network.py`` once used.

It computes the same (L, dL/dTheta, dL/dbeta) as ``lecture_utils.network.loss_and_gradients``
(SUM of squared errors, examples as rows) on already checked float64 arrays, with the
tricks that made it faster and harder to read:

- examples are processed in blocks whose P takes about ``BLOCK_BYTES``, so that P stays in
  the CPU's cache while the activation, its derivative and the products pass over it;
- A = g(P) is written over P, and g'(P) (computed from A) over A;
- one array holds Ŷ, then Ŷ − Y, then ∂L/∂Ŷ = 2 (Ŷ − Y);
- the factor ∂L_i/∂Ŷ_i scales the rows of X instead of those of g'(P) when p ≤ m/4.

``bench_backprop`` times it side by side with the plain pass ("what tuning buys");
``tests/test_benchmarks.py`` checks that both give the same numbers.
"""

from __future__ import annotations

import numpy as np

BLOCK_BYTES = 512 * 1024  # P of one block of examples: about the size of a CPU's L2 cache


def _relu(P, out):
    return np.maximum(P, 0.0, out=out)


def _relu_prime(A, out):
    return np.greater(A, 0.0, out=out)


def _tanh(P, out):
    return np.tanh(P, out=out)


def _tanh_prime(A, out):
    out = np.multiply(A, A, out=out)
    return np.subtract(1.0, out, out=out)


def _sigmoid(P, out):
    out = np.multiply(P, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _sigmoid_prime(A, out):
    return np.multiply(A, np.subtract(1.0, A), out=out)


def _identity(P, out):
    return P


def _identity_prime(A, out):
    out.fill(1.0)
    return out


IN_PLACE = {"relu": (_relu, _relu_prime), "tanh": (_tanh, _tanh_prime), "sigmoid": (_sigmoid, _sigmoid_prime),
            "identity": (_identity, _identity_prime)}


def tuned_loss_and_gradients(X: np.ndarray, Y: np.ndarray, Theta: np.ndarray, beta: np.ndarray,
                             activation: str, rows: int | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """(L, dL/dTheta, dL/dbeta) summed block by block of ``rows`` examples (default: ``BLOCK_BYTES`` of P)."""
    n, m = X.shape[0], Theta.shape[0]
    rows = max(64, BLOCK_BYTES // (8 * m)) if rows is None else rows
    if n <= rows:
        return _block(X, Y, Theta, beta, activation)
    loss, dTheta, dbeta = 0.0, np.zeros_like(Theta), np.zeros_like(beta)
    for start in range(0, n, rows):
        block = slice(start, start + rows)
        block_loss, block_dTheta, block_dbeta = _block(X[block], Y[block], Theta, beta, activation)
        loss += block_loss
        dTheta += block_dTheta
        dbeta += block_dbeta
    return loss, dTheta, dbeta


def _block(X, Y, Theta, beta, activation):
    g, g_prime = IN_PLACE[activation]
    P = (Theta @ X.T).T                # (n, m)  Theta Xᵀ has the P_i as columns
    A = g(P, P)                        # (n, m)  written over P
    residual = A @ beta                # (n,)    Ŷ
    residual -= Y                      # (n,)    Ŷ − Y
    loss = float(residual @ residual)
    residual *= 2.0                    # (n,)    ∂L/∂Ŷ
    dbeta = A.T @ residual             # (m,)
    delta = g_prime(A, A)              # (n, m)  g'(P), written over A
    if 4 * X.shape[1] <= Theta.shape[0]:
        dTheta = delta.T @ (residual[:, None] * X)
    else:
        delta *= residual[:, None]
        dTheta = delta.T @ X
    dTheta *= beta[:, None]
    return loss, dTheta, dbeta
