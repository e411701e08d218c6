"""gradient_descent against the closed forms of the lecture's examples (notebook 01)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_utils.descent import (DIVERGENCE_FACTOR, first_stopping_steps, gradient_descent, run_behaviour,
                                   step_size_landmarks, step_size_regime)
from lecture_utils.functions import LECTURE_1D, STEP_SIZE_COMPARISON
from lecture_utils.schedules import ExponentialDecay, FunctionSchedule

f = LECTURE_1D


def test_lecture_example_first_iterates():
    run = gradient_descent(f.grad, 23.0, 0.1, 10, f=f.value)
    np.testing.assert_allclose(run.iterates[:4], [23.0, 19.6, 16.88, 14.704], rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.iterates, 6 + 17 * 0.8 ** np.arange(11), rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.values, (run.iterates - 6) ** 2)
    assert run.iterates.shape == (11,)
    assert run.step_sizes.shape == (10,) and np.all(run.step_sizes == 0.1)
    assert run.stop_reason == "max_steps" and not run.diverged


@given(gamma=st.floats(0.001, 0.999), w0=st.floats(-50, 50), n=st.integers(0, 60))
def test_closed_form_for_many_step_sizes(gamma, w0, n):
    run = gradient_descent(f.grad, w0, gamma, n)
    expected = 6 + (w0 - 6) * (1 - 2 * gamma) ** np.arange(n + 1)
    np.testing.assert_allclose(run.iterates, expected, rtol=1e-9, atol=1e-9)


def test_half_lands_on_minimum_in_one_step():
    run = gradient_descent(f.grad, 23.0, 0.5, 5)
    assert run.iterates[1] == 6.0
    assert np.all(run.iterates[1:] == 6.0)


def test_gamma_one_is_period_two():
    run = gradient_descent(f.grad, 23.0, 1.0, 20)
    np.testing.assert_array_equal(run.iterates[::2], 23.0)
    np.testing.assert_array_equal(run.iterates[1::2], -11.0)
    assert not run.diverged


@pytest.mark.parametrize("gamma", [1.01, 1.05, 1.2, 3.0, 1000.0])
def test_gamma_above_one_is_flagged_diverged_without_warnings(gamma):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gradient_descent(f.grad, 23.0, gamma, 5000, f=f.value)
    assert run.diverged and run.stop_reason == "diverged"
    assert np.all(np.isfinite(run.iterates)) and np.all(np.isfinite(run.values))
    assert run.num_steps < 5000
    assert "diverged" in run.describe()


def test_non_finite_gradient_stops_as_diverged():
    run = gradient_descent(lambda w: np.array(np.inf), 1.0, 0.1, 10)
    assert run.diverged and run.num_steps == 0


def test_overshoot_example_from_lecture():
    run = gradient_descent(f.grad, 6.05, 1000.0, 1)
    assert f.grad(6.05) == pytest.approx(0.1)
    assert run.iterates[1] == pytest.approx(6.05 - 100.0)


def test_two_dimensional_closed_form_and_sign_flip():
    run = gradient_descent(STEP_SIZE_COMPARISON.grad, np.array([1.0, 1.0]), 0.9, 40)
    assert run.iterates.shape == (41, 2)
    for n in (1, 7, 40):
        np.testing.assert_allclose(run.iterates[n], STEP_SIZE_COMPARISON.iterate_closed_form([1, 1], 0.9, n))
    np.testing.assert_allclose(run.iterates[1:6, 0] / run.iterates[:5, 0], -0.8)


def test_schedule_is_used_step_by_step():
    run = gradient_descent(f.grad, 23.0, ExponentialDecay(0.9, 0.9), 5)
    np.testing.assert_allclose(run.step_sizes, 0.9 * 0.9 ** np.arange(5))
    w = 23.0
    for k in range(5):
        w = w - 0.9 * 0.9**k * 2 * (w - 6)
        assert run.iterates[k + 1] == pytest.approx(w)


def test_callable_step_size():
    run = gradient_descent(f.grad, 23.0, lambda k: 0.5 if k == 0 else 0.1, 3)
    np.testing.assert_allclose(run.iterates, [23, 6, 6, 6])


# --- stopping criteria --------------------------------------------------------
def test_gradient_criterion():
    run = gradient_descent(f.grad, 23.0, 0.1, 1000, tol={"gradient": 1e-6})
    assert run.stop_reason == "gradient"
    assert run.grad_norms[-1] < 1e-6 <= run.grad_norms[-2]
    # |f'(w_k)| = 34 * 0.8^k < 1e-6  <=>  k > log(1e-6 / 34) / log(0.8)
    assert run.num_steps == int(np.floor(np.log(1e-6 / 34) / np.log(0.8))) + 1


def test_step_criterion():
    run = gradient_descent(f.grad, 23.0, 0.1, 1000, tol={"step": 1e-6})
    assert run.stop_reason == "step"
    steps = np.abs(np.diff(run.iterates))
    assert steps[-1] < 1e-6 <= steps[-2]


def test_value_criterion_needs_f():
    run = gradient_descent(f.grad, 23.0, 0.1, 1000, f=f.value, tol={"value": 1e-6})
    assert run.stop_reason == "value"
    changes = np.abs(np.diff(run.values))
    assert changes[-1] < 1e-6 <= changes[-2]
    with pytest.raises(ValueError, match="tol"):
        gradient_descent(f.grad, 23.0, 0.1, 10, tol={"value": 1e-6})


def test_float_tol_fires_first_criterion_and_matches_report():
    full = gradient_descent(f.grad, 23.0, 0.1, 400, f=f.value)
    first = first_stopping_steps(full, 1e-6)
    assert first == {"gradient": 78, "step": 69, "value": 43}
    stopped = gradient_descent(f.grad, 23.0, 0.1, 400, f=f.value, tol=1e-6)
    assert stopped.stop_reason == "value" and stopped.num_steps == 43


def test_gradient_criterion_at_the_start():
    run = gradient_descent(f.grad, 6.0, 0.1, 100, tol=1e-6)
    assert run.stop_reason == "gradient" and run.num_steps == 0


@pytest.mark.parametrize("gamma, regime", [(0.1, "monotone"), (0.5, "one step"), (0.9, "oscillating, converging"),
                                           (1.0, "endless oscillation"), (1.05, "diverging")])
def test_step_size_regime_landmarks(gamma, regime):
    assert step_size_regime(gamma) == regime


# --- bad input ----------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(step_size=0.0), ValueError, "step_size"),
    (dict(step_size=-0.1), ValueError, "step_size"),
    (dict(step_size=float("nan")), ValueError, "step_size"),
    (dict(step_size=float("inf")), ValueError, "step_size"),
    (dict(step_size="0.1"), TypeError, "step_size"),
    (dict(step_size=lambda k: -1.0), ValueError, "step_size"),
    (dict(num_steps=-1), ValueError, "num_steps"),
    (dict(num_steps=2.5), TypeError, "num_steps"),
    (dict(w0=float("nan")), ValueError, "w0"),
    (dict(w0=[1.0, float("inf")]), ValueError, "w0"),
    (dict(w0="abc"), TypeError, "w0"),
    (dict(grad=3.0), TypeError, "grad"),
    (dict(grad=lambda w: np.zeros(3)), ValueError, "grad"),
    (dict(f="not callable"), TypeError, "f"),
    (dict(tol=-1.0), ValueError, "tol"),
    (dict(tol={"speed": 1e-6}), ValueError, "tol"),
])
def test_bad_input_names_the_parameter(kwargs, error, match):
    args = dict(grad=f.grad, w0=23.0, step_size=0.1, num_steps=5)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        gradient_descent(**args)


@settings(max_examples=50)
@given(st.integers(1, 4))
def test_bad_gradient_shape_in_nd(d):
    with pytest.raises(ValueError, match=r"grad must return .* shape"):
        gradient_descent(lambda w: np.zeros(d + 1), np.zeros(d), 0.1, 3)


# --- divergence is relative to the start; a broken grad or f is named ------------------
def test_divergence_limit_scales_with_the_start():
    run = gradient_descent(f.grad, 23.0, 1.2, 1000)
    limit = DIVERGENCE_FACTOR * 23.0
    assert run.diverged and run.divergence_threshold == limit
    assert abs(run.iterates[-1]) > limit >= np.max(np.abs(run.iterates[:-1]))
    # |w_k - 6| = 17 * 1.4^k first exceeds the limit (less or more 6) at this k:
    assert run.num_steps == int(np.ceil(np.log((limit - 6) / 17) / np.log(1.4)))
    assert "1e8 * max(1, |w(0)|)" in run.describe()


@pytest.mark.parametrize("w0", [1e9, -1e12, 1e15])
def test_a_converging_run_from_far_away_is_not_diverged(w0):
    run = gradient_descent(f.grad, w0, 0.1, 300, f=f.value)
    assert not run.diverged and run.stop_reason == "max_steps"
    assert abs(run.final - 6) <= 1e-12 * abs(w0) + 1e-9  # (w0 - 6) * 0.8^300


def test_start_near_zero_uses_a_floor_of_one():
    run = gradient_descent(lambda w: -2.0 * w - 1.0, 0.0, 1.0, 100)  # w_{k+1} = 3 w_k + 1 blows up
    assert run.diverged and run.divergence_threshold == DIVERGENCE_FACTOR


@pytest.mark.parametrize("grad, error, match", [
    (lambda w: None, TypeError, "grad must return real numbers, got None"),
    (lambda w: "0.1", TypeError, "grad must return real numbers, got str"),
    (lambda w: 1j * w, TypeError, "grad must return real numbers"),
    (lambda w: np.nan * w, ValueError, "grad returned NaN at w = 23"),
    (lambda w: np.where(w < 20, np.nan, 2 * (w - 6)), ValueError, r"grad returned NaN at w = 19\.6"),
])
def test_a_broken_gradient_is_named_not_reported_as_divergence(grad, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=match):
            gradient_descent(grad, 23.0, 0.1, 10)


@pytest.mark.parametrize("objective, error, match", [
    (lambda w: np.nan, ValueError, "f returned NaN"),
    (lambda w: None, TypeError, "f must return one real number"),
    (lambda w: [1.0, 2.0], TypeError, "f must return one real number"),
])
def test_a_broken_objective_is_named(objective, error, match):
    with pytest.raises(error, match=match):
        gradient_descent(f.grad, 23.0, 0.1, 10, f=objective)


@pytest.mark.parametrize("num_steps", [10**8, 10**9, 2**62])
def test_a_huge_step_budget_costs_only_the_steps_taken(num_steps):
    calls = []
    schedule = FunctionSchedule(lambda k: calls.append(k) or 0.1)
    run = gradient_descent(f.grad, 23.0, schedule, num_steps, tol={"step": 1e-6})
    assert run.stop_reason == "step" and run.num_steps == 69  # as in notebook 01
    assert len(calls) < 2 * 69 + 16  # step sizes are computed a block at a time, not all num_steps first
    big = gradient_descent(f.grad, 23.0, ExponentialDecay(0.5, 0.999), num_steps, tol=1e-6)
    assert big.num_steps < 100 and big.step_sizes.shape == (big.num_steps,)


def test_landmarks_sit_where_the_regime_changes():
    for curvature in (0.5, 2.0, 7.0):
        one, edge = step_size_landmarks(curvature).values()
        assert step_size_regime(one, curvature) == "one step"
        assert step_size_regime(edge, curvature) == "endless oscillation"
        assert step_size_regime(0.99 * edge, curvature) == "oscillating, converging"
        assert step_size_regime(1.01 * edge, curvature) == "diverging"


@pytest.mark.parametrize("step_size, behaviour", [
    (0.1, "progress"), (1.0, "no progress"), (1.05, "growing"), (ExponentialDecay(0.01, 0.5), "stalled"),
])
def test_run_behaviour(step_size, behaviour):
    assert run_behaviour(gradient_descent(f.grad, 23.0, step_size, 10, f=f.value)) == behaviour
    assert run_behaviour(gradient_descent(f.grad, 23.0, 1.2, 100)) == "diverged"


# --- figures (plotting/descent.py) ------------------------------------------------------------------

@pytest.fixture
def plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


def test_ruler_label_stays_in_the_strip_and_off_the_landmark_lines(plt):
    from lecture_utils.plotting.descent import draw_step_size_ruler

    landmarks = step_size_landmarks(f.curvature)
    for width in (9.0, 11.0):  # the static size and the panel's
        fig, ax = plt.subplots(figsize=(width, 1.6), dpi=100)
        ruler = draw_step_size_ruler(ax, landmarks)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        line_pixels = [ax.transData.transform((x, 0.5))[0] for x in landmarks.values()]
        box = ax.get_window_extent(renderer)
        for gamma0 in np.round(np.arange(0.01, 1.25, 0.01), 2):
            ruler.update(gamma0)
            extent = ruler.label.get_window_extent(renderer)
            assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, (width, gamma0)
            assert not any(extent.x0 - 2 <= x <= extent.x1 + 2 for x in line_pixels), (width, gamma0)
        ruler.update(1.05)  # the label that used to sit over the gamma = 1 line
        assert ruler.label.get_horizontalalignment() == "left"


def test_loss_curves_draw_a_run_equal_to_an_earlier_one_as_hollow_markers(plt):
    from lecture_utils.plotting.descent import LOSS_FLOOR, draw_loss_curves

    runs = [gradient_descent(f.grad, 23.0, g, 30, f=f.value) for g in (0.1, 0.5, 0.9)]
    fig, ax = plt.subplots()
    lines = draw_loss_curves(ax, runs, ["γ = 0.1", "γ = 0.5", "γ = 0.9"])
    # |1 - 2 gamma| = 0.8 for 0.1 and 0.9: the same curve 289 * 0.64^k
    np.testing.assert_allclose(lines[2].get_ydata(), 289 * 0.64 ** np.arange(31), rtol=1e-10)
    assert lines[2].get_linestyle() == "None" and lines[2].get_markerfacecolor() == "none"
    assert lines[2].get_label() == "γ = 0.9 (on γ = 0.1)"
    assert lines[0].get_linestyle() == "-" and lines[1].get_linestyle() == "-"
    assert lines[1].get_ydata()[1] == LOSS_FLOOR  # gamma = 0.5 lands on 6: drawn at the floor ...
    assert any("drawn at" in t.get_text() for t in ax.texts)  # ... and the figure says so
    assert len({line.get_marker() for line in lines}) == 3  # not told apart by colour alone


def test_step_size_and_schedule_figures_draw_the_runs_they_are_given(plt):
    from lecture_utils.plotting.descent import draw_schedule_runs, draw_step_size_runs
    from lecture_utils.schedules import Constant

    gammas = [0.1, 0.5, 1.05]
    runs = [gradient_descent(f.grad, 23.0, g, 30, f=f.value) for g in gammas]
    fig, (top, bottom) = plt.subplots(2, 1)
    draw_step_size_runs(top, bottom, runs, gammas, minimizer=f.minimizer)
    np.testing.assert_allclose(top.lines[0].get_ydata(), 6 + 17 * 0.8 ** np.arange(12), rtol=1e-12)
    assert [line.get_label() for line in top.lines[:3]] == ["γ = 0.1", "γ = 0.5", "γ = 1.05"]
    assert top.lines[3].get_ydata()[0] == 6.0  # the minimum, dotted
    assert len(bottom.lines) == 3
    with pytest.raises(ValueError, match="trajectories and gammas"):
        draw_step_size_runs(top, bottom, runs, gammas[:2], minimizer=6.0)

    schedules = [gradient_descent(f.grad, 23.0, s, 30, f=f.value)
                 for s in (Constant(1.05), ExponentialDecay(1.05, 0.9))]
    fig, (top, bottom) = plt.subplots(2, 1)
    draw_schedule_runs(top, bottom, schedules, ["constant", "exponential"])
    np.testing.assert_allclose(top.lines[1].get_ydata(), 1.05 * 0.9 ** np.arange(30), rtol=1e-12)
    assert sorted(line.get_ydata()[0] for line in top.lines[2:]) == [0.5, 1.0]
    assert top.get_ylim()[1] >= 1.05
    with pytest.raises(ValueError, match="trajectories and labels"):
        draw_schedule_runs(top, bottom, schedules, ["one"])


def test_step_size_comparison_names_every_marker_and_the_colour_scale(plt):
    from lecture_utils.plotting.descent import draw_step_size_comparison

    runs = [gradient_descent(STEP_SIZE_COMPARISON.grad, np.array([1.0, 1.0]), g, 40) for g in (0.1, 0.9)]
    fig, axes = plt.subplots(2, 1)
    draw_step_size_comparison(axes, STEP_SIZE_COMPARISON, runs, ["γ = 0.1", "γ = 0.9"])
    for ax, gamma in zip(axes, ("0.1", "0.9")):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [f"40 steps, γ = {gamma}", "start (1, 1)", "contours of f (dark: low)"]
    with pytest.raises(ValueError, match="same length"):
        draw_step_size_comparison(axes, STEP_SIZE_COMPARISON, runs, ["only one"])
