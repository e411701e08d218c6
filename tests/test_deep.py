"""Tests of lecture_utils.deep (the backward pass as a loop over layers) and of the curvature estimate."""

import numpy as np
import pytest

from lecture_utils.activations import ACTIVATION_NAMES
from lecture_utils.deep import deep_loss_and_gradients, init_layers, layer_shapes
from lecture_utils.gradcheck import gradient_check
from lecture_utils.network import hessian_lambda_max, init_params, loss_and_gradients


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_two_layers_are_the_one_hidden_layer_network_of_notebook_03(activation):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=7)
    Theta, beta = init_params(m=5, p=3, seed=2)
    loss, dTheta, dbeta = loss_and_gradients(X, Y, Theta, beta, activation)
    deep_loss, (d1, d2) = deep_loss_and_gradients(X, Y, [Theta, beta[None, :]], activation)
    assert deep_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(d1, dTheta, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d2[0], dbeta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("widths", [[2, 1], [3, 4, 1], [2, 5, 3, 4, 1]])
def test_every_layer_gradient_matches_central_differences(activation, widths):
    rng = np.random.default_rng(len(widths))
    X, Y = rng.normal(size=(6, widths[0])), rng.normal(size=6)
    Thetas = init_layers(widths, seed=3)
    _, grads = deep_loss_and_gradients(X, Y, Thetas, activation)
    assert [g.shape for g in grads] == layer_shapes(Thetas)
    errors = gradient_check(lambda *T: deep_loss_and_gradients(X, Y, list(T), activation)[0], Thetas, grads)
    assert max(errors.values()) < 1e-7


def test_bad_layers_are_named():
    X, Y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match=r"Thetas\[1\] \(layer 2\)"):
        deep_loss_and_gradients(X, Y, [np.ones((3, 2)), np.ones((1, 4))], "tanh")
    with pytest.raises(ValueError, match="last layer has 3 units"):
        deep_loss_and_gradients(X, Y, [np.ones((3, 2))], "tanh")
    with pytest.raises(TypeError, match="Thetas must be"):
        deep_loss_and_gradients(X, Y, np.ones((1, 2)), "tanh")
    with pytest.raises(ValueError, match="widths must end in 1"):
        init_layers([2, 3])


def test_lambda_max_is_the_largest_eigenvalue_of_the_finite_difference_hessian():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(9, 2)), rng.normal(size=9)
    Theta, beta = init_params(m=3, p=2, seed=1)
    m, p = Theta.shape
    w = np.concatenate([Theta.ravel(), beta])

    def grad(v):
        _, dT, db = loss_and_gradients(X, Y, v[:m * p].reshape(m, p), v[m * p:], "tanh")
        return np.concatenate([dT.ravel(), db])

    h = 1e-5
    H = np.array([(grad(w + h * e) - grad(w - h * e)) / (2 * h) for e in np.eye(w.size)])
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
    expected = eigenvalues[np.argmax(np.abs(eigenvalues))]
    assert hessian_lambda_max(X, Y, Theta, beta, "tanh", iterations=500) == pytest.approx(expected, rel=1e-4)

