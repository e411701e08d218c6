"""Bad input, fuzzed: every public function and class of the math modules of lecture_utils.

Each is called with random arguments drawn from good values and junk (NaN, inf,
empty and mis-shaped arrays, ints, float32, strings, None, callables). The
outcome must be a result without NaN, or a ValueError/TypeError whose message
names one of the parameters; never another exception, and never a warning.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lecture_utils

# Pure-NumPy modules (figures and widgets are covered by their slider-extreme tests).
SKIPPED_MODULES = {"graphs"}
EXAMPLES_PER_CALLABLE = 120


def math_modules():
    for info in pkgutil.iter_modules(lecture_utils.__path__):
        if not info.ispkg and not info.name.startswith("_") and info.name not in SKIPPED_MODULES:
            yield importlib.import_module(f"lecture_utils.{info.name}")


def public_callables():
    for module in math_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if dataclasses.is_dataclass(obj) and not hasattr(obj, "__post_init__"):
                continue  # a plain record of results, not an entry point
            if inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
                continue  # a NamedTuple record
            if inspect.isfunction(obj) or (inspect.isclass(obj) and not issubclass(obj, BaseException)):
                try:
                    inspect.signature(obj)
                except (TypeError, ValueError):
                    continue
                yield f"{module.__name__.split('.')[-1]}.{name}", obj


CALLABLES = sorted(public_callables())

finite_floats = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
arrays = st.builds(lambda shape, dtype, fill: np.full(shape, fill).astype(dtype),
                   shapes, st.sampled_from([np.float64, np.float32, np.int64]), finite_floats)
junk = st.sampled_from([None, "abc", True, float("nan"), float("inf"), -float("inf"), -1, 0, np.array([]),
                        np.array([np.nan, 1.0]), [1, [2, 3]], {}, object()])
callables = st.sampled_from([lambda *a, **k: 0.0, lambda w: np.asarray(w) * 2.0, lambda *a: "x"])
values = st.one_of(finite_floats, st.integers(-3, 40), arrays, junk, callables, st.sampled_from(["relu", "tanh"]))


def has_nan(result, depth=0) -> bool:
    if depth > 3:
        return False
    if isinstance(result, (float, np.floating)):
        return bool(np.isnan(result))
    if isinstance(result, np.ndarray) and result.dtype.kind == "f":
        return bool(np.isnan(result).any())
    if isinstance(result, (tuple, list)):
        return any(has_nan(r, depth + 1) for r in result[:20])
    if isinstance(result, dict):
        return any(has_nan(r, depth + 1) for r in list(result.values())[:20])
    return False


@pytest.mark.parametrize("name, fn", CALLABLES, ids=[n for n, _ in CALLABLES])
@settings(max_examples=EXAMPLES_PER_CALLABLE, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bad_input_is_rejected_clearly(name, fn, data):
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
              and p.name not in ("self", "cls") and not p.name.startswith("_")]
    kwargs = {}
    for p in params:
        if p.default is inspect.Parameter.empty or data.draw(st.booleans(), label=f"vary {p.name}"):
            kwargs[p.name] = data.draw(values, label=p.name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = fn(**kwargs)
        except (ValueError, TypeError) as error:
            message = str(error)
            assert any(p.name in message for p in params) or not params, (
                f"{name}: {type(error).__name__} does not name a parameter: {message!r}")
            return
        except (RecursionError, MemoryError):
            raise
    assert not has_nan(result), f"{name} returned NaN for {kwargs!r}"
