"""Tests of lecture_utils.gradcheck: central differences against closed-form gradients."""

import numpy as np
import pytest

from lecture_utils.gradcheck import gradient_check, numerical_gradient, numerical_gradients, relative_error


def test_numerical_gradient_of_a_quadratic_is_exact():
    # Central differences are exact (up to rounding) for quadratics: the h^2 term vanishes.
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    w = np.array([0.7, -1.3])
    grad = numerical_gradient(lambda v: v @ A @ v, w)
    np.testing.assert_allclose(grad, 2 * A @ w, rtol=1e-9)


def test_numerical_gradient_keeps_shape_and_does_not_modify_input():
    W = np.arange(6.0).reshape(2, 3)
    before = W.copy()
    grad = numerical_gradient(lambda M: np.sum(np.sin(M)), W)
    assert grad.shape == W.shape
    np.testing.assert_array_equal(W, before)
    np.testing.assert_allclose(grad, np.cos(W), rtol=1e-9)


def test_central_difference_error_shrinks_like_h_squared():
    f, exact = np.exp, np.exp(0.5)
    errors = [abs(numerical_gradient(lambda v: f(v[0]), np.array([0.5]), h)[0] - exact) for h in (1e-2, 1e-3)]
    # f'''/6 h^2: ten times smaller h, a hundred times smaller error
    assert 80 < errors[0] / errors[1] < 120
    assert errors[0] == pytest.approx(exact / 6 * 1e-4, rel=1e-3)


def test_several_arrays_of_a_bilinear_function():
    a, B = np.array([1.0, -2.0]), np.array([[0.5, 1.0, 2.0], [3.0, -1.0, 0.0]])
    c = np.array([2.0, 0.0, -1.0])
    ga, gB, gc = numerical_gradients(lambda a, B, c: a @ B @ c, [a, B, c])
    np.testing.assert_allclose(ga, B @ c, atol=1e-9)
    np.testing.assert_allclose(gB, np.outer(a, c), atol=1e-9)
    np.testing.assert_allclose(gc, a @ B, atol=1e-9)


def test_relative_error_values():
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == pytest.approx(1.0)
    assert relative_error([1.0, 0.0], [1.0, 1e-3]) == pytest.approx(1e-3 / np.hypot(1.0, 1e-3))
    # scale-free
    assert relative_error([1e-8, 2e-8], [1.1e-8, 2e-8]) == pytest.approx(relative_error([1, 2], [1.1, 2]))


def test_gradient_check_reports_by_name():
    w = np.array([1.0, 2.0])
    errors = gradient_check(lambda v: v @ v, [w], [2 * w], names=["w"])
    assert list(errors) == ["w"] and errors["w"] < 1e-9
    wrong = gradient_check(lambda v: v @ v, [w], [w], names=["w"])
    assert wrong["w"] == pytest.approx(0.5, rel=1e-6)


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="h"):
        numerical_gradient(np.sum, np.ones(2), h=0.0)
    with pytest.raises(TypeError, match="arrays"):
        numerical_gradients(np.sum, np.ones(2))
    with pytest.raises(ValueError, match="arrays"):
        numerical_gradients(np.sum, [])
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ValueError, match=r"a and b .*\(2,\).*\(3,\)"):
        relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="analytic"):
        gradient_check(np.sum, [np.ones(2)], [])
    with pytest.raises(ValueError, match="names"):
        gradient_check(np.sum, [np.ones(2)], [np.ones(2)], names=["a", "b"])
    with pytest.raises(ValueError, match=r"analytic gradient w has shape \(3,\), expected \(2,\)"):
        gradient_check(np.sum, [np.ones(2)], [np.ones(3)], names=["w"])


def test_nan_anywhere_is_blamed_on_the_argument_that_holds_it():
    w = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^arrays\[0\] must be finite"):
        gradient_check(lambda v: v @ v, [np.array([np.nan, 1.0])], [2 * w])
    with pytest.raises(ValueError, match=r"^analytic gradient w must be finite"):
        gradient_check(lambda v: v @ v, [w], [np.array([np.nan, 1.0])], names=["w"])
    for bad in (np.nan, np.inf):  # a cost that is not finite near w: f is at fault, not an internal name
        with pytest.raises(ValueError, match=r"^f must return a finite number"):
            gradient_check(lambda v: bad * v.sum(), [w], [2 * w], names=["w"])
    with pytest.raises(TypeError, match=r"^f must return a number"):
        numerical_gradient(lambda v: "abc", w)


def test_the_one_relative_error_formula_is_used_by_gradient_check():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(5)
    wrong = 2 * w + rng.standard_normal(5) * 1e-3  # the gradient of w @ w, a little off
    numeric = numerical_gradient(lambda v: v @ v, w)
    expected = np.linalg.norm(wrong - numeric) / max(np.linalg.norm(wrong), np.linalg.norm(numeric))
    assert gradient_check(lambda v: v @ v, [w], [wrong], names=["w"])["w"] == pytest.approx(expected, rel=1e-9)
