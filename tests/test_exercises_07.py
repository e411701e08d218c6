"""Notebook 07's exercises: the references pass, each typical bug is caught and NAMED, random answers never crash.

The buggy answers are written the way a student would write them (not taken
from the checker's mutant library), and the references are checked against
the library's runs (``momentum.heavy_ball``, ``momentum.adam``) and closed
forms, so a test fails if a checker stops recognising a mistake, blames the
wrong array, or drifts from what notebook 07 computes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_utils import exercises as ex
from lecture_utils.functions import DiagonalQuadratic
from lecture_utils.momentum import adam, heavy_ball, heavy_ball_edge, linear_rate, nesterov_edge

IDS_07 = ex.exercise_ids("07")
REF = {eid: ex._EXERCISES[eid].reference for eid in IDS_07}


def message(eid, answer):
    feedback = ex.check(eid, answer)
    assert not feedback.passed, f"{eid}: a wrong answer passed"
    return feedback.message


def test_notebook_07_has_exercises_of_both_kinds():
    assert set(IDS_07) == {"07-rates", "07-edges", "07-adam-first-step", "07-momentum-step", "07-adam-step"}
    assert {ex._EXERCISES[e].kind for e in IDS_07} == {"number", "code"}
    for eid in IDS_07:
        assert ex.check(eid, REF[eid]).passed
        assert ex.check(eid, ...).not_yet


# --- the numbers agree with the library ----------------------------------------------------------------

def test_number_answers_are_the_library_s_closed_forms_and_runs():
    kappa = 1e4
    gd_rate = linear_rate("GD", 2 / (1 + 1 / kappa), 0.0, [1 / kappa, 1.0])
    hb_rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert ex.check("07-rates", (gd_rate, hb_rate)).passed
    assert ex.check("07-rates", (0.9998, 0.9802)).passed  # rounded to four decimals
    assert ex.check("07-edges", (heavy_ball_edge(1.0, 0.9), nesterov_edge(1.0, 0.9))).passed
    assert ex.check("07-edges", (3.8, 1.357)).passed
    ravine = DiagonalQuadratic((0.005, 0.5))
    w1 = adam(ravine.grad, np.array([3.0, -0.001]), 0.05, 1).iterates[1]
    assert ex.check("07-adam-first-step", w1).passed
    assert ex.check("07-adam-first-step", (2.95, 0.049)).passed


def test_momentum_reference_is_one_step_of_heavy_ball():
    quad = DiagonalQuadratic((0.3, 1.2))
    run = heavy_ball(quad.grad, np.array([1.0, -2.0]), 0.4, 3, beta=0.8)
    w, v = run.iterates[0], np.zeros(2)
    for k in range(3):
        w, v = REF["07-momentum-step"](w, v, quad.grad(w), 0.4, 0.8)
        np.testing.assert_allclose(w, run.iterates[k + 1], rtol=1e-12)


def test_adam_reference_is_one_step_of_adam():
    quad = DiagonalQuadratic((0.3, 1.2))
    run = adam(quad.grad, np.array([1.0, -2.0]), 0.1, 4, beta1=0.8, beta2=0.99, eps=1e-6)
    w, m, s = run.iterates[0], np.zeros(2), np.zeros(2)
    for k in range(4):
        w, m, s = REF["07-adam-step"](w, m, s, quad.grad(w), k, 0.1, 0.8, 0.99, 1e-6)
        np.testing.assert_allclose(w, run.iterates[k + 1], rtol=1e-12)


# --- predict, then check: each wrong number is explained ---------------------------------------------------

@pytest.mark.parametrize("eid, answer, phrase", [
    ("07-rates", (0.9998, 0.9608), "beta* itself"),
    ("07-rates", (0.9802, 0.9998), "swapped"),
    ("07-rates", (0.9999, 0.9802), "1 - gamma mu"),
    ("07-rates", (0.9998, 0.99), "denominator"),
    ("07-rates", (0.9998, 0.9998), "replaces kappa by sqrt(kappa)"),
    ("07-edges", (2.0, 1.3571), "gradient descent's edge"),
    ("07-edges", (3.8, 3.8), "that is heavy ball's edge"),
    ("07-edges", (1.3571, 3.8), "swapped"),
    ("07-edges", (3.8, 0.7143), "1 + beta of the numerator"),
    ("07-edges", (1.0526, 1.3571), "wrong side"),
    ("07-adam-first-step", (2.8419, 0.1571), "without the bias correction"),
    ("07-adam-first-step", (2.9985, -0.00095), "gradient descent's step"),
    ("07-adam-first-step", (3.05, -0.051), "sign"),
    ("07-adam-first-step", (2.95, -0.001), "w2 moves too"),
])
def test_wrong_numbers_name_the_mistake(eid, answer, phrase):
    assert phrase in message(eid, answer)


def test_one_wrong_number_of_two_says_which_and_that_the_other_is_right():
    text = message("07-rates", (0.9998, 0.5))
    assert "heavy ball's rate = 0.5 is not it" in text and "(GD's rate right.)" in text
    assert "GD's rate =" not in text


# --- write the code: typical bugs ------------------------------------------------------------------------

def hb_uphill(w, v, g, gamma, beta):
    v = beta * v + gamma * g
    return w + v, v


def hb_beta_on_both(w, v, g, gamma, beta):
    v = beta * (v - gamma * g)
    return w + v, v


def hb_beta_on_gradient(w, v, g, gamma, beta):
    v = v - beta * gamma * g
    return w + v, v


def hb_old_velocity(w, v, g, gamma, beta):
    return w + v, beta * v - gamma * g


def hb_minus_velocity(w, v, g, gamma, beta):
    v = beta * v - gamma * g
    return w - v, v


def hb_nesterov(w, v, g, gamma, beta):
    v = beta * v - gamma * g
    return w + beta * v - gamma * g, v


def hb_swapped_return(w, v, g, gamma, beta):
    v = beta * v - gamma * g
    return v, w + v


@pytest.mark.parametrize("bug, phrase", [
    (hb_uphill, "AGAINST the gradient"), (hb_beta_on_both, "beta is on the wrong term"),
    (hb_beta_on_gradient, "beta is on the wrong term"), (hb_old_velocity, "NEW velocity"),
    (hb_minus_velocity, "already carries the minus sign"), (hb_nesterov, "Nesterov"),
    (hb_swapped_return, "another order")])
def test_momentum_step_names_the_bug(bug, phrase):
    assert phrase in message("07-momentum-step", bug)


def test_momentum_step_says_which_array_is_right():
    assert "v_new right" in message("07-momentum-step", hb_old_velocity)


def _averages(m, s, g, b1, b2):
    return b1 * m + (1 - b1) * g, b2 * s + (1 - b2) * g**2


def adam_no_correction(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    return w - gamma * m / (np.sqrt(s) + eps), m, s


def adam_off_by_one(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    return w - gamma * (m / (1 - b1**k)) / (np.sqrt(s / (1 - b2**k)) + eps), m, s


def adam_eps_inside(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    return w - gamma * (m / (1 - b1**(k + 1))) / np.sqrt(s / (1 - b2**(k + 1)) + eps), m, s


def adam_s_of_g(w, m, s, g, k, gamma, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    s = b2 * s + (1 - b2) * np.abs(g)
    return w - gamma * (m / (1 - b1**(k + 1))) / (np.sqrt(s / (1 - b2**(k + 1))) + eps), m, s


def adam_returns_hats(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    m, s = m / (1 - b1**(k + 1)), s / (1 - b2**(k + 1))
    return w - gamma * m / (np.sqrt(s) + eps), m, s


def adam_uphill(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    return w + gamma * (m / (1 - b1**(k + 1))) / (np.sqrt(s / (1 - b2**(k + 1))) + eps), m, s


def adam_only_m_corrected(w, m, s, g, k, gamma, b1, b2, eps):
    m, s = _averages(m, s, g, b1, b2)
    return w - gamma * (m / (1 - b1**(k + 1))) / (np.sqrt(s) + eps), m, s


def adam_swapped_beta1(w, m, s, g, k, gamma, b1, b2, eps):
    m = (1 - b1) * m + b1 * g
    s = b2 * s + (1 - b2) * g**2
    return w - gamma * (m / (1 - b1**(k + 1))) / (np.sqrt(s / (1 - b2**(k + 1))) + eps), m, s


@pytest.mark.parametrize("bug, phrase", [
    (adam_no_correction, "without the bias correction"), (adam_off_by_one, "off by one"),
    (adam_eps_inside, "must not cover eps"), (adam_s_of_g, "SQUARED gradient"),
    (adam_returns_hats, "running averages"), (adam_uphill, "AGAINST"),
    (adam_only_m_corrected, "only m is bias-corrected"), (adam_swapped_beta1, "beta1 and 1 - beta1 are swapped")])
def test_adam_step_names_the_bug(bug, phrase):
    assert phrase in message("07-adam-step", bug)


def test_adam_step_blames_only_the_wrong_array():
    text = message("07-adam-step", adam_s_of_g)
    assert "m_new right" in text and "s_new" in text.split("[called")[0]


def test_a_crash_or_a_bad_return_is_feedback_naming_it():
    def crashes(w, v, g, gamma, beta):
        return w @ np.ones((5, 5)), v
    assert "raised ValueError" in message("07-momentum-step", crashes)
    assert "returned 1 values" in message("07-momentum-step", lambda *a: (a[0],))
    assert "returned float" in message("07-adam-step", lambda *a: 1.0)
    assert "expected a function" in message("07-adam-step", 3.0)


# --- random answers never crash a checker ------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(scale=st.floats(-3, 3), noise=st.floats(0, 1), part=st.integers(0, 1), seed=st.integers(0, 10**6))
def test_momentum_random_perturbations_never_crash_and_name_the_array(scale, noise, part, seed):
    def perturbed(w, v, g, gamma, beta):
        out = list(REF["07-momentum-step"](w, v, g, gamma, beta))
        rng = np.random.default_rng(seed)
        out[part] = scale * out[part] + noise * rng.standard_normal(out[part].shape)
        return tuple(out)
    feedback = ex.check("07-momentum-step", perturbed)
    if feedback.passed:
        assert abs(scale - 1) < 1e-5 and noise < 1e-4
    else:
        assert ("w_new", "v_new")[part] in feedback.message or "order" in feedback.message \
            or "beta" in feedback.message or "velocity" in feedback.message


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(-3, 3), part=st.integers(0, 2), junk=st.sampled_from([None, "flat", "T", "nan"]))
def test_adam_random_answers_never_crash(scale, part, junk):
    def perturbed(w, m, s, g, k, gamma, b1, b2, eps):
        out = list(REF["07-adam-step"](w, m, s, g, k, gamma, b1, b2, eps))
        x = scale * out[part]
        out[part] = {"flat": x.reshape(1, -1), "T": x[None].T, "nan": x * np.nan}.get(junk, x)
        return tuple(out)
    feedback = ex.check("07-adam-step", perturbed)
    assert isinstance(feedback, ex.Feedback) and feedback.message
    if not feedback.passed:
        assert ("w_new", "m_new", "s_new")[part] in feedback.message or "order" in feedback.message


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.lists(st.floats(-5, 5), max_size=4),
                       st.tuples(st.floats(0.9, 1.0), st.floats(0.9, 1.0)), st.text(max_size=4), st.none()),
       eid=st.sampled_from(["07-rates", "07-edges", "07-adam-first-step"]))
def test_random_number_answers_are_feedback(value, eid):
    feedback = ex.check(eid, value)
    assert isinstance(feedback, ex.Feedback) and feedback.message and str(feedback)
