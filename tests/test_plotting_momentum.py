"""Notebook 07's figure functions: contour labels kept clear of a marked point, and each plot_* draws a figure."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_utils.functions import QUARTIC, DiagonalQuadratic
from lecture_utils.momentum import heavy_ball, run_method
from lecture_utils.plotting import momentum as mp


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _labels(ax):
    return [t for t in ax.texts if t.get_text() in {"0.85", "0.90", "0.95", "0.98"} and t.get_visible()]


@pytest.mark.skipif(tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) < (3, 9),
                    reason="matplotlib 3.8 places the automatic contour labels elsewhere: the one this moves is not there")
def test_rate_map_keeps_its_labels_off_the_marked_point():
    point = (1.0, 0.9)
    free = plt.figure().add_subplot()
    mp.draw_rate_map(free, [0.01, 1.0], bands=10)
    assert any(abs(t.get_position()[0] - 1.0) < 0.32 and abs(t.get_position()[1] - 0.9) < 0.08 for t in _labels(free))
    fig = mp.plot_rate_map([0.01, 1.0], point, "start")
    ax = fig.axes[0]
    labels = _labels(ax)
    assert {t.get_text() for t in labels} >= {"0.85", "0.90", "0.95", "0.98"}
    for t in labels:
        x, y = t.get_position()
        assert not (abs(x - point[0]) < 0.32 and abs(y - point[1]) < 0.08), t.get_text()
    assert "start" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_functions_draw_labelled_figures():
    ravine = DiagonalQuadratic((0.005, 0.5))
    w0 = np.array([-10.0, 1.0])
    run = heavy_ball(ravine.grad, w0, 1.0, 50, beta=0.9, f=ravine.value)
    adam = run_method("Adam", ravine.grad, w0, 0.1, 50, beta=0.9, f=ravine.value)
    one = mp.plot_ravine_paths(ravine, [(run, "momentum", "hb")])
    assert len(one.axes) == 1 and one.axes[0].get_xlabel()
    two = mp.plot_ravine_paths(ravine, [(run, "momentum", "hb")], losses=[(run, "momentum, β = 0.9", "hb")])
    assert len(two.axes) == 2 and two.axes[1].get_legend() is not None
    three = mp.plot_ravine_paths(ravine, [(adam, "Adam", "adam")], steps=[adam])
    assert len(three.axes) == 2
    quartic = run_method("momentum", QUARTIC.grad, 3.5, 0.01, 30, beta=0.9, f=QUARTIC.value)
    curve = mp.plot_runs_on_curve(QUARTIC, [quartic], ["momentum"], title="t")
    assert curve.axes[0].get_title() == "t"
    costs = mp.plot_cost_curves([quartic], ["momentum"], reference=(1.0, "one"), ylabel="y", title="c")
    assert "one" in [t.get_text() for t in costs.axes[0].get_legend().get_texts()]


def test_runs_are_coloured_by_method_name():
    ravine = DiagonalQuadratic((0.005, 0.5))
    run = heavy_ball(ravine.grad, np.array([-10.0, 1.0]), 1.0, 20, beta=0.9, f=ravine.value)
    fig = mp.plot_ravine_paths(ravine, [(run, "GD, short step", "gd")], losses=[(run, "momentum", "hb")])
    colors = {line.get_label(): line.get_color() for ax in fig.axes for line in ax.get_lines()}
    assert colors["gd"] == mp.RUN_COLORS["GD, short step"] and colors["hb"] == mp.METHOD_COLORS["momentum"]
    with pytest.raises(KeyError, match="no colour"):
        mp.run_color("#56B4E9")  # colours live in the module, cells name the run


def test_every_run_has_its_own_colour_and_a_second_cue():
    names = list(mp.RUN_COLORS)
    assert len(set(mp.RUN_COLORS.values())) == len(names)  # "momentum, β = 0.9" is no longer RMSProp's pink
    assert mp.run_color("momentum, β = 0.9") != mp.run_color("RMSProp")
    cues = {(str(mp.run_linestyle(n)), mp.run_marker(n)) for n in names}
    assert len(cues) == len(names)  # colour is never the only difference between two runs


def test_coincident_ends_are_named_and_the_first_path_is_on_top():
    gd = run_method("GD", QUARTIC.grad, 3.5, 0.01, 150, f=QUARTIC.value)
    nes = run_method("Nesterov", QUARTIC.grad, 3.5, 0.01, 150, beta=0.9, f=QUARTIC.value)
    fig = mp.plot_runs_on_curve(QUARTIC, [gd, nes], ["GD", "Nesterov"], title="t")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Nesterov (ends where GD does)" in texts and "GD" in texts
    assert fig.axes[0].get_xlim()[0] <= -1.6  # momentum's leftmost swing (-1.54) is inside

    ravine = DiagonalQuadratic((0.005, 0.5))
    w0 = np.array([-10.0, 1.0])
    rms = run_method("RMSProp", ravine.grad, w0, 0.1, 30, beta=0.9, f=ravine.value)
    adam = run_method("Adam", ravine.grad, w0, 0.1, 30, beta=0.9, f=ravine.value)
    fig = mp.plot_ravine_paths(ravine, [(rms, "RMSProp", "rms"), (adam, "Adam", "adam")])
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert lines["rms"].get_zorder() > lines["adam"].get_zorder()
    assert lines["rms"].get_linewidth() < lines["adam"].get_linewidth()
    assert lines["rms"].get_marker() != lines["adam"].get_marker()


def test_cost_legend_sits_below_the_axes_and_rate_labels_are_dark():
    quartic = run_method("momentum", QUARTIC.grad, 3.5, 0.01, 30, beta=0.9, f=QUARTIC.value)
    fig = mp.plot_cost_curves([quartic], ["momentum"], reference=(1.0, "one"), ylabel="y", title="c")
    legend = fig.axes[0].get_legend()
    fig.canvas.draw()
    assert legend.get_window_extent().y1 < fig.axes[0].get_window_extent().y0  # under the plot, over no curve
    fig = mp.plot_rate_map([0.01, 1.0], (1.0, 0.9), "start")
    labels = _labels(fig.axes[0])
    assert labels and all(matplotlib.colors.to_hex(t.get_color()) == "#000000" for t in labels)
    assert all(t.get_path_effects() for t in labels)
    marker = [line for line in fig.axes[0].get_lines() if line.get_label() == "start"][0]
    assert marker.get_color() == mp.run_color("momentum, β = 0.9")


def test_risk_paths_explain_their_colours_and_keep_the_minima_on_top():
    from lecture_utils.landscape import START, two_basin_risk

    risk = two_basin_risk()
    gd = run_method("GD", risk.grad, START, 0.018, 5, beta=0.0, f=risk.value)
    fig = mp.plot_risk_paths(risk, [(gd, "GD", "gd")], title="t")
    assert len(fig.axes) == 2 and "dark = low" in fig.axes[1].get_ylabel()  # the colour bar of the risk
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert lines["deep minimum"].get_zorder() > lines["gd"].get_zorder()
