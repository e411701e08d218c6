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
