"""The element-wise activations g of the course, each with its derivative g′ written with A = g(P).

Backpropagation has A = g(P) at hand from the forward pass, and every
derivative here is a function of A alone:

    relu      A = max(P, 0)              g′ = 1 where A > 0, else 0 (g′(0) is taken as 0)
    tanh      A = tanh(P)                g′ = 1 − A²
    sigmoid   A = σ(P) = 1 / (1 + e^−P)  g′ = A (1 − A)
    identity  A = P                      g′ = 1

σ is computed as (1 + tanh(P/2)) / 2, the same number written so that it
never overflows (e^−P does for P < −709).

Use an activation through its record, e.g. ``TANH.g(P)`` and ``TANH.g_prime(A)``,
or ``get_activation("tanh")``. The functions are plain NumPy without argument
checks (they run inside training loops); they accept arrays and scalars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """An element-wise activation: ``g(P)`` gives A, ``g_prime(A)`` gives g′(P) from that A."""

    name: str
    formula: str
    g: Callable[[np.ndarray], np.ndarray]
    g_prime: Callable[[np.ndarray], np.ndarray]


def _relu(P):
    return np.maximum(P, 0.0)


def _relu_prime(A):
    return np.greater(A, 0.0).astype(np.float64)  # 1 where A > 0 (that is, P > 0), 0 where A = 0


def _tanh(P):
    return np.tanh(P)


def _tanh_prime(A):
    return 1.0 - A * A


def _sigmoid(P):
    return 0.5 * (1.0 + np.tanh(0.5 * P))  # = 1 / (1 + exp(-P)), without overflow


def _sigmoid_prime(A):
    return A * (1.0 - A)


def _identity(P):
    return P


def _identity_prime(A):
    return np.ones_like(A, dtype=np.float64)


RELU = Activation("relu", "g(z) = max(z, 0), g'(z) = 1 if z > 0 else 0", _relu, _relu_prime)
TANH = Activation("tanh", "g(z) = tanh(z), g'(z) = 1 - tanh(z)^2", _tanh, _tanh_prime)
SIGMOID = Activation("sigmoid", "g(z) = 1 / (1 + exp(-z)), g'(z) = g(z) (1 - g(z))", _sigmoid, _sigmoid_prime)
IDENTITY = Activation("identity", "g(z) = z, g'(z) = 1", _identity, _identity_prime)

ACTIVATIONS = {a.name: a for a in (RELU, TANH, SIGMOID, IDENTITY)}
ACTIVATION_NAMES = tuple(ACTIVATIONS)


def get_activation(activation: object) -> Activation:
    """The activation called ``activation`` (relu, tanh, sigmoid or identity); ValueError listing them otherwise."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(f"activation must be one of {', '.join(ACTIVATION_NAMES)}; got {activation!r}")
