"""Bad input, fuzzed, at the student entry points: what the notebooks call in lecture_utils.

``ENTRY_POINTS`` lists the math functions and classes the notebooks call, and
``PANELS`` the live panels they build; a test keeps both lists equal to what
the committed notebooks import, so a new call in a notebook must be added
here. Helpers the notebooks do not call are private and light: they are
tested through these.

Each entry point is called with random arguments drawn from good values and
junk (NaN, inf, empty and mis-shaped arrays, ints, float32, strings, None,
callables). The outcome must be a result without NaN, or a ValueError or
TypeError whose message names one of the parameters; never another
exception, and never a warning. Each panel's ``set()`` gets the same junk.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # every entry point and panel fuzzed with junk (make test-slow)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXAMPLES_PER_PARAMETER = 30  # a callable of k parameters gets 30·min(k, 3) examples: 30 to 90, every kind of junk
EXAMPLES_PER_PANEL = 40      # (14 junk values and 6 kinds of good ones) reaches each parameter a few times

ENTRY_POINTS = (
    "activations.get_activation",
    "autodiff.Value",
    "autodiff.grad_of",
    "autodiff.naive_backward",
    "autodiff.network_loss",
    "autodiff.topological_order",
    "autodiff.toy_graph",
    "autodiff.toy_graph_by_hand",
    "deep.deep_loss_and_gradients",
    "deep.init_layers",
    "deep.layer_shapes",
    "descent.first_stopping_steps",
    "descent.gradient_descent",
    "exercises.answer_or_reference",
    "exercises.check",
    "functions.DiagonalQuadratic",
    "gradcheck.gradient_check",
    "gradcheck.numerical_gradient",
    "gradcheck.relative_error",
    "graphs.backward_walk",
    "graphs.graph_from_value",
    "graphs.network_backward_graph",
    "graphs.network_forward_graph",
    "landscape.escape_row",
    "landscape.make_two_basin_risk",
    "momentum.TwoLayerObjective",
    "momentum.adam",
    "momentum.descend",
    "momentum.gd_optimal_rate",
    "momentum.gd_optimal_step",
    "momentum.heavy_ball",
    "momentum.heavy_ball_edge",
    "momentum.linear_rate",
    "momentum.measured_rate",
    "momentum.momentum_optimal",
    "momentum.momentum_optimal_rate",
    "momentum.nesterov",
    "momentum.nesterov_edge",
    "momentum.rmsprop",
    "momentum.run_method",
    "momentum.steps_per_decade",
    "network.basis_functions",
    "network.example_factors",
    "network.forward",
    "network.hessian_lambda_max",
    "network.init_params",
    "network.loss_and_gradients",
    "network.loss_and_gradients_per_example",
    "network.noisy_sine",
    "network.tiny_example",
    "network.train",
    "network.with_constant_feature",
    "schedules.Constant",
    "schedules.ExponentialDecay",
    "schedules.InverseTimeDecay",
    "schedules.StepDecay",
    "sgd.MiniBatchSampler",
    "sgd.constant_step_paths",
    "sgd.first_exit_steps",
    "sgd.holdout_split",
    "sgd.minibatch_gradient",
    "sgd.sgd",
    "sgd.sgd_paths",
    "sgd.step_size_search",
    "taylor.brute_force_lagrangian_step",
    "taylor.expand",
    "taylor.gamma_from_lam",
    "taylor.lagrangian_step",
    "taylor.lam_for_curvature",
    "taylor.lam_from_alpha",
    "taylor.take_step",
    "taylor.take_trust_region_step",
    "taylor.trust_region_step",
    "twolayer.accuracy",
    "twolayer.backward_propagation",
    "twolayer.class_probability",
    "twolayer.compute_cost",
    "twolayer.compute_squared_cost",
    "twolayer.forward_propagation",
    "twolayer.from_lecture_notation",
    "twolayer.initialize_parameters",
    "twolayer.logistic_forward",
    "twolayer.make_moons",
    "twolayer.train_logistic_regression",
    "twolayer.train_two_layer",
    "twolayer.train_two_layer_minibatch",
)

PANELS = (
    "widgets.descent.GradientDescent1DPanel",
    "widgets.graphs.ToyGraphPanel",
    "widgets.momentum.MomentumPanel",
    "widgets.network.NetworkTrainingPanel",
    "widgets.sgd.SGDvsGDPanel",
    "widgets.taylor.TaylorStepPanel",
    "widgets.twolayer.TwoLayerPanel",
)


def resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(f"lecture_utils.{module}"), name)


def notebook_calls() -> set[str]:
    """'module.name' for every lecture_utils function or class the notebooks' code cells import or use."""
    found: set[str] = set()
    for path in NOTEBOOKS:
        modules: dict[str, str] = {}  # a name in the notebook -> the lecture_utils module it stands for
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            source = re.sub(r"^\s*[%!].*$", "", source, flags=re.M)  # magics are not Python
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lecture_utils"):
                    for alias in node.names:
                        dotted = f"{node.module}.{alias.name}"
                        try:
                            importlib.import_module(dotted)
                            modules[alias.asname or alias.name] = dotted
                        except ImportError:
                            found.add(dotted)
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.startswith("lecture_utils.") and alias.asname:
                            modules[alias.asname] = alias.name
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in modules):
                    found.add(f"{modules[node.value.id]}.{node.attr}")
    calls = set()
    for dotted in found:
        short = dotted.removeprefix("lecture_utils.")
        if short.startswith("plotting."):
            continue
        try:
            obj = resolve(short)
        except AttributeError:
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            calls.add(short)
    return calls


def test_the_lists_are_what_the_notebooks_call():
    calls = notebook_calls()
    used_panels = {c for c in calls if c.startswith("widgets.")}
    used_math = {c for c in calls if not c.startswith("widgets.")}
    # Records the notebooks only read (no arguments to check) are not entry points.
    used_math = {c for c in used_math if not _is_plain_record(resolve(c))}
    assert set(ENTRY_POINTS) == used_math, (
        f"add to ENTRY_POINTS: {sorted(used_math - set(ENTRY_POINTS))}; "
        f"no notebook calls: {sorted(set(ENTRY_POINTS) - used_math)}")
    widget_classes = {c for c in used_panels if inspect.isclass(resolve(c)) and c.endswith("Panel")}
    assert set(PANELS) == widget_classes, (sorted(widget_classes - set(PANELS)), sorted(set(PANELS) - widget_classes))


def _is_plain_record(obj) -> bool:
    import dataclasses
    return (dataclasses.is_dataclass(obj) and not hasattr(obj, "__post_init__")) or (
        inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields"))


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


def examples_for(parameter_count: int) -> int:
    """How many examples a callable gets; ten times as many under HYPOTHESIS_PROFILE=explore (conftest.py)."""
    return EXAMPLES_PER_PARAMETER * min(max(parameter_count, 1), 3) * settings.default.max_examples // 100


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_bad_input_is_rejected_clearly(name):
    fn = resolve(name)
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
              and p.name not in ("self", "cls") and not p.name.startswith("_")]

    @settings(max_examples=examples_for(len(params)), deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def fuzz(data):
        call_with_junk(name, fn, params, data)
    fuzz()


def call_with_junk(name, fn, params, data):
    """Call ``fn`` with values drawn for its parameters; a result without NaN, or an error naming one."""
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


@pytest.fixture(scope="module")
def panels():
    built = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in PANELS:
            built[name] = resolve(name)()
    yield built
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.mark.parametrize("name", PANELS)
@settings(max_examples=EXAMPLES_PER_PANEL, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_panel_set_rejects_bad_values_by_name_and_changes_nothing(panels, name, data):
    panel = panels[name]
    control = data.draw(st.sampled_from(sorted(panel.controls)), label="control")
    value = data.draw(st.one_of(junk, st.floats(-1e6, 1e6, allow_nan=False), st.integers(-10**6, 10**6)),
                      label="value")
    before = panel.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            panel.set(**{control: value})
        except (ValueError, TypeError) as error:
            assert control in str(error), f"{name}.set({control}={value!r}): {error}"
            assert panel.summary() == before, f"{name}.set({control}={value!r}) half-applied"
            return
    assert isinstance(panel.summary(), str)
