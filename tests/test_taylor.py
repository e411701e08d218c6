"""Tests of lecture_utils.taylor (notebook 02): closed forms against brute force, trust region, errors, panel."""

from __future__ import annotations

import warnings

import numpy as np
import matplotlib.text
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_utils import taylor
from lecture_utils.functions import GRADIENT_PICTURE, LECTURE_1D, QUARTIC, DiagonalQuadratic, ShiftedSquare

finite = st.floats(-20, 20, allow_nan=False)
lams = st.floats(0.05, 20, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(center=finite, w0=finite, lam=lams)
def test_closed_form_is_grid_argmin_of_penalised_model(center, w0, lam):
    objective = ShiftedSquare(center)
    point = taylor.expand(objective, w0)
    closed = float(point.lagrangian_step(lam))
    half = abs(float(point.grad_w0)) / (2 * lam) + 1.0  # wide enough to contain the minimiser
    low, high = w0 - 3 * half, w0 + 3 * half
    num = 20_001
    brute = taylor.brute_force_lagrangian_step(w0, point.f_w0, float(point.grad_w0), lam, low, high, num)
    assert abs(brute - closed) <= (high - low) / (num - 1)
    grid = np.linspace(low, high, 501)
    assert np.all(point.penalised(closed, lam) <= point.penalised(grid, lam) + 1e-9 * (1 + abs(point.f_w0)))


@settings(max_examples=60, deadline=None)
@given(w0=st.floats(-1.5, 3.5), lam=st.floats(0.5, 50))
def test_closed_form_on_quartic_is_grid_argmin(w0, lam):
    point = taylor.expand(QUARTIC, w0)
    closed = float(point.lagrangian_step(lam))
    brute = taylor.brute_force_lagrangian_step(w0, point.f_w0, float(point.grad_w0), lam, -80, 80, 400_001)
    assert abs(brute - closed) <= 160 / 400_000


@settings(max_examples=60, deadline=None)
@given(coeffs=st.lists(st.floats(0.1, 5), min_size=2, max_size=4), seed=st.integers(0, 10_000), lam=lams)
def test_closed_form_minimises_penalised_model_in_d_dimensions(coeffs, seed, lam):
    objective = DiagonalQuadratic(tuple(coeffs))
    rng = np.random.default_rng(seed)
    point = taylor.expand(objective, rng.normal(size=len(coeffs)) * 3)
    w1 = point.lagrangian_step(lam)
    others = w1 + rng.normal(size=(200, len(coeffs)))
    assert np.all(point.penalised(w1, lam) <= point.penalised(others, lam) + 1e-9)
    # Stationarity by central differences: grad + 2 lam (w1 - w0) = 0.
    h = 1e-5
    for i in range(len(coeffs)):
        e = np.zeros(len(coeffs)); e[i] = h
        fd = (point.penalised(w1 + e, lam) - point.penalised(w1 - e, lam)) / (2 * h)
        assert abs(fd) < 1e-5 * (1 + point.grad_norm)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), alpha=st.floats(0.01, 10), dim=st.integers(1, 5))
def test_trust_region_step_on_boundary_and_matches_lagrangian(seed, alpha, dim):
    rng = np.random.default_rng(seed)
    w0, g = rng.normal(size=dim), rng.normal(size=dim) + 0.1
    w1 = taylor.trust_region_step(w0, g, alpha)
    assert np.linalg.norm(w1 - w0) == pytest.approx(alpha, rel=1e-12)
    lam = taylor.lam_from_alpha(g, alpha)
    assert lam == pytest.approx(np.linalg.norm(g) / (2 * alpha))
    np.testing.assert_allclose(taylor.lagrangian_step(w0, g, lam), w1, rtol=1e-12, atol=1e-12)
    assert taylor.alpha_from_lam(g, lam) == pytest.approx(alpha)
    # No point of the ball has a smaller linear model.
    d = rng.normal(size=(300, dim))
    inside = w0 + d / np.linalg.norm(d, axis=1, keepdims=True) * alpha * rng.uniform(0, 1, size=(300, 1))
    assert np.all(taylor.linear_model(w1, w0, 0.0, g) <= taylor.linear_model(inside, w0, 0.0, g) + 1e-12)


def test_lecture_numbers():
    # (w - 6)^2 from 23: lam = 1 is gamma = 0.5 and lands on 6 in one step; curvature 2 -> lam = 1.
    assert taylor.lam_for_curvature(LECTURE_1D.curvature) == 1.0
    assert taylor.gamma_from_lam(1.0) == 0.5 and taylor.gamma_from_lam(5.0) == pytest.approx(0.1)
    report = taylor.take_step(LECTURE_1D, 23.0, 1.0)
    assert float(report.w1) == 6.0 and report.f_w1 == 0.0 and report.predicted_decrease == 289.0
    assert float(taylor.take_step(LECTURE_1D, 23.0, 5.0).w1) == pytest.approx(19.6)  # gamma = 0.1
    # The gradient picture: grad (4, 6) at (2, 1.5).
    point = taylor.expand(GRADIENT_PICTURE, [2.0, 1.5])
    np.testing.assert_allclose(point.grad_w0, [4.0, 6.0])
    assert point.linear([2.0, 1.5]) == pytest.approx(8.5)


def test_zero_gradient():
    np.testing.assert_array_equal(taylor.trust_region_step([0.0, 0.0], [0.0, 0.0], 1.0), [0.0, 0.0])
    assert taylor.lam_from_alpha([0.0, 0.0], 1.0) == 0.0


@pytest.mark.parametrize("call, name", [
    (lambda: taylor.lagrangian_step(1.0, 1.0, 0.0), "lam"),
    (lambda: taylor.lagrangian_step(1.0, 1.0, -1.0), "lam"),
    (lambda: taylor.penalised_model(0.0, 1.0, 0.0, 1.0, 0.0), "lam"),
    (lambda: taylor.gamma_from_lam(0), "lam"),
    (lambda: taylor.take_trust_region_step(GRADIENT_PICTURE, [1.0, 2.0], 0.0), "alpha"),
    (lambda: taylor.trust_region_step([0.0, 0.0], [1.0, 0.0], 0.0), "alpha"),
    (lambda: taylor.lam_from_alpha([1.0, 0.0], -2.0), "alpha"),
    (lambda: taylor.alpha_from_lam([1.0, 0.0], 0.0), "lam"),
    (lambda: taylor.lagrangian_step([0.0, 0.0], [1.0, 0.0, 0.0], 1.0), "grad_w0"),
    (lambda: taylor.lagrangian_step(np.zeros((2, 2)), np.zeros((2, 2)), 1.0), "w0"),
    (lambda: taylor.linear_model([1.0, 2.0, 3.0], [0.0, 0.0], 0.0, [1.0, 1.0]), "w"),
    (lambda: taylor.linear_model(0.0, 0.0, float("nan"), 1.0), "f_w0"),
    (lambda: taylor.lam_for_curvature(0.0), "curvature"),
    (lambda: taylor.grid_argmin([1.0, 2.0], [0.0, 1.0, 2.0]), "values"),
    (lambda: taylor.brute_force_lagrangian_step(0.0, 0.0, 1.0, 1.0, 1.0, 0.0), "high"),
    (lambda: taylor.brute_force_lagrangian_step(0.0, 0.0, 1.0, 1.0, 0.0, 1.0, num=1), "num"),
    (lambda: taylor.brute_force_lagrangian_step([0.0, 0.0], 0.0, [1.0, 1.0], 1.0, 0.0, 1.0), "w0"),
    (lambda: taylor.expand(GRADIENT_PICTURE, [1.0, 2.0, 3.0]), "w"),
])
def test_errors_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="lam"):
        taylor.lagrangian_step(1.0, 1.0, "1")
    with pytest.raises(TypeError, match="objective"):
        taylor.expand(object(), 1.0)


# --- figures and the live panel ---------------------------------------------------------

def _assert_text_inside_figure(fig, where):
    """Every visible text artist (readout, legend, labels, title) is drawn inside the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    hidden = set()  # tick labels of ticks outside the view are kept by Matplotlib but not drawn
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 * (hi - lo) <= tick.get_loc() <= hi + 1e-9 * (hi - lo):
                    hidden.update(map(id, (tick.label1, tick.label2)))
    for text in fig.findobj(matplotlib.text.Text):
        if id(text) in hidden or not text.get_visible() or not text.get_text().strip():
            continue
        b = text.get_window_extent(renderer)
        assert (b.x0 >= box.x0 - 1 and b.x1 <= box.x1 + 1 and b.y0 >= box.y0 - 1 and b.y1 <= box.y1 + 1), \
            f"text {text.get_text()[:30]!r} leaves the figure at {where}: {b} outside {box}"


def test_panel_extremes_raise_and_warn_nothing():
    from lecture_utils.widgets.taylor import SETTINGS, TaylorStepPanel

    panel = TaylorStepPanel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, s in SETTINGS.items():
            panel.set(objective=name)
            w_lo, w_hi = s["w0"][:2]
            l_lo, l_hi = s["lam"][:2]
            for values in ({"w0": w_lo}, {"w0": w_hi}, {"lam": l_lo}, {"lam": l_hi},
                           {"w0": w_lo, "lam": l_lo}, {"w0": w_hi, "lam": l_lo},
                           {"w0": w_lo, "lam": l_hi}, {"w0": w_hi, "lam": l_hi}):
                panel.set(**values)
                assert panel.live.png.startswith(b"\x89PNG")
                assert panel.ax.get_ylim() == pytest.approx(s["ylim"])  # the view never blows up
                assert "γ = 1/(2λ)" in panel.summary()
                _assert_text_inside_figure(panel.fig, values)
    panel.set(objective="(w - 6)^2", w0=23.0, lam=1.0)
    assert "w⁽¹⁾ = 6.0000" in panel.summary()
    with pytest.raises(ValueError, match="lam"):
        panel.set(lam=100.0)
    with pytest.raises(ValueError, match="objective"):
        TaylorStepPanel("nope")


def test_trust_region_report_numbers():
    report = taylor.take_trust_region_step(GRADIENT_PICTURE, (2.0, 1.5), 1.0)
    assert report.lam == pytest.approx(np.sqrt(52) / 2)  # ||(4, 6)|| / (2 alpha)
    assert report.gamma == pytest.approx(1.0 / np.sqrt(52))  # alpha / ||grad||
    assert np.linalg.norm(report.w1 - np.array([2.0, 1.5])) == pytest.approx(1.0)
    assert report.model_w1 == pytest.approx(8.5 - np.sqrt(52))  # f(w0) - alpha ||grad||
    assert report.f_w1 == pytest.approx(GRADIENT_PICTURE.value(report.w1))
    flat = taylor.take_trust_region_step(GRADIENT_PICTURE, (0.0, 0.0), 0.5)
    assert flat.lam == 0.0 and np.isnan(flat.gamma) and np.all(flat.w1 == 0.0)


def test_figures_draw_the_reports_they_are_given():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lecture_utils.plotting.taylor import draw_step_outcome, draw_taylor_1d, draw_trust_region_2d

    fig, axes = plt.subplots(1, 3)
    report = taylor.take_trust_region_step(GRADIENT_PICTURE, (2.0, 1.5), 1.0)
    artists = draw_trust_region_2d(axes[0], GRADIENT_PICTURE, report)
    np.testing.assert_allclose(artists.end.get_data(), [[report.w1[0]], [report.w1[1]]])
    assert artists.disc.get_radius() == 1.0
    artists.update(taylor.take_trust_region_step(GRADIENT_PICTURE, (0.0, 0.0), 0.5))
    assert "stationary" in artists.readout.get_text()
    step = taylor.take_step(LECTURE_1D, 23.0, 5.0)
    artists_1d = draw_taylor_1d(axes[1], LECTURE_1D, step, xlim=(-18, 24), ylim=(-100, 320))
    assert artists_1d.true_value.get_data() == ([pytest.approx(19.6)], [pytest.approx(184.96)])
    steps = [taylor.take_step(LECTURE_1D, 23.0, lam) for lam in (0.5, 1.0, 5.0)]
    draw_step_outcome(axes[2], steps, marks=steps[1:2])
    np.testing.assert_allclose(axes[2].lines[0].get_ydata(), [289.0, 0.0, 184.96])
    plt.close(fig)


def test_panel_constructor_and_set_refuse_bad_values_by_name():
    from lecture_utils.widgets.taylor import TaylorStepPanel

    panel = TaylorStepPanel("non-convex quartic")
    assert panel.controls["w0"].max == 3.2 and "non-convex" in panel.summary()  # the sliders fit the objective
    before = panel.summary()
    with pytest.raises(ValueError, match=r"objective must be one of \['\(w - 6\)\^2', 'non-convex quartic'\]"):
        panel.set(objective="cubic")
    with pytest.raises(ValueError, match="lam must be between 0.1 and 5.0"):
        panel.set(objective="(w - 6)^2", lam=20.0)  # lam = 20 fits the quartic's range, not this one's
    assert panel.summary() == before and panel.controls["objective"].value == "non-convex quartic"
    assert panel.controls["lam"].max == 50.0


def test_static_figures_can_put_legend_and_numbers_under_the_axes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lecture_utils.plotting.taylor import draw_taylor_1d, draw_trust_region_2d

    fig, ax = plt.subplots(figsize=(9, 6.5), dpi=100)
    artists = draw_taylor_1d(ax, LECTURE_1D, taylor.take_step(LECTURE_1D, 23.0, 5.0), xlim=(-18, 24),
                             ylim=(-100, 320), below=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    readout = artists.readout.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert readout.y1 < axes_box.y0 and legend.y1 < axes_box.y0  # both under the plot, which keeps the width
    assert not readout.overlaps(legend)
    assert "λ = 5" in artists.readout.get_text()
    fig2, ax2 = plt.subplots()
    draw_trust_region_2d(ax2, GRADIENT_PICTURE, taylor.take_trust_region_step(GRADIENT_PICTURE, (2.0, 1.5), 1.0),
                         below=True)
    fig2.canvas.draw()
    assert ax2.get_legend().get_window_extent().y1 < ax2.get_window_extent().y0
    labels = [t.get_text() for t in ax2.get_legend().get_texts()]
    assert any(label.startswith("w⁽¹⁾") for label in labels) and "contours of f (dark: low)" in labels
    plt.close("all")


def test_trust_region_stack_titles_each_radius_and_keeps_one_legend():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lecture_utils.plotting import alt
    from lecture_utils.plotting.taylor import draw_trust_region_stack

    reports = [taylor.take_trust_region_step(GRADIENT_PICTURE, (2.0, 1.5), a) for a in (0.5, 1.5)]
    fig, axes = plt.subplots(2, 1)
    drawn = draw_trust_region_stack(axes, GRADIENT_PICTURE, reports)
    assert [a.disc.get_radius() for a in drawn] == [0.5, 1.5]
    assert axes[0].get_legend() is None and axes[1].get_legend() is not None
    assert "α = 1.5" in axes[1].get_title()
    assert "w⁽¹⁾ = (1.17, 0.252)" in alt.describe_figure(fig)
    with pytest.raises(ValueError, match="same length"):
        draw_trust_region_stack(axes, GRADIENT_PICTURE, reports[:1])
    plt.close(fig)


def test_summary_row_replays_the_step():
    from lecture_utils.widgets.taylor import SUMMARY_HEADER, TaylorStepPanel, summary_row
    panel = TaylorStepPanel()
    panel.set(objective="non-convex quartic")
    panel.set(w0=1.5, lam=2.0)
    row = summary_row(panel)
    assert row.startswith("non-convex quartic") and len(row) == len(SUMMARY_HEADER)
    assert row.split()[-2:] == ["5.6448", "-3.9864"]  # predicted and actual decrease, as the notebook quotes them
