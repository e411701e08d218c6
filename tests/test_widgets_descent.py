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


# --- what reaches the browser: one message per reshaped slider, and page values the kernel ignores ---

def sent_states(control):
    """Record the state messages ``control`` sends to the browser (its comm is replaced by a recorder)."""
    sent = []

    class Recorder:
        kernel = object()  # ipywidgets only sends with a kernel present
        comm_id = "recorder"

        def on_msg(self, callback):
            pass

        def send(self, data, buffers=None):
            sent.append(data["state"])

    control._trait_values["comm"] = Recorder()  # past the trait's type check (ipywidgets 7 wants a kernel Comm)
    return sent


def test_a_schedule_chosen_in_the_page_reshapes_decay_in_one_message():
    """The chooser's observer (the page's drop-down, not set()): range, step, value, label and state of the
    decay slider arrive together, never an intermediate range the browser would clamp its handle to."""
    panel = GradientDescent1DPanel(schedule="inverse-time")
    panel.set(decay=0.2)
    sent = sent_states(panel.controls["decay"])
    panel.controls["schedule"].set_state({"index": list(panel.controls["schedule"].options).index("exponential")})
    assert len(sent) == 1, sent
    assert sent[0] == {"min": 0.5, "max": 1.0, "step": 0.01, "value": 0.9, "description": "rate r"}
    # the browser applies a message's attributes in order: a value before its range lands on the old track
    assert list(sent[0])[-1] == "value" and list(sent[0])[:2] == ["min", "max"]
    assert panel.schedule()(1) == pytest.approx(0.1 * 0.9)  # the run uses the new rate too
    sent.clear()
    panel.controls["schedule"].set_state({"index": list(panel.controls["schedule"].options).index("constant")})
    assert sent == [{"description": "decay (off)", "disabled": True}]  # same range and value: only what changed


def test_the_page_cannot_move_a_slider_by_float_noise_or_a_stale_range():
    panel = GradientDescent1DPanel(gamma=0.1, schedule="exponential")
    gamma, decay = panel.controls["gamma"], panel.controls["decay"]
    before = panel.summary()
    gamma.set_state({"value": 0.09999999999999999})  # noUiSlider's 0.01 + 9 * 0.01
    assert gamma.value == 0.1 and panel.summary() == before
    decay.set_state({"value": 0.49999999999999994})  # rendered from the 'step' range 0.1..1.0: below 0.5 now
    assert decay.value == 0.9 and panel.summary() == before
    gamma.set_state({"value": 0.5})  # a real move in the page still moves it, and redraws
    assert gamma.value == 0.5 and panel.summary() != before


def test_the_page_is_given_values_its_slider_keeps():
    """0.1 on γ₀'s track (0.01 to 1.2, step 0.01) is 0.09999999999999999 in Chromium's noUiSlider (seen in
    the browser test); the kernel sends that, keeps 0.1 for its own sums, and a value sent back is the same."""
    from lecture_utils.widgets.core import page_slider_value

    panel = GradientDescent1DPanel(gamma=0.1)
    gamma = panel.controls["gamma"]
    assert page_slider_value(0.1, 0.01, 1.2, 0.01) == 0.09999999999999999
    assert gamma.get_state("value") == {"value": 0.09999999999999999} and gamma.value == 0.1
    for value in np.arange(1, 121) / 100:  # every value the track can show is kept as it is
        shown = gamma.get_state("value")["value"] if gamma.set_state({"value": float(value)}) is None else None
        assert page_slider_value(shown, gamma.min, gamma.max, gamma.step) == shown
        assert gamma.value == round(float(value), 12)
