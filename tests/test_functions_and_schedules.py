"""Objectives (values, gradients, stationary points) and schedules (notebooks 01, 02, 05)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lecture_utils.functions import (GRADIENT_PICTURE, LECTURE_1D, QUARTIC, STEP_SIZE_COMPARISON,
                                     DiagonalQuadratic, ShiftedSquare)
from lecture_utils.schedules import (Constant, ExponentialDecay, InverseTimeDecay, StepDecay, as_schedule,
                                     make_schedule)


def central_difference(fun, w, h=1e-6):
    w = np.asarray(w, dtype=float)
    out = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[i] = h
        out[i] = (fun(w + e) - fun(w - e)) / (2 * h)
    return out


@given(w=st.floats(-20, 20))
def test_one_dimensional_gradients_match_finite_differences(w):
    for objective in (LECTURE_1D, QUARTIC):
        assert objective.grad(w) == pytest.approx(central_difference(objective.value, w), rel=1e-5, abs=1e-4)


@given(w1=st.floats(-3, 3), w2=st.floats(-3, 3))
def test_quadratic_gradients_match_finite_differences(w1, w2):
    for objective in (GRADIENT_PICTURE, STEP_SIZE_COMPARISON):
        w = np.array([w1, w2])
        np.testing.assert_allclose(objective.grad(w), central_difference(objective.value, w), atol=1e-5)


def test_lecture_gradient_picture_point():
    np.testing.assert_array_equal(GRADIENT_PICTURE.grad(np.array([2.0, 1.5])), [4.0, 6.0])
    assert GRADIENT_PICTURE.value(np.array([2.0, 1.5])) == pytest.approx(8.5)


def test_quartic_stationary_points_match_lecture():
    w_min, w_max, w_local = QUARTIC.stationary_points()
    assert w_min == pytest.approx(-0.971, abs=1e-3) and QUARTIC.value(w_min) == pytest.approx(-1.578, abs=1e-3)
    assert w_max == pytest.approx(0.778, abs=1e-3)
    assert w_local == pytest.approx(2.442, abs=1e-3) and QUARTIC.value(w_local) == pytest.approx(-0.452, abs=1e-3)
    np.testing.assert_allclose(QUARTIC.grad(QUARTIC.stationary_points()), 0, atol=1e-10)


def test_objective_errors():
    with pytest.raises(ValueError, match="coefficients"):
        DiagonalQuadratic((1.0, -2.0))
    with pytest.raises(ValueError, match="coefficients"):
        DiagonalQuadratic(())
    with pytest.raises(ValueError, match="center"):
        ShiftedSquare(float("nan"))
    with pytest.raises(ValueError, match="last dimension 2"):
        GRADIENT_PICTURE.grad(np.zeros(3))


def test_schedule_values():
    np.testing.assert_allclose(Constant(0.3).values(4), [0.3] * 4)
    np.testing.assert_allclose(ExponentialDecay(0.9, 0.9).values(4), [0.9, 0.81, 0.729, 0.6561])
    np.testing.assert_allclose(InverseTimeDecay(1.0, 0.5).values(4), [1.0, 1 / 1.5, 0.5, 1 / 2.5])
    np.testing.assert_allclose(StepDecay(0.8, 0.5, every=2).values(5), [0.8, 0.8, 0.4, 0.4, 0.2])
    assert ExponentialDecay(0.9, 0.9)(2) == pytest.approx(0.729)
    assert StepDecay(0.8, 0.5, every=2)(4) == pytest.approx(0.2)
    assert ExponentialDecay(1.0, 0.5).values(2000)[-1] > 0  # never exactly zero
    for schedule in (Constant(0.3), ExponentialDecay(0.9, 0.9), InverseTimeDecay(1.0, 0.5), StepDecay(0.8, 0.5, 3)):
        whole = schedule.values(40)
        np.testing.assert_array_equal(np.concatenate([schedule.values(15), schedule.values(25, start=15)]), whole)
        assert [schedule(k) for k in range(40)] == list(whole)  # one formula for a step and for a block


def test_schedules_have_no_hidden_counter():
    schedule = ExponentialDecay(1.0, 0.5)
    assert [schedule(3), schedule(3), schedule(0)] == [0.125, 0.125, 1.0]


def test_schedule_reprs_are_readable():
    assert repr(ExponentialDecay(0.9, 0.9)) == "ExponentialDecay(gamma0=0.9, rate=0.9)"
    assert repr(make_schedule("step", 0.5, 0.5, 5)) == "StepDecay(gamma0=0.5, factor=0.5, every=5)"
    assert repr(Constant(1.0)) == "Constant(gamma=1)" and repr(InverseTimeDecay(1.05, 0.2)) == "InverseTimeDecay(gamma0=1.05, decay=0.2)"


@pytest.mark.parametrize("build, match", [
    (lambda: Constant(0.0), "gamma"),
    (lambda: ExponentialDecay(0.5, 1.5), "rate"),
    (lambda: ExponentialDecay(-0.5, 0.5), "gamma0"),
    (lambda: InverseTimeDecay(0.5, -1.0), "decay"),
    (lambda: StepDecay(0.5, 0.5, every=0), "every"),
    (lambda: make_schedule("cosine", 0.5), "schedule name"),
    (lambda: as_schedule(None), "step_size"),
    (lambda: Constant(0.5)(-1), "k"),
    (lambda: Constant(0.5).values(3, start=-1), "start"),
    # make_schedule's errors name its own arguments (decay, gamma0), not the schedule's fields (rate, factor, gamma):
    (lambda: make_schedule("exponential", 0.5, 1.5), r"^decay must be between 0.0 and 1.0"),
    (lambda: make_schedule("exponential", 0.5, 0.0), r"^decay must be positive"),
    (lambda: make_schedule("step", 0.5, 2.0), r"^decay must be between"),
    (lambda: make_schedule("inverse-time", 0.5, -0.1), r"^decay must be >= 0"),
    (lambda: make_schedule("constant", -0.5), r"^gamma0 must be positive"),
    (lambda: make_schedule("step", 0.5, 0.5, every=0), r"^every must be >= 1"),
])
def test_schedule_errors(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build()
