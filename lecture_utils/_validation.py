"""Argument checks shared by every module: each error names the parameter."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_real_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise TypeError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def check_finite(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    number = check_real_number(name, value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a finite float > 0, or raise naming ``name``."""
    number = check_finite(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a finite float >= 0, or raise naming ``name``."""
    number = check_finite(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    return number


def check_in_range(name: str, value: Any, low: float, high: float) -> float:
    """Return ``value`` as a float in the closed interval [low, high], or raise naming ``name``."""
    number = check_finite(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def check_callable(name: str, value: Any, what: str, optional: bool = False) -> None:
    """Raise TypeError naming ``name`` unless ``value`` is callable (or None, if ``optional``); ``what`` says its form."""
    if optional and value is None:
        return
    if not callable(value):
        raise TypeError(f"{name} must be a callable {what}{' or None' if optional else ''}, "
                        f"got {type(value).__name__}")


def check_int(name: str, value: Any, minimum: int | None = None) -> int:
    """Return ``value`` as an int (at least ``minimum``), or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def as_float_array(name: str, value: Any, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 array (optionally of ``ndim`` dims), or raise naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a number or an array of numbers: {exc}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex values")
    array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {array}")
    return array
