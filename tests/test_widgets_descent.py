"""Notebook 01's panel: every control at both ends of its range, alone and combined, renders quietly."""

import itertools
import warnings

import numpy as np
import pytest

from lecture_utils.widgets.descent import GradientDescent1DPanel


@pytest.fixture(scope="module")
def panel():
    return GradientDescent1DPanel()


def extremes(control):
    if hasattr(control, "options"):
        return list(control.options)
    return [control.min, control.max, (control.min + control.max) / 2]


def test_initial_state_is_the_lecture_example(panel):
    panel.set(schedule="constant", gamma=0.1, w0=23.0, num_steps=10)
    np.testing.assert_allclose(panel.trajectory.iterates, 6 + 17 * 0.8 ** np.arange(11))
    assert panel.live.png.startswith(b"\x89PNG")
    assert "creep in" in panel.readout.value


def test_every_control_at_its_extremes_alone_and_combined(panel):
    names = ["gamma", "w0", "num_steps"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for schedule in panel.controls["schedule"].options:
            panel.set(schedule=schedule)
            decays = extremes(panel.controls["decay"])
            for values in itertools.product(*(extremes(panel.controls[n])[:2] for n in names), decays[:2]):
                settings = dict(zip(names, values))
                panel.set(decay=values[-1], **settings)
                t = panel.trajectory
                assert np.all(np.isfinite(t.iterates))
                ylim = panel.curve.ax.get_ylim()
                assert ylim == (0.0, 300.0)  # the view never blows up
                if t.diverged:
                    assert "diverged" in panel.curve.message.get_text()


def test_divergence_and_oscillation_are_announced_on_the_plot(panel):
    panel.set(schedule="constant", gamma=1.2, w0=23.0, num_steps=100)
    assert panel.trajectory.diverged and "diverged" in panel.curve.message.get_text()
    panel.set(gamma=1.05, num_steps=10)
    assert "diverging" in panel.curve.message.get_text()
    panel.set(gamma=1.0)
    assert "oscillate forever" in panel.curve.message.get_text()
    panel.set(gamma=0.5)
    assert panel.curve.message.get_text() == ""
    assert "one step" in panel.summary()


def test_schedule_switch_reshapes_decay_slider(panel):
    panel.set(schedule="inverse-time", decay=2.0)
    assert panel.controls["decay"].max == 2.0 and not panel.controls["decay"].disabled
    assert "InverseTimeDecay(gamma0" in panel.summary()
    panel.set(schedule="constant")
    assert panel.controls["decay"].disabled


@pytest.mark.parametrize("values, error, match", [
    (dict(gamma=5.0), ValueError, "gamma must be between"),
    (dict(gamma="big"), TypeError, "gamma"),
    (dict(num_steps=3.5), TypeError, "num_steps"),
    (dict(schedule="cosine"), ValueError, "schedule must be one of"),
    (dict(speed=1), ValueError, "unknown control 'speed'"),
])
def test_set_rejects_bad_values(panel, values, error, match):
    with pytest.raises(error, match=match):
        panel.set(**values)


def test_constructor_rejects_out_of_range_values():
    with pytest.raises(ValueError, match="w0"):
        GradientDescent1DPanel(w0=100.0)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(gamma=5.0), ValueError, r"^gamma must be between 0.01 and 1.2, got 5.0"),
    (dict(num_steps=float("nan")), ValueError, r"^num_steps must be a finite number"),
    (dict(num_steps=float("inf")), ValueError, r"^num_steps must be a finite number"),
    (dict(schedule="cosine"), ValueError, r"^schedule must be one of \['constant', 'exponential'"),
    (dict(w0="far"), TypeError, r"^w0 must be a number"),
])
def test_constructor_arguments_are_checked_like_set(kwargs, error, match):
    with pytest.raises(error, match=match):
        GradientDescent1DPanel(**kwargs)


def test_constructor_with_a_schedule_reshapes_the_decay_slider():
    panel = GradientDescent1DPanel(gamma=1.05, num_steps=30, schedule="inverse-time")
    assert panel.controls["decay"].max == 2.0 and panel.controls["decay"].value == 0.2
    assert "InverseTimeDecay(gamma0=1.05, decay=0.2)" in panel.summary()


def test_a_refused_set_leaves_the_run_and_the_sliders_alone(panel):
    panel.set(schedule="constant", gamma=0.1, w0=23.0, num_steps=10)
    before = panel.summary()
    with pytest.raises(ValueError, match="decay must be between 0.1 and 1.0"):
        panel.set(schedule="step", gamma=0.9, decay=2.0)  # decay 2.0 fits inverse-time, not step
    assert panel.summary() == before and panel.controls["schedule"].value == "constant"
    assert panel.controls["decay"].disabled and panel.controls["decay"].max == 1.0


def test_huge_integers_are_refused_by_name(panel):
    for name in ("num_steps", "gamma"):
        with pytest.raises(ValueError, match=f"^{name} must be a finite number between .* got 1000000000000000"):
            panel.set(**{name: 10**400})
