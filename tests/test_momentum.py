"""Notebook 07: momentum, Nesterov, RMSProp and Adam against closed forms and hand computations; its panel."""

import itertools
import warnings

import numpy as np
import pytest

from lecture_utils.descent import gradient_descent
from lecture_utils.functions import QUARTIC, DiagonalQuadratic
from lecture_utils.momentum import (METHODS, TwoLayerObjective, adam, descend, gd_optimal_rate, gd_optimal_step,
                                    heavy_ball, heavy_ball_edge, linear_rate, measured_rate, momentum_optimal,
                                    momentum_optimal_rate, nesterov, nesterov_edge, rmsprop, run_method,
                                    steps_per_decade)
from lecture_utils.schedules import ExponentialDecay, InverseTimeDecay

MU, L = 0.01, 1.0
RAVINE = DiagonalQuadratic((MU / 2, L / 2))  # curvatures mu and L: kappa = 100
W0 = np.array([-10.0, 1.0])


# --- closed forms --------------------------------------------------------------------------------------
def test_optimal_constants_match_their_formulas():
    kappa = L / MU
    assert gd_optimal_step(MU, L) == pytest.approx(2 / (L + MU))
    assert gd_optimal_rate(MU, L) == pytest.approx(99 / 101)
    gamma, beta = momentum_optimal(MU, L)
    assert gamma == pytest.approx(4 / 1.1**2)
    assert beta == pytest.approx((9 / 11) ** 2)
    assert momentum_optimal_rate(MU, L) == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    assert np.sqrt(beta) == pytest.approx(momentum_optimal_rate(MU, L))


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1000.0])
def test_the_optimum_minimises_the_closed_form_rate(kappa):
    mu, big = 1.0 / kappa, 1.0
    gamma, beta = momentum_optimal(mu, big)
    best = linear_rate("momentum", gamma, beta, [mu, big])
    assert best == pytest.approx(momentum_optimal_rate(mu, big), rel=1e-6)
    G, B = np.meshgrid(np.linspace(0.01, 4.0, 200), np.linspace(0.0, 0.99, 200))
    assert linear_rate("momentum", G, B, [mu, big]).min() >= best - 1e-9
    gd = linear_rate("GD", np.linspace(0.01, 2.5, 500), 0.0, [mu, big])
    assert gd.min() >= gd_optimal_rate(mu, big) - 1e-12
    assert linear_rate("GD", gd_optimal_step(mu, big), 0.0, [mu, big]) == pytest.approx(gd_optimal_rate(mu, big))


def test_linear_rate_agrees_with_the_eigenvalues_of_the_iteration_matrix():
    rng = np.random.default_rng(0)
    for _ in range(50):
        gamma, beta, lam = rng.uniform(0.05, 3.0), rng.uniform(0.0, 0.95), rng.uniform(0.05, 1.0)
        heavy = np.array([[1 - gamma * lam, beta], [-gamma * lam, beta]])  # (w, v) -> (w', v')
        nest = np.array([[(1 - gamma * lam) - beta * gamma * lam, beta**2], [-gamma * lam, beta]])
        for method, matrix in (("momentum", heavy), ("Nesterov", nest)):
            assert linear_rate(method, gamma, beta, [lam]) == pytest.approx(
                np.abs(np.linalg.eigvals(matrix)).max(), rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_edges_of_divergence_are_where_the_rate_reaches_one(beta):
    for method, edge in (("momentum", heavy_ball_edge(L, beta)), ("Nesterov", nesterov_edge(L, beta))):
        assert linear_rate(method, edge * 0.999, beta, [MU, L]) < 1.0
        assert linear_rate(method, edge * 1.001, beta, [MU, L]) > 1.0
        assert linear_rate(method, edge, beta, [MU, L]) == pytest.approx(1.0)
    assert heavy_ball_edge(L, beta) == pytest.approx(2 * (1 + beta) / L)
    assert heavy_ball_edge(L, 0.0) == nesterov_edge(L, 0.0) == pytest.approx(2 / L)  # notebook 01's 2/c


def test_steps_per_decade():
    assert steps_per_decade(0.1) == pytest.approx(1.0)
    assert steps_per_decade(gd_optimal_rate(MU, L)) == pytest.approx(np.log(10) / np.log(101 / 99))
    assert steps_per_decade(1.0) == np.inf


# --- measured rates against the closed forms --------------------------------------------------------------
@pytest.mark.parametrize("method, gamma, beta", [
    ("GD", 1.0, 0.0), ("GD", gd_optimal_step(MU, L), 0.0), ("momentum", 1.0, 0.5), ("momentum", 1.0, 0.9),
    ("momentum", 3.0, 0.9), ("Nesterov", 1.0, 0.5), ("Nesterov", 1.0, 0.9), ("momentum", *momentum_optimal(MU, L)),
])
def test_measured_rate_matches_the_closed_form(method, gamma, beta):
    run = run_method(method, RAVINE.grad, W0, gamma, 400, beta=beta, f=RAVINE.value)
    assert not run.diverged
    # 1% covers the polynomial factor k of a (nearly) double root, as at the optimum.
    assert measured_rate(run) == pytest.approx(linear_rate(method, gamma, beta, [MU, L]), rel=0.01)


def test_past_the_edge_the_run_is_reported_diverged_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method, gamma in (("GD", 2.1), ("momentum", heavy_ball_edge(L, 0.5) * 1.05),
                              ("Nesterov", nesterov_edge(L, 0.5) * 1.05)):
            run = run_method(method, RAVINE.grad, W0, gamma, 3000, beta=0.5, f=RAVINE.value)
            assert run.diverged and run.stop_reason == "diverged"
            assert np.all(np.isfinite(run.iterates)) and np.all(np.isfinite(run.values))
            assert measured_rate(run) == np.inf
            assert "diverged" in run.describe()


def test_momentum_gains_a_factor_sqrt_kappa_in_steps():
    gd = steps_per_decade(gd_optimal_rate(MU, L))
    hb = steps_per_decade(momentum_optimal_rate(MU, L))
    assert 8 < gd / hb < 12  # sqrt(kappa) = 10, up to the logarithms


# --- equalities and hand computations -------------------------------------------------------------------
def test_momentum_with_beta_zero_is_gradient_descent():
    for w0, objective, gamma in ((W0, RAVINE, 1.5), (23.0, None, 0.1)):
        grad = objective.grad if objective else (lambda w: 2 * (w - 6))
        reference = gradient_descent(grad, w0, gamma, 50)
        for run in (heavy_ball(grad, w0, gamma, 50, beta=0.0), nesterov(grad, w0, gamma, 50, beta=0.0),
                    descend(grad, w0, gamma, 50)):
            np.testing.assert_array_equal(run.iterates, reference.iterates)
            np.testing.assert_array_equal(run.step_sizes, reference.step_sizes)
    np.testing.assert_allclose(descend(lambda w: 2 * (w - 6), 23.0, 0.1, 10).iterates, 6 + 17 * 0.8 ** np.arange(11))


def test_heavy_ball_is_gd_plus_beta_times_the_last_step():
    gamma, beta = 0.7, 0.8
    run = heavy_ball(RAVINE.grad, W0, gamma, 20, beta=beta)
    w = run.iterates
    for k in range(1, 20):
        np.testing.assert_allclose(w[k + 1], w[k] - gamma * RAVINE.grad(w[k]) + beta * (w[k] - w[k - 1]), atol=1e-12)


def test_nesterov_differs_from_heavy_ball_by_its_look_ahead():
    gamma, beta = 0.7, 0.8
    heavy, nest = heavy_ball(RAVINE.grad, W0, gamma, 3, beta=beta), nesterov(RAVINE.grad, W0, gamma, 3, beta=beta)
    g0 = RAVINE.grad(W0)
    # Step 1, by hand: heavy ball moves by v1 = -gamma g0; Nesterov by beta v1 - gamma g0.
    np.testing.assert_allclose(heavy.iterates[1], W0 - gamma * g0)
    np.testing.assert_allclose(nest.iterates[1], W0 + beta * (-gamma * g0) - gamma * g0)
    assert not np.allclose(heavy.iterates[2], nest.iterates[2])
    # The recorded Nesterov iterates are the look-ahead points x_k + beta u_k of the textbook form.
    x, u = W0.copy(), np.zeros(2)
    for k in range(3):
        np.testing.assert_allclose(nest.iterates[k], x + beta * u, atol=1e-12)
        u = beta * u - gamma * RAVINE.grad(x + beta * u)
        x = x + u
    # Nesterov damps the steep direction: at the same (gamma, beta) its stable range is shorter.
    assert nesterov_edge(L, beta) < heavy_ball_edge(L, beta)


def test_adam_first_steps_by_hand():
    gamma, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    run = adam(RAVINE.grad, W0, gamma, 2, beta1=b1, beta2=b2, eps=eps)
    g0 = RAVINE.grad(W0)  # (-0.1, 1.0)
    # k = 0: m = 0.1 g0, s = 0.001 g0^2; bias correction divides them by 0.1 and 0.001: m_hat = g0, s_hat = g0^2.
    w1 = W0 - gamma * g0 / (np.abs(g0) + eps)
    np.testing.assert_allclose(run.iterates[1], w1, rtol=1e-15)
    np.testing.assert_allclose(run.iterates[1] - W0, [0.1, -0.1], rtol=1e-6)  # gamma * sign(g0)
    g1 = RAVINE.grad(w1)
    m = 0.9 * 0.1 * g0 + 0.1 * g1
    s = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
    m_hat, s_hat = m / (1 - 0.9**2), s / (1 - 0.999**2)
    np.testing.assert_allclose(run.iterates[2], w1 - gamma * m_hat / (np.sqrt(s_hat) + eps), rtol=1e-14)
    np.testing.assert_allclose(run.scaled_steps[1], gamma / (np.sqrt(s_hat) + eps), rtol=1e-14)


def test_rmsprop_first_step_by_hand_and_its_per_coordinate_steps():
    gamma, rho = 0.01, 0.9
    run = rmsprop(RAVINE.grad, W0, gamma, 1, rho=rho)
    g0 = RAVINE.grad(W0)
    s = (1 - rho) * g0**2
    np.testing.assert_allclose(run.iterates[1], W0 - gamma * g0 / (np.sqrt(s) + 1e-8))
    np.testing.assert_allclose(run.scaled_steps[0], gamma / (np.sqrt(s) + 1e-8))
    # The flat coordinate (gradient 10 times smaller) gets a 10 times larger step.
    assert run.scaled_steps[0][0] / run.scaled_steps[0][1] == pytest.approx(10.0, rel=1e-6)


def test_schedules_are_accepted_and_recorded():
    schedule = ExponentialDecay(0.5, 0.9)
    for method in METHODS:
        run = run_method(method, RAVINE.grad, W0, schedule, 30, beta=0.5, f=RAVINE.value)
        np.testing.assert_allclose(run.step_sizes, schedule.values(30))
        assert run.method == method and run.num_steps == 30
    run = adam(RAVINE.grad, W0, InverseTimeDecay(0.3, 0.05), 2000, f=RAVINE.value)
    assert run.values[-1] < 1e-3  # a decaying step lets Adam settle


def test_quartic_momentum_rolls_over_the_ridge_from_high_enough():
    ridge = QUARTIC.stationary_points()[1]
    assert QUARTIC.value(3.5) > QUARTIC.value(ridge) > QUARTIC.value(1.5)
    gd = descend(QUARTIC.grad, 3.5, 0.01, 150)
    hb = heavy_ball(QUARTIC.grad, 3.5, 0.01, 150, beta=0.9)
    assert gd.final == pytest.approx(2.442, abs=1e-3) and hb.final == pytest.approx(-0.971, abs=1e-3)


def test_two_layer_objective_matches_notebook_06():
    from lecture_utils.twolayer import make_moons, train_two_layer
    X, Y = make_moons(40, noise=0.15, seed=0)
    net = TwoLayerObjective(X, Y, hidden_units=3, seed=1)
    run = descend(net.grad, net.w0, 1.0, 30, f=net.value)
    reference = train_two_layer(X, Y, 3, 1.0, 30, "tanh", seed=1)
    np.testing.assert_allclose(run.values, reference.costs, rtol=1e-12)
    w = run.final
    h, eye = 1e-6, np.eye(w.size)
    numeric = np.array([(net.value(w + h * e) - net.value(w - h * e)) / (2 * h) for e in eye])  # central differences
    np.testing.assert_allclose(net.grad(w), numeric, atol=1e-7)
    assert net.value(w) == pytest.approx(net.value(w.copy() + 0.0))


# --- bad input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, name", [
    (lambda: heavy_ball(RAVINE.grad, W0, 0.1, 5, beta=1.0), ValueError, "beta"),
    (lambda: heavy_ball(RAVINE.grad, W0, 0.1, 5, beta=-0.1), ValueError, "beta"),
    (lambda: nesterov(RAVINE.grad, W0, -0.1, 5), ValueError, "step_size"),
    (lambda: rmsprop(RAVINE.grad, W0, 0.1, 5, rho=1.5), ValueError, "rho"),
    (lambda: rmsprop(RAVINE.grad, W0, 0.1, 5, eps=0.0), ValueError, "eps"),
    (lambda: adam(RAVINE.grad, W0, 0.1, 5, beta2=1.0), ValueError, "beta2"),
    (lambda: adam(RAVINE.grad, W0, 0.1, 2.5), TypeError, "num_steps"),
    (lambda: adam("grad", W0, 0.1, 5), TypeError, "grad"),
    (lambda: adam(lambda w: "x", W0, 0.1, 5), TypeError, "grad"),
    (lambda: adam(lambda w: np.zeros(3), W0, 0.1, 5), ValueError, "grad"),
    (lambda: heavy_ball(RAVINE.grad, [np.nan, 1.0], 0.1, 5), ValueError, "w0"),
    (lambda: heavy_ball(RAVINE.grad, W0, 0.1, 5, f=lambda w: "x"), TypeError, "f"),
    (lambda: run_method("SGD", RAVINE.grad, W0, 0.1, 5), ValueError, "method"),
    (lambda: momentum_optimal(1.0, 0.5), ValueError, "mu"),
    (lambda: gd_optimal_step(0.0, 1.0), ValueError, "mu"),
    (lambda: heavy_ball_edge(-1.0, 0.5), ValueError, "L"),
    (lambda: linear_rate("Adam", 0.1, 0.9, [1.0]), ValueError, "method"),
    (lambda: linear_rate("momentum", 0.1, 1.2, [1.0]), ValueError, "beta"),
    (lambda: linear_rate("momentum", 0.1, 0.5, [-1.0]), ValueError, "curvatures"),
    (lambda: measured_rate("run"), TypeError, "trajectory"),
    (lambda: measured_rate(descend(RAVINE.grad, W0, 0.1, 2)), ValueError, "trajectory"),
    (lambda: measured_rate(descend(RAVINE.grad, W0, 0.1, 8), [0.0, 0.0, 0.0]), ValueError, "minimizer"),
])
def test_bad_input_names_the_parameter(call, error, name):
    with pytest.raises(error, match=name):
        call()


# --- the panel --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def panel():
    from lecture_utils.widgets.momentum import MomentumPanel
    return MomentumPanel()


def test_panel_at_its_extremes_raises_and_warns_nothing(panel):
    c = panel.controls
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in METHODS:
            for steps, gamma, beta in itertools.product((c["num_steps"].min, c["num_steps"].max),
                                                        (c["gamma"].min, c["gamma"].max), (c["beta"].min, c["beta"].max)):
                panel.set(method=method, gamma=gamma, beta=beta, num_steps=steps)
                assert panel.live.png.startswith(b"\x89PNG")
                assert np.all(np.isfinite(panel.run.iterates))
                assert panel.path.ax.get_ylim() == (-4.0, 4.0)  # the view never blows up
                if panel.run.diverged:
                    assert "diverged" in panel.message.get_text() and "diverged" in panel.summary()


def test_panel_summary_after_set_reports_closed_form_beside_measured(panel):
    panel.set(method="momentum", gamma=panel.gamma_star, beta=panel.beta_star, num_steps=400)
    text = panel.summary()
    rate = linear_rate("momentum", panel.gamma_star, panel.beta_star, [MU, L])
    assert f"closed-form rate {rate:.3f}" in text
    assert rate == pytest.approx(momentum_optimal_rate(MU, L), abs=1e-3)  # the grid-rounded optimum keeps its rate
    assert panel.measured() == pytest.approx(rate, rel=0.01)
    panel.set(method="GD", gamma=panel.gamma_gd)
    assert "closed-form rate 0.980" in panel.summary() and panel.controls["beta"].disabled
    panel.set(method="Adam", gamma=0.1, beta=0.9)
    assert "no closed form" in panel.summary() and panel.buttons["edge"].disabled
    assert not panel.rate_map.marker.get_visible() and panel.rate_map.note.get_visible()


def test_panel_landmark_buttons(panel):
    panel.set(method="momentum", beta=0.5)
    panel.buttons["edge"].click()
    assert panel.controls["gamma"].value == pytest.approx(3.0)
    assert "on the edge" in panel.message.get_text()
    panel.buttons["GD best"].click()
    assert panel.controls["beta"].value == 0.0
    assert panel.closed_form_rate() == pytest.approx(gd_optimal_rate(MU, L), abs=1e-4)
    panel.buttons["optimum"].click()
    assert panel.controls["beta"].value == pytest.approx(0.670)


@pytest.mark.parametrize("values, error, match", [
    (dict(gamma=5.0), ValueError, "gamma must be between"),
    (dict(beta="big"), TypeError, "beta"),
    (dict(num_steps=3.5), TypeError, "num_steps"),
    (dict(method="SGD"), ValueError, "method must be one of"),
])
def test_panel_set_rejects_bad_values(panel, values, error, match):
    with pytest.raises(error, match=match):
        panel.set(**values)


def test_panel_constructor_rejects_bad_values():
    from lecture_utils.widgets.momentum import MomentumPanel
    with pytest.raises(ValueError, match="beta"):
        MomentumPanel(beta=1.5)
    with pytest.raises(ValueError, match="kappa"):
        MomentumPanel(kappa=0.5)


# --- static figures ------------------------------------------------------------------------------------
def test_scaled_steps_share_one_axes_by_method_colour_and_coordinate_style():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lecture_utils.plotting.momentum import METHOD_COLORS, draw_rate_map, draw_scaled_steps

    rms, ad = rmsprop(RAVINE.grad, W0, 0.1, 30, rho=0.9), adam(RAVINE.grad, W0, 0.1, 30)
    fig = Figure()
    ax, ax_map = fig.subplots(2, 1)
    lines = draw_scaled_steps(ax, [rms, ad])
    assert [line.get_label() for line in lines] == ["RMSProp: coordinate $w_1$", "RMSProp: coordinate $w_2$",
                                                   "Adam: coordinate $w_1$", "Adam: coordinate $w_2$"]
    assert [line.get_color() for line in lines] == [METHOD_COLORS["RMSProp"]] * 2 + [METHOD_COLORS["Adam"]] * 2
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    np.testing.assert_allclose(lines[2].get_ydata(), ad.scaled_steps[:, 0])
    assert ax.get_title() == "RMSProp and Adam: one step size per coordinate"
    with pytest.raises(ValueError, match="per-coordinate"):
        draw_scaled_steps(ax, heavy_ball(RAVINE.grad, W0, 1.0, 5))
    rate_map = draw_rate_map(ax_map, [MU, L], bands=10)
    assert rate_map.groups["momentum"][0].get_cmap().N == 10
    with pytest.raises(ValueError, match="bands"):
        draw_rate_map(ax_map, [MU, L], bands=0)
    FigureCanvasAgg(fig).draw()


def test_summary_row_lines_up_with_the_header(panel):
    from lecture_utils.widgets.momentum import SUMMARY_HEADER, summary_row
    panel.set(method="momentum", gamma=3.3, beta=0.67, num_steps=100)
    row = summary_row(panel)
    assert row.split()[:5] == ["momentum", "3.300", "0.670", "100", "100"]
    assert row.index("0.819") + 5 == SUMMARY_HEADER.index("closed-form rate") + len("closed-form rate")
    assert "3.340" in row and "after 100 steps" in row
    panel.set(method="GD", gamma=3.9)
    assert "diverged" in summary_row(panel)
    panel.set(method="Adam", gamma=0.1, beta=0.9)
    assert summary_row(panel).split()[5] == "-"  # no closed form
