"""A network with L layers Θ⁽¹⁾ … Θ⁽ᴸ⁾: the forward and the backward pass as loops over layers.

Notebook 03 derives the gradients of a one-hidden-layer network; this module writes the same
derivation for any depth. Examples are rows, as in ``network.py``:

    A⁽⁰⁾ = X                                   (n, m₀)   m₀ = p features
    P⁽ˡ⁾ = A⁽ˡ⁻¹⁾ Θ⁽ˡ⁾ᵀ                        (n, m_l)  Θ⁽ˡ⁾ is (m_l, m_{l−1})
    A⁽ˡ⁾ = g(P⁽ˡ⁾)  for l < L,   Ŷ = P⁽ᴸ⁾[:, 0]  (the last layer is linear, m_L = 1)
    L    = Σ_i (Y_i − Ŷ_i)²

and backwards, for l = L, L−1, …, 1,

    ∂L/∂Θ⁽ˡ⁾   = (∂L/∂P⁽ˡ⁾)ᵀ A⁽ˡ⁻¹⁾           (m_l, m_{l−1})
    ∂L/∂A⁽ˡ⁻¹⁾ = ∂L/∂P⁽ˡ⁾ Θ⁽ˡ⁾                 (n, m_{l−1})
    ∂L/∂P⁽ˡ⁻¹⁾ = ∂L/∂A⁽ˡ⁻¹⁾ ⊙ g′(P⁽ˡ⁻¹⁾)        (n, m_{l−1})

With L = 2 and Θ⁽²⁾ = βᵀ this is exactly ``network.loss_and_gradients``.
"""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from ._validation import as_float_array, check_int
from .activations import Activation, get_activation


def _check_layers(X: object, Thetas: object) -> tuple[np.ndarray, list[np.ndarray]]:
    """X (n, p) and a list of weight matrices whose shapes chain (m_l, m_{l−1}) and end in one output."""
    X = as_float_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}, expected (n, p): rows are examples")
    if isinstance(Thetas, np.ndarray) or not isinstance(Thetas, (list, tuple)) or len(Thetas) == 0:
        raise TypeError(f"Thetas must be a non-empty list of weight matrices, got {type(Thetas).__name__}")
    layers = []
    width = X.shape[1]
    for l, Theta in enumerate(Thetas, start=1):
        Theta = as_float_array(f"Thetas[{l - 1}]", Theta)
        if Theta.ndim != 2 or Theta.shape[1] != width:
            raise ValueError(f"Thetas[{l - 1}] (layer {l}) has shape {Theta.shape}, expected (m_{l}, {width}): "
                             f"one row per unit, one column per unit of layer {l - 1}")
        layers.append(Theta)
        width = Theta.shape[0]
    if width != 1:
        raise ValueError(f"the last layer has {width} units, expected 1 (one prediction per example)")
    return X, layers


def init_layers(widths: Sequence[int], seed: int = 0) -> list[np.ndarray]:
    """Random Θ⁽¹⁾ … Θ⁽ᴸ⁾ for layer widths (m₀ = p, m₁, …, m_{L−1}, 1), each entry N(0, 1/m_{l−1})."""
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (list, tuple)) or len(widths) < 2:
        raise TypeError(f"widths must be a list of at least two layer widths (p, ..., 1), got {widths!r}")
    widths = [check_int(f"widths[{k}]", w, minimum=1) for k, w in enumerate(widths)]
    if widths[-1] != 1:
        raise ValueError(f"widths must end in 1 (one output), got {widths[-1]}")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    return [rng.normal(0.0, 1.0 / np.sqrt(m_in), size=(m_out, m_in)) for m_in, m_out in zip(widths[:-1], widths[1:])]


def deep_loss_and_gradients(X: np.ndarray, Y: np.ndarray, Thetas: Sequence[np.ndarray],
                            activation: Union[str, Activation]) -> tuple[float, list[np.ndarray]]:
    """(L, [∂L/∂Θ⁽¹⁾, …, ∂L/∂Θ⁽ᴸ⁾]) for the SUM of squared errors, all n examples at once."""
    g = get_activation(activation)
    X, Thetas = _check_layers(X, Thetas)
    Y = as_float_array("Y", Y)
    if Y.shape != (X.shape[0],):
        raise ValueError(f"Y has shape {Y.shape}, expected ({X.shape[0]},): one target per row of X")
    return _deep_loss_and_gradients(X, Y, Thetas, g)


def _deep_loss_and_gradients(X: np.ndarray, Y: np.ndarray, Thetas: list[np.ndarray],
                             g: Activation) -> tuple[float, list[np.ndarray]]:
    """The forward loop, the loss, and the backward loop over layers (arguments already checked)."""
    L_layers = len(Thetas)
    A = [X]                                          # A[0] = X                     (n, m₀)
    for l in range(1, L_layers + 1):
        P = A[l - 1] @ Thetas[l - 1].T               # P⁽ˡ⁾ = A⁽ˡ⁻¹⁾ Θ⁽ˡ⁾ᵀ           (n, m_l)
        A.append(g.g(P) if l < L_layers else P)      # A⁽ˡ⁾ = g(P⁽ˡ⁾); the last layer is linear
    Y_hat = A[L_layers][:, 0]                        # Ŷ                            (n,)
    loss = float(np.sum((Y - Y_hat) ** 2))           # L = Σ_i (Y_i − Ŷ_i)²
    dL_dP = (-2.0 * (Y - Y_hat))[:, None]            # ∂L/∂P⁽ᴸ⁾ = −2 (Y − Ŷ)          (n, 1)
    grads = [np.empty(0)] * L_layers
    for l in range(L_layers, 0, -1):
        grads[l - 1] = dL_dP.T @ A[l - 1]            # ∂L/∂Θ⁽ˡ⁾ = (∂L/∂P⁽ˡ⁾)ᵀ A⁽ˡ⁻¹⁾  (m_l, m_{l−1})
        if l > 1:
            dL_dA = dL_dP @ Thetas[l - 1]            # ∂L/∂A⁽ˡ⁻¹⁾ = ∂L/∂P⁽ˡ⁾ Θ⁽ˡ⁾     (n, m_{l−1})
            dL_dP = dL_dA * g.g_prime(A[l - 1])      # ∂L/∂P⁽ˡ⁻¹⁾ = ∂L/∂A ⊙ g′(P⁽ˡ⁻¹⁾) (n, m_{l−1})
    return loss, grads


def layer_shapes(Thetas: Sequence[np.ndarray]) -> list[tuple[int, int]]:
    """The shape (m_l, m_{l−1}) of each Θ⁽ˡ⁾ (and of its gradient)."""
    if not isinstance(Thetas, (list, tuple)):
        raise TypeError(f"Thetas must be a list of the layers' weight matrices, got {type(Thetas).__name__}")
    return [tuple(np.shape(T)) for T in Thetas]
