"""Tests of notebook 06: logistic regression and the two-layer network in Ng's notation."""

from __future__ import annotations

import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lecture_utils import network
from lecture_utils import twolayer as tl
from lecture_utils.activations import SIGMOID
from lecture_utils.gradcheck import gradient_check
from lecture_utils.plotting import alt
from lecture_utils.plotting.twolayer import (draw_boundaries, draw_boundary_and_cost, draw_cost_curve,
                                            draw_decision_boundary, draw_equal_work_costs,
                                            draw_learning_rate_costs, plot_grid)
from lecture_utils.widgets.twolayer import LEARNING_RATES, MAX_HIDDEN_UNITS, TwoLayerPanel


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def moons():
    return tl.make_moons(200, noise=0.15, seed=0)


def random_network(n0=2, n1=5, seed=3):
    """Parameters of order one with non-zero biases, so every gradient entry is exercised."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n1, n0)), "b1": rng.standard_normal((n1, 1)),
            "W2": rng.standard_normal((1, n1)), "b2": rng.standard_normal((1, 1))}


def ng_gradient_check(params, X, Y, activation, analytic):
    """The course's gradient check (gradcheck.py) over W1, b1, W2, b2 of the cross-entropy cost."""
    def cost(W1, b1, W2, b2):
        return tl.compute_cost(tl.forward_propagation(X, dict(W1=W1, b1=b1, W2=W2, b2=b2), activation)[0], Y)
    return gradient_check(cost, [params[k] for k in tl.PARAMETERS], [analytic["d" + k] for k in tl.PARAMETERS],
                          names=list(tl.PARAMETERS))


# --- cost ----------------------------------------------------------------------------
def test_cost_matches_formula():
    A2 = np.array([[0.9, 0.2, 0.6, 0.5]])
    Y = np.array([[1, 0, 0, 1]])
    expected = -np.mean([np.log(0.9), np.log(0.8), np.log(0.4), np.log(0.5)])
    assert tl.compute_cost(A2, Y) == pytest.approx(expected, rel=1e-12)


def test_cost_is_finite_for_predictions_of_exactly_zero_and_one():
    A2 = np.array([[0.0, 1.0, 1.0, 0.0]])
    right = tl.compute_cost(A2, np.array([[0, 1, 1, 0]]))
    wrong = tl.compute_cost(A2, np.array([[1, 0, 0, 1]]))
    assert np.isfinite(right) and np.isfinite(wrong)
    assert right == pytest.approx(0.0, abs=1e-11)
    assert wrong == pytest.approx(-np.log(tl.COST_EPSILON), rel=1e-6)  # ~27.6 per example, capped
    half_wrong = tl.compute_cost(A2, np.array([[1, 1, 1, 0]]))
    assert half_wrong == pytest.approx(-np.log(tl.COST_EPSILON) / 4, rel=1e-6)


def test_initial_cost_is_ln_2(moons):
    X, Y = moons
    A2, _ = tl.forward_propagation(X, tl.initialize_parameters(2, 4, 1, seed=0))
    assert tl.compute_cost(A2, Y) == pytest.approx(np.log(2), abs=1e-3)


def test_squared_cost_is_half_mean():
    A2, Y = np.array([[1.0, 2.0, 4.0]]), np.array([[0.0, 2.0, 1.0]])
    assert tl.compute_squared_cost(A2, Y) == pytest.approx((1 + 0 + 9) / 6)


# --- parameters and forward pass ------------------------------------------------------
def test_initialize_parameters_shapes_seed_and_scale():
    p = tl.initialize_parameters(3, 5, 2, seed=7)
    assert {k: v.shape for k, v in p.items()} == {"W1": (5, 3), "b1": (5, 1), "W2": (2, 5), "b2": (2, 1)}
    assert not p["b1"].any() and not p["b2"].any()
    assert 0 < np.abs(p["W1"]).max() < 0.05
    q = tl.initialize_parameters(3, 5, 2, seed=7)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    r = tl.initialize_parameters(3, 5, 2, seed=8)
    assert not np.array_equal(p["W1"], r["W1"])
    big = tl.initialize_parameters(3, 5, 2, seed=7, scale=1.0)
    np.testing.assert_allclose(big["W1"], 100 * p["W1"])


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_forward_propagation_shapes_and_values(activation):
    X = np.random.default_rng(0).standard_normal((2, 7))
    p = random_network()
    A2, cache = tl.forward_propagation(X, p, activation)
    assert A2.shape == (1, 7)
    assert {k: v.shape for k, v in cache.items()} == {"Z1": (5, 7), "A1": (5, 7), "Z2": (1, 7), "A2": (1, 7)}
    g = np.tanh if activation == "tanh" else (lambda z: np.maximum(z, 0))
    x = X[:, 3]
    expected = 1 / (1 + np.exp(-(p["W2"] @ g(p["W1"] @ x + p["b1"][:, 0]) + p["b2"][:, 0])))
    np.testing.assert_allclose(A2[:, 3], expected)


# --- backward pass -------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backward_propagation_matches_finite_differences(activation):
    X, Y = tl.make_moons(20, noise=0.2, seed=1)
    p = random_network()
    A2, cache = tl.forward_propagation(X, p, activation)
    grads = tl.backward_propagation(p, cache, X, Y, activation)
    for key in ("dW1", "db1", "dW2", "db2"):
        assert grads[key].shape == p[key[1:]].shape
    errors = ng_gradient_check(p, X, Y, activation, grads)
    assert max(errors.values()) < 1e-7, errors
    wrong = {**grads, "db1": grads["db2"] * np.ones_like(grads["db1"])}  # the blog's one db for both layers
    assert ng_gradient_check(p, X, Y, activation, wrong)["b1"] > 1e-3


def test_dZ2_is_the_chain_rule_through_sigmoid_and_cross_entropy():
    rng = np.random.default_rng(5)
    Z2 = rng.standard_normal((1, 9)) * 2
    Y = (rng.random((1, 9)) > 0.5).astype(float)
    A2 = SIGMOID.g(Z2)
    m = Z2.shape[1]
    # analytic chain rule, one factor at a time: dL/da * da/dz
    dL_da = -Y / A2 + (1 - Y) / (1 - A2)
    da_dz = A2 * (1 - A2)
    np.testing.assert_allclose(dL_da * da_dz, A2 - Y, atol=1e-12)
    # numerically: m * dJ/dZ2 (J is the mean over m) equals A2 - Y
    h = 1e-6
    numeric = np.zeros_like(Z2)
    for j in range(m):
        up, down = Z2.copy(), Z2.copy()
        up[0, j] += h
        down[0, j] -= h
        numeric[0, j] = (tl.compute_cost(SIGMOID.g(up), Y) - tl.compute_cost(SIGMOID.g(down), Y)) / (2 * h)
    np.testing.assert_allclose(m * numeric, A2 - Y, atol=1e-7)


def test_update_parameters_takes_one_step():
    p = random_network()
    grads = {"d" + k: np.ones_like(v) for k, v in p.items()}
    new = tl.update_parameters(p, grads, 0.5)
    for key in p:
        np.testing.assert_allclose(new[key], p[key] - 0.5)


def test_update_parameters_rejects_a_gradient_of_the_wrong_shape():
    p = random_network()
    grads = {"d" + k: np.ones_like(v) for k, v in p.items()}
    for key, bad in (("db1", np.ones(5)), ("db1", np.ones((1, 5))), ("dW2", np.ones((5, 1))), ("db2", np.ones((1, 5)))):
        with pytest.raises(ValueError, match=rf"grads\['{key}'\] must have the shape of params\['{key[1:]}'\]"):
            tl.update_parameters(p, {**grads, key: bad}, 0.5)  # would broadcast into the bias without the check
    with pytest.raises(ValueError, match="grads is missing dW1"):
        tl.update_parameters(p, {k: v for k, v in grads.items() if k != "dW1"}, 0.5)
    with pytest.raises(ValueError, match=r"grads\['dW1'\] must be finite"):
        tl.update_parameters(p, {**grads, "dW1": np.full((5, 2), np.nan)}, 0.5)
    with pytest.raises(TypeError, match="grads"):
        tl.update_parameters(p, [1, 2], 0.5)


@pytest.mark.parametrize("labels", [lambda Y: 2 * Y, lambda Y: Y - 0.5, lambda Y: -Y])
def test_every_entry_point_rejects_labels_outside_0_1(moons, labels):
    X, Y = moons
    bad = labels(Y)
    p = tl.initialize_parameters(2, 3)
    A2, cache = tl.forward_propagation(X, p)
    for call in (lambda: tl.compute_cost(A2, bad), lambda: tl.backward_propagation(p, cache, X, bad),
                 lambda: tl.train_two_layer(X, bad, 3, 1.0, 5)):
        with pytest.raises(ValueError, match=r"^Y must hold labels in \[0, 1\]"):
            call()
    # an identity output with the squared cost takes any real targets
    A2, cache = tl.forward_propagation(X, p, output_activation="identity")
    assert tl.backward_propagation(p, cache, X, bad, output_activation="identity")["dW1"].shape == (3, 2)


# --- logistic regression --------------------------------------------------------------------
def test_logistic_regression_gradients_match_finite_differences():
    X, Y = tl.make_moons(15, noise=0.2, seed=2)
    w, b = np.array([[0.7], [-1.3]]), 0.4
    A = tl.logistic_forward(X, w, b)
    dw, db = tl.logistic_backward(X, A, Y)
    h = 1e-6
    for i in range(2):
        e = np.zeros((2, 1))
        e[i] = h
        numeric = (tl.compute_cost(tl.logistic_forward(X, w + e, b), Y)
                   - tl.compute_cost(tl.logistic_forward(X, w - e, b), Y)) / (2 * h)
        assert dw[i, 0] == pytest.approx(numeric, rel=1e-6)
    numeric_b = (tl.compute_cost(tl.logistic_forward(X, w, b + h), Y)
                 - tl.compute_cost(tl.logistic_forward(X, w, b - h), Y)) / (2 * h)
    assert db == pytest.approx(numeric_b, rel=1e-6)


def test_logistic_regression_is_a_network_with_one_sigmoid_unit(moons):
    X, Y = moons
    w, b, costs = tl.train_logistic_regression(X, Y, 1.0, 2000)
    assert costs[0] == pytest.approx(np.log(2))
    assert np.all(np.diff(costs) <= 1e-12)  # small step, convex cost: never goes up
    assert costs[-1] == pytest.approx(0.2776, abs=1e-3)
    assert np.mean((tl.logistic_forward(X, w, b) > 0.5) == Y) == pytest.approx(0.88)


# --- training ---------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_training_loop_equals_the_public_functions(moons, activation):
    X, Y = moons
    run = tl.train_two_layer(X, Y, 3, 0.5, 30, activation, seed=4, record_every=10)
    p = tl.initialize_parameters(2, 3, 1, seed=4)
    costs = []
    for _ in range(30):
        A2, cache = tl.forward_propagation(X, p, activation)
        costs.append(tl.compute_cost(A2, Y))
        p = tl.update_parameters(p, tl.backward_propagation(p, cache, X, Y, activation), 0.5)
    costs.append(tl.compute_cost(tl.forward_propagation(X, p, activation)[0], Y))
    np.testing.assert_allclose(run.costs, costs, rtol=1e-12)
    for key in p:
        np.testing.assert_allclose(run.final[key], p[key], rtol=1e-12)
    assert list(run.snapshot_iterations) == [0, 10, 20, 30]
    assert run.params_at(19) is run.snapshots[1] and run.iteration_shown(19) == 10


def test_training_learns_the_moons(moons):
    X, Y = moons
    run = tl.train_two_layer(X, Y, 4, 1.0, 2000, "tanh")
    assert run.costs[0] == pytest.approx(np.log(2), abs=1e-3)
    assert run.costs[-1] < 0.05
    assert tl.accuracy(X, Y, run.final, "tanh") >= 0.99
    # the plateau at iteration 300 is where logistic regression ends
    assert run.costs[300] == pytest.approx(0.28, abs=0.01)


def test_divergence_stops_without_warnings(moons):
    X, Y = moons
    run = tl.train_two_layer(X, Y, 8, 1e7, 500, "relu", scale=1.0)
    assert run.diverged and run.num_steps < 500
    assert all(np.all(np.isfinite(v)) for v in run.final.values()) and np.all(np.isfinite(run.costs))
    assert max(np.abs(v).max() for v in run.final.values()) <= tl.DIVERGENCE_WEIGHT
    assert run.snapshot_iterations[-1] == run.num_steps and run.num_steps % tl.DIVERGENCE_CHECK_EVERY == 0
    assert run.params_at(run.num_steps) is run.final


# --- the lecture's notation -------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_same_gradient_in_both_notations(activation):
    rng = np.random.default_rng(11)
    n, p, m = 13, 3, 4
    X_rows = rng.standard_normal((n, p))  # lecture: rows are examples
    Y_rows = rng.standard_normal(n)
    Theta, beta = rng.standard_normal((m, p)), rng.standard_normal(m)
    loss, dTheta, dbeta = network.loss_and_gradients(X_rows, Y_rows, Theta, beta, activation)
    params = tl.from_lecture_notation(Theta, beta)
    A2, cache = tl.forward_propagation(X_rows.T, params, activation, output_activation="identity")
    grads = tl.backward_propagation(params, cache, X_rows.T, Y_rows[None, :], activation, output_activation="identity")
    # sum of squares = 2n * half mean; so every gradient is 2n times Ng's
    assert loss == pytest.approx(2 * n * tl.compute_squared_cost(A2, Y_rows[None, :]), rel=1e-12)
    np.testing.assert_allclose(dTheta, 2 * n * grads["dW1"], rtol=1e-10)
    np.testing.assert_allclose(dbeta, 2 * n * grads["dW2"].ravel(), rtol=1e-10)
    Theta_back, beta_back = tl.to_lecture_notation(params)
    np.testing.assert_array_equal(Theta_back, Theta)
    np.testing.assert_array_equal(beta_back, beta)


# --- data -------------------------------------------------------------------------------------------------
def test_make_moons_shapes_balance_and_seed():
    X, Y = tl.make_moons(101, noise=0.1, seed=3)
    assert X.shape == (2, 101) and Y.shape == (1, 101)
    assert set(np.unique(Y)) == {0.0, 1.0} and Y.sum() == 51
    X2, Y2 = tl.make_moons(101, noise=0.1, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert not np.array_equal(X, tl.make_moons(101, noise=0.1, seed=4)[0])
    X0, Y0 = tl.make_moons(100, noise=0.0, seed=0)
    upper = X0[:, Y0[0] == 0]
    np.testing.assert_allclose(np.hypot(*upper), 1.0)  # the upper moon is the unit half-circle
    assert np.all(upper[1] >= -1e-12)


# --- error paths name their parameter -------------------------------------------------------------------
def test_rows_as_examples_error_points_at_the_bug(moons):
    X, Y = moons
    p = tl.initialize_parameters(2, 3, 1)
    with pytest.raises(ValueError, match=r"X has shape \(200, 2\).*one example per ROW.*X\.T"):
        tl.forward_propagation(X.T, p)
    with pytest.raises(ValueError, match=r"Y has shape \(200, 1\).*ROW.*Y\.T"):
        tl.compute_cost(np.full((1, 200), 0.5), Y.T)
    with pytest.raises(ValueError, match=r"Y must be 2-D.*1-D.*\(m, m\)"):
        tl.compute_cost(np.full((1, 200), 0.5), Y.ravel())
    with pytest.raises(ValueError, match="X has shape.*ROW"):
        tl.train_two_layer(X.T, Y, 3, 1.0, 1)
    with pytest.raises(ValueError, match="X has shape.*ROW"):
        tl.logistic_backward(X.T, np.full((1, 200), 0.5), Y)


@pytest.mark.parametrize("call, match", [
    (lambda: tl.initialize_parameters(0, 3, 1), "n0"),
    (lambda: tl.initialize_parameters(2, 0, 1), "n1"),
    (lambda: tl.initialize_parameters(2, 3, 0), "n2"),
    (lambda: tl.initialize_parameters(2, 3, 1, seed=-1), "seed"),
    (lambda: tl.initialize_parameters(2, 3, 1, seed=1.5), "seed"),
    (lambda: tl.initialize_parameters(2, 3, 1, scale=0), "scale"),
    (lambda: tl.forward_propagation(np.ones((3, 4)), tl.initialize_parameters(2, 3)), "X"),
    (lambda: tl.forward_propagation(np.ones(4), tl.initialize_parameters(2, 3)), "X"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), tl.initialize_parameters(2, 3), "sigmoid"), "hidden_activation"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), tl.initialize_parameters(2, 3), "tanh", "softmax"),
     "output_activation"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), {"W1": np.ones((3, 2))}), "params"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), [1, 2]), "params"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), {**tl.initialize_parameters(2, 3), "W1": np.ones(3)}), "W1"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), {**tl.initialize_parameters(2, 3), "W2": np.ones((1, 2))}),
     "W2"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), {**tl.initialize_parameters(2, 3), "b1": np.ones(3)}), "b1"),
    (lambda: tl.forward_propagation(np.ones((2, 4)), {**tl.initialize_parameters(2, 3), "b2": np.ones((2, 1))}),
     "b2"),
    (lambda: tl.compute_cost(np.array([[1.5]]), np.array([[1]])), "A2"),
    (lambda: tl.compute_cost(np.array([0.5]), np.array([[1]])), "A2"),
    (lambda: tl.compute_cost(np.array([[0.5]]), np.array([[2]])), "Y"),
    (lambda: tl.compute_cost(np.array([[0.5]]), np.array([[1]]), eps=0), "eps"),
    (lambda: tl.compute_cost(np.array([[np.nan]]), np.array([[1]])), "A2"),
    (lambda: tl.compute_squared_cost(np.array([1.0]), np.array([[1]])), "A2"),
    (lambda: tl.compute_squared_cost(np.array([[1.0, 2.0]]), np.array([[1]])), "Y"),
    (lambda: tl.update_parameters(tl.initialize_parameters(2, 3), {}, -1.0), "learning_rate"),
    (lambda: tl.backward_propagation(tl.initialize_parameters(2, 3), {}, np.ones((2, 3)), np.ones((1, 3)), "tanh",
                                     "softmax"), "output_activation"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones((1, 3)), 0, 1.0, 1), "hidden_units"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones((1, 3)), 2, 0.0, 1), "learning_rate"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones((1, 3)), 2, 1.0, -1), "num_iterations"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones((1, 3)), 2, 1.0, 1, record_every=0), "record_every"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones((1, 3)), 2, 1.0, 1, "softplus"), "hidden_activation"),
    (lambda: tl.train_two_layer(np.ones((2, 3)), np.ones(3), 2, 1.0, 1), "Y"),
    (lambda: tl.train_two_layer(np.ones((2, 4)), np.ones((1, 3)), 2, 1.0, 1), "X"),
    (lambda: tl.logistic_forward(np.ones((2, 3)), np.ones(2), 0.0), "w"),
    (lambda: tl.logistic_forward(np.ones((2, 3)), np.ones((2, 1)), "0"), "b"),
    (lambda: tl.logistic_forward(np.ones((3, 3)), np.ones((2, 1)), 0.0), "X"),
    (lambda: tl.logistic_backward(np.ones((2, 3)), np.ones(3), np.ones((1, 3))), "A"),
    (lambda: tl.logistic_backward(np.ones((2, 3)), np.ones((1, 3)), np.ones((1, 4))), "Y"),
    (lambda: tl.train_logistic_regression(np.ones((2, 3)), np.ones((1, 3)), 0.0, 1), "learning_rate"),
    (lambda: tl.train_logistic_regression(np.ones((2, 3)), np.ones((1, 3)), 1.0, -2), "num_iterations"),
    (lambda: tl.train_logistic_regression(np.ones((3, 2)), np.ones((1, 3)), 1.0, 2), "X"),
    (lambda: tl.to_lecture_notation({**tl.initialize_parameters(2, 3), "b1": np.ones((3, 1))}), "b1"),
    (lambda: tl.to_lecture_notation({**tl.initialize_parameters(2, 3), "b2": np.ones((1, 1))}), "b2"),
    (lambda: tl.to_lecture_notation(tl.initialize_parameters(2, 3, 2)), "W2"),
    (lambda: tl.from_lecture_notation(np.ones((3, 2)), np.ones(2)), "beta"),
    (lambda: tl.from_lecture_notation(np.ones(3), np.ones(3)), "Theta"),
    (lambda: tl.make_moons(1), "m"),
    (lambda: tl.make_moons(10, noise=-0.1), "noise"),
    (lambda: tl.make_moons(10, noise=[0.1, 0.2]), "noise"),
    (lambda: tl.make_moons(10, seed=-3), "seed"),
])
def test_errors_name_the_parameter(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_backward_propagation_checks_the_cache():
    X, Y = tl.make_moons(6, seed=0)
    p = tl.initialize_parameters(2, 3)
    _, cache = tl.forward_propagation(X, p)
    with pytest.raises(ValueError, match="cache is missing A1"):
        tl.backward_propagation(p, {k: v for k, v in cache.items() if k != "A1"}, X, Y)
    with pytest.raises(ValueError, match=r"cache\['Z1'\]"):
        tl.backward_propagation(p, {**cache, "Z1": cache["Z1"][:, :2]}, X, Y)
    with pytest.raises(ValueError, match="Y"):
        tl.backward_propagation(p, cache, X, Y[:, :4])
    with pytest.raises(ValueError, match="hidden_activation"):
        tl.backward_propagation(p, cache, X, Y, "elu")


def test_training_run_params_at_checks_iteration(moons):
    run = tl.train_two_layer(*moons, 2, 1.0, 5)
    with pytest.raises(ValueError, match="iteration"):
        run.params_at(-1)
    with pytest.raises(TypeError, match="iteration"):
        run.iteration_shown(2.5)


# --- figures ------------------------------------------------------------------------------------------------
def test_decision_boundary_and_cost_figures(moons):
    X, Y = moons
    run = tl.train_two_layer(X, Y, 4, 1.0, 200)
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    artists = draw_decision_boundary(ax1, lambda pts: tl.forward_propagation(pts, run.final)[0].ravel(), X, Y,
                                     resolution=30)
    assert artists.points.shape == (2, 900) and artists.boundary is not None
    assert ax1.get_title() and ax1.get_xlabel() and ax1.get_ylabel()
    changed = artists.update(np.full(900, 0.9))  # all on one side: no boundary line, no warning
    assert artists.boundary is None and changed[0] is artists.image
    cost = draw_cost_curve(ax2, run.costs, iteration=50)
    assert cost.marker.get_xdata()[0] == 50
    cost.update(np.array([0.7, np.inf, 1e9]), message="boom")
    assert np.all(np.isfinite(cost.line.get_ydata())) and cost.message.get_visible()
    FigureCanvasAgg(fig).draw()  # the whole figure renders without warnings


def test_class_probability_is_the_forward_pass_frozen_at_its_parameters(moons):
    X, Y = moons
    run = tl.train_two_layer(X, Y, 4, 1.0, 100)
    params = {k: v.copy() for k, v in run.final.items()}
    probability = tl.class_probability(params, "relu")
    expected = tl.forward_propagation(X, params, "relu")[0].ravel()
    params["W1"] *= 0  # changing the caller's dict afterwards does not change the function
    np.testing.assert_array_equal(probability(X), expected)
    with pytest.raises(ValueError, match="points"):
        probability(X.T)
    with pytest.raises(ValueError, match="hidden_activation"):
        tl.class_probability(run.final, "swish")
    with pytest.raises(ValueError, match="one output unit"):
        tl.class_probability(tl.initialize_parameters(2, 3, 2))


def test_stacked_boundaries_bands_and_equal_work_figure(moons):
    X, Y = moons
    fig = Figure()
    axes = fig.subplots(3, 1)
    probability = tl.class_probability(tl.train_two_layer(X, Y, 4, 1.0, 100).final)
    drawn = draw_boundaries(axes[:2], X, Y, [probability, lambda pts: np.full(pts.shape[1], 0.3)], ["a", "b"],
                            bands=10)
    assert [ax.get_title() for ax in axes[:2]] == ["a", "b"] and len(drawn) == 2
    assert drawn[0].image.get_cmap().N == 10 and drawn[1].boundary is None  # 0.3 everywhere: no 0.5 line
    assert all(len(ax.images) == 1 for ax in axes[:2]) and len(fig.axes) == 5  # each panel its colour bar
    with pytest.raises(ValueError, match="same length"):
        draw_boundaries(axes[:2], X, Y, [probability], ["a", "b"])
    with pytest.raises(ValueError, match="bands"):
        draw_decision_boundary(axes[2], probability, X, Y, bands=1)
    full, mini = np.geomspace(0.69, 0.28, 201), np.geomspace(0.69, 0.02, 201)
    draw_equal_work_costs(axes[2], full, mini, batch_size=32, num_examples=200)
    labels = [t.get_text() for t in axes[2].get_legend().get_texts()]
    assert "mini-batches of 32: 7 steps per pass" in labels  # ceil(200 / 32) = 7 steps per epoch
    colors = {line.get_label(): line.get_color() for line in axes[2].get_lines()}
    assert colors["full batch: one step per pass"] != colors["mini-batches of 32: 7 steps per pass"]
    FigureCanvasAgg(fig).draw()


def test_learning_rate_costs_describe_a_chaotic_run_by_its_band():
    fig = Figure()
    ax = fig.subplots()
    steady, chaotic = np.geomspace(0.69, 0.02, 101), 0.01 * (1.5 + np.sin(np.arange(101.0) ** 2))
    draw_learning_rate_costs(ax, {30.0: chaotic, 1.0: steady}, "t", hidden_units=4, hidden_activation="tanh")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ln 2: guessing 0.5", "α = 1", "α = 30"]
    text = alt.describe_axes(ax)
    band = tl.chaotic_band(30.0, 4, "tanh")
    assert "α = 30 is chaotic" in text and f"between about {band.low:g} and {band.high:g}" in text
    assert f"from about iteration {band.start} on" in text
    assert "α = 1: 101 points" in text and "α = 30:" not in text  # no digits quoted from the chaotic curve
    assert "Legend:" not in text  # every entry is already named: by its line or by the band's note
    assert text.count("log scale") == 1, text  # the y label says it; the axis phrase does not repeat it
    with pytest.raises(ValueError, match="irregular"):
        draw_learning_rate_costs(fig.subplots(), {1.0: steady}, "t", irregular={3.0: band})
    FigureCanvasAgg(fig).draw()


def test_learning_rate_one_keeps_the_full_batch_blue_and_the_others_a_ramp():
    from lecture_utils.plotting.sgd import GD_COLOR
    from lecture_utils.plotting.twolayer import learning_rate_styles

    styles = learning_rate_styles([0.1, 1.0, 3.0, 30.0])
    assert styles[1.0]["color"] == GD_COLOR
    assert len({str(s["color"]) for s in styles.values()}) == 4
    assert len({str(s["linestyle"]) for s in styles.values()}) == 4
    with pytest.raises(ValueError, match="at most"):
        learning_rate_styles([3.0, 10.0, 30.0, 100.0])


def test_chaotic_band_is_known_only_for_the_chaotic_setting():
    assert tl.chaotic_band(30, 4, "tanh") == tl.ChaoticBand(start=400, low=0.003, high=0.05)
    assert tl.chaotic_band(1.0, 4, "tanh") is None and tl.chaotic_band(30.0, 4, "relu") is None


def test_the_chaotic_run_stays_in_its_band_under_tiny_perturbations(moons):
    X, Y = moons
    band = tl.chaotic_band(30.0, 4, "tanh")
    for scale in (1.0, 1 + 1e-13, 1 - 1e-13):
        costs = np.asarray(tl.train_two_layer(X * scale, Y, 4, 30.0, 2000, "tanh", seed=0).costs)[band.start:]
        assert np.mean((costs >= band.low) & (costs <= band.high)) > 0.95


def test_summary_row_gives_a_chaotic_run_its_band(monkeypatch):
    from lecture_utils.widgets import twolayer as wt

    class Run:
        learning_rate, hidden_units, hidden_activation, costs = 30.0, 4, "tanh", np.full(2001, 0.02)

    class FakePanel:
        run, iteration = Run(), 2000

        def accuracy(self):
            raise AssertionError("a chaotic run prints no accuracy")

        def _warning(self):
            return "the cost jumps up at times:\nsteps overshoot"

    row = wt.summary_row(FakePanel())
    assert "0.0200 -> 0.003 to 0.05          -   the cost jumps up at times" in row


def test_boundary_and_cost_in_one_call(moons):
    X, Y = moons
    fig = Figure()
    ax_boundary, ax_cost = fig.subplots(2, 1)
    costs = np.geomspace(0.69, 0.3, 51)
    boundary, cost = draw_boundary_and_cost(ax_boundary, ax_cost, lambda pts: 1 / (1 + np.exp(-pts[0])), X, Y,
                                            costs, title="line", label="logistic regression", output="a", bands=10)
    assert ax_boundary.get_title() == "line" and boundary.image.get_cmap().N == 10
    labels = [t.get_text() for t in ax_cost.get_legend().get_texts()]
    assert "logistic regression" in labels and not any("iteration" in label for label in labels)
    from lecture_utils.plotting.twolayer import LOGISTIC_STYLE, STATIC_COST_YLIM
    assert cost.line.get_color() == LOGISTIC_STYLE["color"] and ax_cost.get_ylim()[1] == STATIC_COST_YLIM[1]
    legend = ax_boundary.get_legend()
    FigureCanvasAgg(fig).draw()
    box, axes_box = legend.get_window_extent(), ax_boundary.get_window_extent()
    assert box.y1 <= axes_box.y0  # below the panel: it covers no data


def test_plot_grid_covers_the_data(moons):
    X, _ = moons
    x1, x2, points = plot_grid(X, resolution=10)
    assert points.shape == (2, 100)
    assert x1[0] < X[0].min() and x1[-1] > X[0].max() and x2[0] < X[1].min() and x2[-1] > X[1].max()


# --- the live panel ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def panel():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return TwoLayerPanel(max_iterations=400, record_every=20)


def test_panel_summary_and_iteration(panel):
    panel.set(learning_rate=1.0, hidden_units=4, hidden_activation="tanh", iteration=400)
    text = panel.summary()
    assert "tanh network, 4 hidden units, learning rate 1" in text
    assert "iteration shown: 400" in text
    panel.set(iteration=0)
    assert "cost 0.6932 -> 0.6932" in panel.summary()
    assert panel.live.png.startswith(b"\x89PNG")


def test_panel_sliders_at_their_ends(panel):
    c = panel.controls
    ends = {
        "learning_rate": (LEARNING_RATES[0], LEARNING_RATES[-1]),
        "hidden_units": (c["hidden_units"].min, c["hidden_units"].max),
        "iteration": (c["iteration"].min, c["iteration"].max),
        "hidden_activation": ("tanh", "relu"),
    }
    assert ends["hidden_units"] == (1, MAX_HIDDEN_UNITS)
    for name, values in ends.items():  # each alone
        for value in values:
            panel.set(**{name: value})
            assert panel.summary()
    for combo in itertools.product(*ends.values()):  # all together
        panel.set(**dict(zip(ends, combo)))
        assert "training accuracy" in panel.summary()


def test_panel_rejects_values_off_its_sliders(panel):
    with pytest.raises(ValueError, match="hidden_units"):
        panel.set(hidden_units=MAX_HIDDEN_UNITS + 1)
    with pytest.raises(ValueError, match="learning_rate"):
        panel.set(learning_rate=0.5)
    with pytest.raises(ValueError, match="hidden_activation"):
        panel.set(hidden_activation="sigmoid")
    with pytest.raises(ValueError, match="unknown control"):
        panel.set(momentum=0.9)


def test_panel_flags_a_too_large_learning_rate(panel):
    panel.set(learning_rate=100.0, hidden_units=4, hidden_activation="relu", iteration=400)
    assert "too large" in panel.summary() or "overshoot" in panel.summary()


def test_minibatch_training_with_one_batch_per_epoch_is_full_batch_gradient_descent():
    from lecture_utils.twolayer import train_two_layer_minibatch
    X, Y = tl.make_moons(60, noise=0.2, seed=3)
    full = tl.train_two_layer(X, Y, hidden_units=3, learning_rate=0.5, num_iterations=20, seed=1).costs
    mini = train_two_layer_minibatch(X, Y, 3, 0.5, 20, batch_size=60, seed=1)
    np.testing.assert_allclose(mini, full, rtol=1e-10)


def test_minibatch_training_checks_its_arguments():
    from lecture_utils.twolayer import train_two_layer_minibatch
    X, Y = tl.make_moons(20, seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        train_two_layer_minibatch(X, Y, 3, 0.5, 2, batch_size=0)
    with pytest.raises(TypeError, match="epochs"):
        train_two_layer_minibatch(X, Y, 3, 0.5, 2.5, batch_size=4)
