"""Tests of lecture_utils.network (backprop by hand), its figures and notebook 03's panel."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lecture_utils.activations import ACTIVATION_NAMES, ACTIVATIONS, get_activation
from lecture_utils.gradcheck import gradient_check, numerical_gradient
from lecture_utils.network import (example_factors, forward, init_params, loss_and_gradients,
                                   loss_and_gradients_per_example, noisy_sine, train, with_constant_feature)


def random_problem(seed, n=None, p=None, m=None):
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(1, 9))
    p = p or int(rng.integers(1, 6))
    m = m or int(rng.integers(1, 9))
    return (rng.standard_normal((n, p)), rng.standard_normal(n), rng.standard_normal((m, p)),
            rng.standard_normal(m))


# --- activations -------------------------------------------------------------------------------

Z = np.linspace(-4, 4, 17) + 0.05  # avoids the ReLU kink at 0


def test_activation_values():
    np.testing.assert_allclose(ACTIVATIONS["relu"].g(Z), np.maximum(Z, 0))
    np.testing.assert_allclose(ACTIVATIONS["tanh"].g(Z), np.tanh(Z))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].g(Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["identity"].g(Z), Z)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_derivative_from_the_output_matches_finite_differences(name):
    g = get_activation(name)
    numeric = numerical_gradient(lambda z: np.sum(g.g(z)), Z)
    np.testing.assert_allclose(g.g_prime(g.g(Z)), numeric, atol=1e-9)


def test_activation_derivative_closed_forms_and_relu_at_zero():
    s = 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].g_prime(s), s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(ACTIVATIONS["tanh"].g_prime(np.tanh(Z)), 1 / np.cosh(Z) ** 2, rtol=1e-12)
    relu = ACTIVATIONS["relu"]
    assert relu.g_prime(relu.g(np.array([-1.0, 0.0, 2.0]))).tolist() == [0.0, 0.0, 1.0]
    assert ACTIVATIONS["identity"].g_prime(Z).tolist() == [1.0] * len(Z)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activations_take_scalars(name):
    g = get_activation(name)
    assert float(g.g(0.5)) == pytest.approx(float(g.g(np.array([0.5]))[0]))
    assert float(g.g_prime(g.g(0.5))) == pytest.approx(float(g.g_prime(g.g(np.array([0.5])))[0]))


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = ACTIVATIONS["sigmoid"].g(np.array([-1e308, -800.0, 0.0, 800.0, 1e308]))
    np.testing.assert_array_equal(values, [0.0, 0.0, 0.5, 1.0, 1.0])


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="activation must be one of relu, tanh, sigmoid, identity; got 'softplus'"):
        get_activation("softplus")
    with pytest.raises(ValueError, match="activation"):
        forward(np.ones((2, 2)), np.ones((3, 2)), np.ones(3), "ReLU")
    with pytest.raises(ValueError, match="activation"):
        loss_and_gradients(np.ones((2, 2)), np.ones(2), np.ones((3, 2)), np.ones(3), None)


# --- forward ---------------------------------------------------------------------------------------

def test_forward_shapes_and_lecture_formula():
    X, _, Theta, beta = random_problem(0, n=5, p=3, m=4)
    P, A, Y_hat = forward(X, Theta, beta, "tanh")
    assert P.shape == (5, 4) and A.shape == (5, 4) and Y_hat.shape == (5,)
    for i in range(5):  # row i is the lecture's P_i = Theta X_i, Y_hat_i = sum_j beta_j g(theta_j^T X_i)
        np.testing.assert_allclose(P[i], Theta @ X[i], rtol=1e-14)
        assert Y_hat[i] == pytest.approx(sum(beta[j] * np.tanh(Theta[j] @ X[i]) for j in range(4)), rel=1e-13)
    out = forward(X, Theta, beta, "relu")
    assert out.P is out[0] and out.Y_hat is out[2]


# --- gradients -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("seed", range(8))
def test_gradients_match_finite_differences(name, seed):
    X, Y, Theta, beta = random_problem(seed)
    loss, dTheta, dbeta = loss_and_gradients(X, Y, Theta, beta, name)
    assert dTheta.shape == Theta.shape and dbeta.shape == beta.shape
    errors = gradient_check(lambda T, b: loss_and_gradients(X, Y, T, b, name)[0], [Theta, beta], [dTheta, dbeta],
                            names=["Theta", "beta"])
    assert errors["Theta"] < 1e-7, errors
    assert errors["beta"] < 1e-7, errors


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 3, 2), (7, 1, 1), (3, 2, 4), (20, 5, 9), (6, 1, 4), (9, 2, 12)])
def test_per_example_agrees_with_vectorised(name, shape):
    n, p, m = shape
    X, Y, Theta, beta = random_problem(sum(shape), n, p, m)
    fast = loss_and_gradients(X, Y, Theta, beta, name)
    slow = loss_and_gradients_per_example(X, Y, Theta, beta, name)
    assert fast[0] == pytest.approx(slow[0], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast[2], slow[2], rtol=1e-12, atol=1e-12)


def test_a_wide_network_agrees_with_one_example_at_a_time():
    X, Y, Theta, beta = random_problem(5, n=600, p=3, m=256)
    fast = loss_and_gradients(X, Y, Theta, beta, "tanh")
    slow = loss_and_gradients_per_example(X, Y, Theta, beta, "tanh")
    assert fast[0] == pytest.approx(slow[0], rel=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(fast[2], slow[2], rtol=1e-11, atol=1e-11)


def test_loss_is_the_sum_not_the_mean():
    X, Y, Theta, beta = random_problem(3, n=6, p=2, m=3)
    loss, dTheta, dbeta = loss_and_gradients(X, Y, Theta, beta, "sigmoid")
    Y_hat = forward(X, Theta, beta, "sigmoid").Y_hat
    assert loss == pytest.approx(np.sum((Y - Y_hat) ** 2), rel=1e-14)
    assert loss != pytest.approx(np.mean((Y - Y_hat) ** 2))
    # stacking the data twice doubles the loss and both gradients (a mean would leave them unchanged)
    loss2, dTheta2, dbeta2 = loss_and_gradients(np.vstack([X, X]), np.concatenate([Y, Y]), Theta, beta, "sigmoid")
    assert loss2 == pytest.approx(2 * loss, rel=1e-14)
    np.testing.assert_allclose(dTheta2, 2 * dTheta, rtol=1e-13)
    np.testing.assert_allclose(dbeta2, 2 * dbeta, rtol=1e-13)


def test_closed_form_with_identity_activation():
    # g = identity: Y_hat = X Theta^T beta is linear, so dL/dbeta = 2 Theta X^T r and dL/dTheta = 2 beta r^T X
    X, Y, Theta, beta = random_problem(4, n=5, p=3, m=2)
    r = X @ Theta.T @ beta - Y
    loss, dTheta, dbeta = loss_and_gradients(X, Y, Theta, beta, "identity")
    assert loss == pytest.approx(r @ r)
    np.testing.assert_allclose(dbeta, 2 * Theta @ X.T @ r, rtol=1e-12)
    np.testing.assert_allclose(dTheta, 2 * np.outer(beta, r @ X), rtol=1e-12)


def test_tiny_hand_computed_example():
    # one example x = (1, 2), Theta = [[1, 0], [0, 1]], beta = (1, -1), relu: P = (1, 2), A = (1, 2), Y_hat = -1
    f = example_factors(np.array([1.0, 2.0]), 2.0, np.eye(2), np.array([1.0, -1.0]), "relu")
    assert f.Y_hat == -1.0 and f.loss == 9.0
    assert f.dL_dYhat.tolist() == [[-6.0]]
    assert f.dL_dP.tolist() == [[-6.0, 6.0]]
    assert f.dL_dTheta.tolist() == [[-6.0, -12.0], [6.0, 12.0]]
    assert f.dL_dbeta.tolist() == [-6.0, -12.0]


def test_example_factor_shapes_follow_the_lecture():
    m, p = 4, 2
    _, _, Theta, beta = random_problem(5, n=1, p=p, m=m)
    f = example_factors(np.array([0.3, 1.0]), 0.5, Theta, beta, "tanh")
    shapes = {name: np.shape(getattr(f, name)) for name in f.__dataclass_fields__}
    assert shapes["P"] == (m,) and shapes["A"] == (m,)
    assert shapes["dL_dYhat"] == (1, 1)
    assert shapes["dYhat_dA"] == (1, m) and shapes["dL_dA"] == (1, m)
    assert shapes["dA_dP"] == (m, m) and shapes["dL_dP"] == (1, m)
    assert shapes["dL_dTheta"] == (m, p) and shapes["dL_dbeta"] == (m,)
    np.testing.assert_array_equal(f.dA_dP, np.diag(np.diag(f.dA_dP)))  # diagonal


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_inputs_are_not_modified(name):
    X, Y, Theta, beta = random_problem(6, n=4, p=3, m=5)
    copies = [a.copy() for a in (X, Y, Theta, beta)]
    loss_and_gradients(X, Y, Theta, beta, name)
    forward(X, Theta, beta, name)
    for before, after in zip(copies, (X, Y, Theta, beta)):
        np.testing.assert_array_equal(before, after)


def test_accepts_lists_and_integers():
    loss, dTheta, dbeta = loss_and_gradients([[1, 2]], [3], [[1, 0], [0, 1]], [1, 1], "identity")
    assert loss == 0.0 and dTheta.dtype == np.float64 and dbeta.tolist() == [0.0, 0.0]


# --- shape errors --------------------------------------------------------------------------------

def test_shape_errors_print_received_and_expected_shapes():
    X, Y, Theta, beta = np.ones((5, 2)), np.ones(5), np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match=r"X has shape \(5, 3\), expected \(n, 2\).*Theta has shape \(4, 2\)"):
        loss_and_gradients(np.ones((5, 3)), Y, Theta, beta, "relu")
    with pytest.raises(ValueError, match=r"X has shape \(2,\), expected \(n, 2\).*x\[None, :\]"):
        forward(np.ones(2), Theta, beta, "relu")
    with pytest.raises(ValueError, match=r"Y has shape \(4,\), expected \(5,\).*X has shape \(5, 2\)"):
        loss_and_gradients(X, np.ones(4), Theta, beta, "relu")
    with pytest.raises(ValueError, match=r"Y has shape \(5, 1\), expected \(5,\)"):
        loss_and_gradients(X, np.ones((5, 1)), Theta, beta, "relu")
    with pytest.raises(ValueError, match=r"beta has shape \(3,\), expected \(4,\).*Theta has shape \(4, 2\)"):
        loss_and_gradients(X, Y, Theta, np.ones(3), "relu")
    with pytest.raises(ValueError, match=r"beta has shape \(4, 1\), expected \(4,\)"):
        forward(X, Theta, np.ones((4, 1)), "relu")
    with pytest.raises(ValueError, match=r"Theta has shape \(4,\), expected \(m, p\)"):
        forward(X, np.ones(4), beta, "relu")
    with pytest.raises(ValueError, match=r"x has shape \(3,\), expected \(2,\)"):
        example_factors(np.ones(3), 1.0, Theta, beta, "relu")
    with pytest.raises(ValueError, match=r"X has shape \(5, 3\)"):
        loss_and_gradients_per_example(np.ones((5, 3)), Y, Theta, beta, "relu")


def test_value_errors_name_the_parameter():
    with pytest.raises(ValueError, match="X must be finite"):
        forward([[np.nan, 1.0]], np.ones((1, 2)), np.ones(1), "relu")
    with pytest.raises(TypeError, match="Theta"):
        forward(np.ones((1, 2)), "abc", np.ones(1), "relu")
    with pytest.raises(ValueError, match="y must be finite"):
        example_factors(np.ones(2), np.inf, np.ones((1, 2)), np.ones(1), "relu")
    with pytest.raises(ValueError, match="noise"):
        noisy_sine(noise=-1.0)
    with pytest.raises(ValueError, match="n"):
        noisy_sine(n=0)
    with pytest.raises(ValueError, match="m"):
        init_params(0, 2)
    with pytest.raises(ValueError, match="scale"):
        init_params(2, 2, scale=0.0)
    with pytest.raises(ValueError, match="x must have 1"):
        with_constant_feature(np.ones((2, 2)))
    with pytest.raises(ValueError, match="num_steps"):
        train(np.ones((2, 2)), np.ones(2), np.ones((1, 2)), np.ones(1), "relu", 0.1, -1)


# --- data and training -----------------------------------------------------------------------------

def test_noisy_sine_is_seeded_and_sorted():
    x, y = noisy_sine(40, 0.15, seed=0)
    x2, y2 = noisy_sine(40, 0.15, seed=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert np.all(np.diff(x) >= 0) and -3 <= x.min() and x.max() <= 3
    assert np.std(y - np.sin(x)) == pytest.approx(0.15, rel=0.3)
    np.testing.assert_array_equal(noisy_sine(5, 0.0)[1], np.sin(noisy_sine(5, 0.0)[0]))
    X = with_constant_feature(x)
    assert X.shape == (40, 2) and np.all(X[:, 1] == 1.0)


def test_training_steps_are_gradient_descent_steps():
    x, y = noisy_sine(10, 0.1, seed=1)
    X = with_constant_feature(x)
    Theta0, beta0 = init_params(3, 2, seed=2)
    run = train(X, y, Theta0, beta0, "tanh", 0.01, 1)
    _, dTheta, dbeta = loss_and_gradients(X, y, Theta0, beta0, "tanh")
    np.testing.assert_allclose(run.Theta, Theta0 - 0.01 * dTheta, rtol=1e-14)
    np.testing.assert_allclose(run.beta, beta0 - 0.01 * dbeta, rtol=1e-14)
    assert run.losses[1] == pytest.approx(loss_and_gradients(X, y, run.Theta, run.beta, "tanh")[0])
    assert Theta0 is not run.Theta and np.all(Theta0 == init_params(3, 2, seed=2)[0])  # start left intact


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_training_fits_the_sine_down_to_about_the_noise_floor(name):
    x, y = noisy_sine(40, 0.15, seed=0)
    run = train(with_constant_feature(x), y, *init_params(8, 2, seed=0), name, 0.002, 1000)
    assert not run.diverged and run.num_steps == 1000
    assert run.losses[-1] < 0.2 * run.losses[0]
    assert run.losses[-1] < 2.5 * 40 * 0.15**2


def test_identity_network_is_only_a_line():
    # with g = identity the network is linear in [x, 1]: the best it can do is least squares on a line
    x, y = noisy_sine(40, 0.15, seed=0)
    X = with_constant_feature(x)
    run = train(X, y, *init_params(2, 2, seed=0), "identity", 0.001, 1000)
    residual = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    assert run.losses[-1] == pytest.approx(residual @ residual, rel=1e-3)


def test_divergence_is_reported_without_warnings():
    x, y = noisy_sine(40, 0.15, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train(with_constant_feature(x), y, *init_params(32, 2, seed=0), "identity", 0.5, 1000)
    assert run.diverged and run.num_steps < 20 and "diverged" in run.describe()


# --- figures ---------------------------------------------------------------------------------------

def test_figures_draw_their_artists():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lecture_utils.network import basis_functions
    from lecture_utils.plotting.network import (draw_backprop_chain, draw_basis_regressor, draw_training)

    x, y = noisy_sine(20, 0.1)
    grid = np.linspace(-3, 3, 50)
    run = train(with_constant_feature(x), y, *init_params(4, 2), "tanh", 0.005, 50)
    terms = basis_functions(with_constant_feature(grid), run.Theta, run.beta, "tanh")
    np.testing.assert_allclose(terms.sum(axis=1), forward(with_constant_feature(grid), run.Theta, run.beta,
                                                          "tanh").Y_hat, rtol=1e-12)
    fig, (a, b, c, d) = plt.subplots(1, 4)
    draw_basis_regressor(a, 4)
    draw_backprop_chain(b)
    artists = draw_training(c, d, x, y, grid, run, terms, 50)
    assert np.allclose(artists.fit.fit.get_ydata(), terms.sum(axis=1))
    assert sum(len(line.get_xdata()) > 0 for line in artists.fit.basis) == 4
    assert len(artists.loss.get_xdata()) == 51
    fig.canvas.draw()
    plt.close(fig)


# --- the panel -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def panel():
    from lecture_utils.widgets.network import NetworkTrainingPanel
    return NetworkTrainingPanel()


def test_panel_summary_and_cache(panel):
    panel.set(gamma=0.003, decay=0.0, m=8, activation="tanh")
    text = panel.summary()
    assert "gamma = 0.0030" in text and "m = 8" in text and "1000 steps" in text
    run = panel.run
    panel.set(m=4)
    panel.set(m=8)
    assert panel.run is run  # fetched from the cache, not retrained
    assert panel.run.losses[-1] < 2 * panel.noise_floor


def test_panel_sliders_at_their_ends_raise_and_warn_nothing(panel):
    names = ["gamma", "decay", "m"]
    ends = {name: (panel.controls[name].min, panel.controls[name].max) for name in names}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in names:  # alone
            for value in ends[name]:
                panel.set(**{name: value})
                assert panel.summary()
        for values in itertools.product(*ends.values(), ACTIVATION_NAMES):  # combined
            panel.set(**dict(zip(names + ["activation"], values)))
            assert panel.summary()
            assert panel.live.png


def test_panel_divergence_is_a_message(panel):
    panel.set(gamma=0.02, decay=0.0, m=32, activation="relu")
    assert panel.run.diverged
    assert "diverged" in panel.summary() and "diverged" in panel.artists.fit.message.get_text()
    panel.set(gamma=0.002, m=8, activation="tanh")
    assert panel.artists.fit.message.get_text() == ""


def test_panel_set_checks_ranges(panel):
    with pytest.raises(ValueError, match="gamma"):
        panel.set(gamma=1.0)
    with pytest.raises(ValueError, match="m"):
        panel.set(m=0)
    with pytest.raises(ValueError, match="activation"):
        panel.set(activation="softplus")
    with pytest.raises(ValueError, match="steps"):
        panel.set(steps=3)


@pytest.mark.parametrize("n", [3, 5000])
def test_non_finite_arrays_are_named(n):
    X, Y, Theta, beta = np.ones((n, 2)), np.ones(n), np.ones((3, 2)), np.ones(3)
    X[-1, 0] = np.nan
    with pytest.raises(ValueError, match="^X must be finite"):
        loss_and_gradients(X, Y, Theta, beta, "tanh")
    Y[0] = np.inf
    with pytest.raises(ValueError, match="^Y must be finite"):
        loss_and_gradients(np.ones((n, 2)), Y, Theta, beta, "tanh")
    for name in ("Theta", "beta"):  # even where tanh(inf) = 1 would hide it from the results
        bad = {"Theta": Theta.copy(), "beta": beta.copy()}
        bad[name].flat[0] = np.inf
        with pytest.raises(ValueError, match=f"^{name} must be finite"):
            loss_and_gradients(X=np.ones((n, 2)), Y=np.ones(n), activation="tanh", **bad)


def test_a_transposed_theta_is_blamed_on_theta():
    X, Y, Theta, beta = random_problem(2, n=5, p=2, m=4)
    for call in (lambda T: loss_and_gradients(X, Y, T, beta, "relu"), lambda T: forward(X, T, beta, "relu"),
                 lambda T: example_factors(X[0], Y[0], T, beta, "relu"),
                 lambda T: loss_and_gradients_per_example(X, Y, T, beta, "relu")):
        with pytest.raises(ValueError, match=r"^Theta has shape \(2, 4\), expected \(4, 2\).*transposed"):
            call(Theta.T)
    with pytest.raises(ValueError, match=r"^Theta0 has shape \(2, 4\).*is Theta0 transposed"):
        train(X, Y, Theta.T, beta, "relu", 0.01, 3)
    # a beta of the wrong length is still blamed on beta
    with pytest.raises(ValueError, match=r"^beta has shape \(2,\), expected \(4,\)"):
        loss_and_gradients(X, Y, Theta, beta[:2], "relu")


def test_backprop_chain_fits_a_9_inch_figure_without_overlapping_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lecture_utils.plotting.network import CHAIN_FACTORS, draw_backprop_chain

    fig, ax = plt.subplots(figsize=(9, 4.6), dpi=100)
    draw_backprop_chain(ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in ax.texts if t.get_text()] + [ax.title]
    for text in texts:  # everything inside the 9-inch figure
        box = text.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
    factors = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in {f for f, _ in CHAIN_FACTORS}]
    assert len(factors) == len(CHAIN_FACTORS)
    for i, a in enumerate(factors):
        for b in factors[i + 1:]:
            assert not a.overlaps(b)
    plt.close(fig)
