"""Gradient checking: central finite differences and the relative error between two gradients.

The course's one gradient-check convention, used by notebooks 03, 04 and 06 and by the tests:
the relative error ||a − b|| / max(||a||, ||b||) (``relative_error``), below 1e-7 for a pass.
Each partial derivative is estimated as (f(w + h e_k) − f(w − h e_k)) / (2h):
the error of this central difference shrinks like h² (a one-sided difference
only like h), until rounding errors of size about eps·|f|/h take over.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np

from ._validation import as_float_array, check_callable, check_positive

DEFAULT_H = 1e-5


def numerical_gradient(f: Callable[[np.ndarray], float], w: np.ndarray, h: float = DEFAULT_H) -> np.ndarray:
    """Central-difference estimate of the gradient of the scalar function f at the array w (same shape as w)."""
    check_callable("f", f, "returning a scalar")
    return numerical_gradients(f, [w], h)[0]


def numerical_gradients(f: Callable[..., float], arrays: Sequence[np.ndarray], h: float = DEFAULT_H) -> list[np.ndarray]:
    """Central-difference gradients of the scalar f(*arrays) with respect to each array, one entry at a time."""
    check_callable("f", f, "returning a scalar")
    h = check_positive("h", h)
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
        raise TypeError(f"arrays must be a list or tuple of arrays, got {type(arrays).__name__}")
    if not arrays:
        raise ValueError("arrays must hold at least one array")
    points = [as_float_array(f"arrays[{k}]", a).copy() for k, a in enumerate(arrays)]
    grads = []
    for w in points:
        grad = np.empty_like(w)
        flat, out = w.reshape(-1), grad.reshape(-1)  # views: editing flat edits w
        for k in range(flat.size):
            saved = flat[k]
            flat[k] = saved + h
            f_plus = _call(f, points)
            flat[k] = saved - h
            f_minus = _call(f, points)
            flat[k] = saved
            out[k] = (f_plus - f_minus) / (2.0 * h)
        grads.append(grad)
    return grads


def _call(f: Callable[..., float], points: list[np.ndarray]) -> float:
    try:
        value = f(*points)
    except TypeError as error:
        raise TypeError(f"f must accept {len(points)} array argument(s), one per entry of arrays: {error}") from error
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"f must return a number, got {type(value).__name__} {value!r}") from None
    if array.size != 1:
        raise ValueError(f"f must return a scalar, got an array of shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"f must return a finite number, got {float(array.reshape(-1)[0])} near the given arrays")
    return float(array.reshape(-1)[0])


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a − b|| / max(||a||, ||b||) (Euclidean norms over all entries); 0 when both are 0."""
    a = as_float_array("a", a)
    b = as_float_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}")
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b)) / scale


def gradient_check(f: Callable[..., float], arrays: Sequence[np.ndarray], analytic: Sequence[np.ndarray],
                   names: Optional[Sequence[str]] = None, h: float = DEFAULT_H) -> dict[str, float]:
    """Relative error between each analytic gradient and its central-difference estimate, by name."""
    for label, value in (("arrays", arrays), ("analytic", analytic)):
        if isinstance(value, np.ndarray) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{label} must be a list or tuple of arrays, got {type(value).__name__}")
    if names is not None and (isinstance(names, str) or not isinstance(names, (list, tuple))
                              or not all(isinstance(n, str) for n in names)):
        raise TypeError(f"names must be a list of strings or None, got {names!r}")
    if len(analytic) != len(arrays):
        raise ValueError(f"analytic must hold one gradient per array: got {len(analytic)} for {len(arrays)} arrays")
    names = [f"arrays[{k}]" for k in range(len(arrays))] if names is None else list(names)
    if len(names) != len(arrays):
        raise ValueError(f"names must hold one name per array: got {len(names)} for {len(arrays)} arrays")
    exact = []
    for name, array, gradient in zip(names, arrays, analytic):
        gradient = as_float_array(f"analytic gradient {name}", gradient)
        if gradient.shape != np.shape(array):
            raise ValueError(f"analytic gradient {name} has shape {gradient.shape}, expected {np.shape(array)} "
                             "(the shape of the array it differentiates)")
        exact.append(gradient)
    numeric = numerical_gradients(f, arrays, h)
    return {name: relative_error(a, b) for name, a, b in zip(names, exact, numeric)}
