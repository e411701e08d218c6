"""Slider extremes for every live panel: each control at its minimum, maximum and middle, alone
and combined, raises nothing, warns nothing, publishes a PNG and keeps every axis within sane limits.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.text import Text

pytestmark = pytest.mark.slow  # every control of every panel at its extremes (make test-slow)

import lecture_utils.widgets
from lecture_utils.widgets.core import LiveFigure, Panel

SANE_LIMIT = 1e8  # no axis may stretch beyond this (a diverging run must not blow the view up)


def panel_classes():
    for info in pkgutil.iter_modules(lecture_utils.widgets.__path__):
        module = importlib.import_module(f"lecture_utils.widgets.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Panel) and obj is not Panel and obj.__module__ == module.__name__:
                yield obj


PANELS = sorted(set(panel_classes()), key=lambda c: c.__name__)


def control_values(control) -> list:
    """Min, max and middle of a slider; every option of a chooser; both states of a checkbox."""
    if is_slider(control):
        middle = (control.min + control.max) / 2
        if isinstance(control, widgets.IntSlider):
            middle = int(round(middle))
        return [control.min, control.max, middle]
    if isinstance(control, widgets.Checkbox):
        return [False, True]
    options = getattr(control, "options", None)
    if options is not None:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    return [control.value]


def is_slider(control) -> bool:
    return isinstance(control, (widgets.FloatSlider, widgets.IntSlider))


def live_figures(panel) -> list[LiveFigure]:
    return [v for v in vars(panel).values() if isinstance(v, LiveFigure)]


def check_panel(panel) -> None:
    figures = live_figures(panel)
    assert figures, f"{type(panel).__name__} has no LiveFigure"
    for live in figures:
        assert live.png.startswith(b"\x89PNG")
        for ax in live.fig.axes:
            for low, high in (ax.get_xlim(), ax.get_ylim()):
                assert np.isfinite([low, high]).all() and max(abs(low), abs(high)) <= SANE_LIMIT, (
                    f"{type(panel).__name__}: axis '{ax.get_title()}' limits ({low}, {high})")
        check_text_inside(panel, live)
    summary = panel.summary()
    assert isinstance(summary, str) and summary


def check_text_inside(panel, live: LiveFigure) -> None:
    """Every visible, non-empty text of the figure (titles, ticks, legends, messages, number boxes with
    their frames) lies inside the picture: nothing is cut at its edge ("-0.627" shown as "-0.62")."""
    renderer = live.canvas.get_renderer()
    frame = live.fig.bbox.padded(1.0)  # a pixel of slack for antialiasing
    extents = []
    tick_labels = set()
    for ax in live.fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            tick_labels.update(id(label) for tick in ticks for label in (tick.label1, tick.label2))
            if ax.axison and axis.get_visible():  # only ticks inside the view are drawn: the axis extent holds those
                extents.append((f"{axis.axis_name} tick labels of '{ax.get_title()}'", axis.get_tightbbox(renderer)))
    for text in live.fig.findobj(Text):
        if id(text) in tick_labels or not text.get_visible() or not text.get_text().strip() or not _shown(text):
            continue
        patch = text.get_bbox_patch()
        extents.append((repr(text.get_text()), patch.get_window_extent(renderer) if patch is not None
                        else text.get_window_extent(renderer)))
    for what, extent in extents:
        if extent is None:
            continue
        assert (frame.x0 <= extent.x0 and extent.x1 <= frame.x1 and frame.y0 <= extent.y0 and extent.y1 <= frame.y1), (
            f"{type(panel).__name__}: text {what} at {tuple(round(x) for x in extent.bounds)} leaves the "
            f"{live.fig.bbox.width:.0f} x {live.fig.bbox.height:.0f} px figure")


def _shown(artist) -> bool:
    """Whether every parent of the artist is visible too (a hidden axes' tick labels are not drawn)."""
    axes = getattr(artist, "axes", None)
    return axes is None or axes.get_visible()


def settings_to_try(panel, rng) -> list[dict]:
    names = [n for n, c in panel.controls.items() if not getattr(c, "disabled", False)]
    tries = [{}]
    for name in names:
        tries += [{name: v} for v in control_values(panel.controls[name])]
    for pick in (0, 1):  # everything at its minimum, then everything at its maximum
        tries.append({n: control_values(panel.controls[n])[min(pick, len(control_values(panel.controls[n])) - 1)]
                      for n in names})
    for _ in range(8):  # random combinations of extremes
        tries.append({n: control_values(panel.controls[n])[rng.integers(len(control_values(panel.controls[n])))]
                      for n in names})
    return tries


@pytest.mark.parametrize("panel_class", PANELS, ids=[c.__name__ for c in PANELS])
def test_every_control_at_its_extremes(panel_class):
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = panel_class()
        check_panel(panel)
        for values in settings_to_try(panel, rng):
            # Choosers first: they may reshape the sliders that follow.
            ordered = dict(sorted(values.items(), key=lambda kv: is_slider(panel.controls[kv[0]])))
            try:
                panel.set(**ordered)
            except ValueError as error:
                # A chooser may have reshaped a slider so that a value drawn before is out of range now.
                assert "must be between" in str(error), error
                continue
            check_panel(panel)


def test_all_notebook_panels_are_found():
    assert "GradientDescent1DPanel" in {c.__name__ for c in PANELS}
    assert "MomentumPanel" in {c.__name__ for c in PANELS}  # notebook 07


# --- bad values: one rule for every panel (widgets.core) ------------------------------------------
_BUILT: dict = {}


def built_once(cls):
    if cls not in _BUILT:
        _BUILT[cls] = cls()
    return _BUILT[cls]


@pytest.fixture(params=PANELS, ids=[c.__name__ for c in PANELS])
def built(request):
    return built_once(request.param)


def controls_of(panel, kind):
    return [name for name, control in panel.controls.items()
            if (is_slider(control) if kind == "slider" else getattr(control, "options", None) is not None
                and not is_slider(control)) and not getattr(control, "disabled", False)]


def test_set_changes_nothing_when_any_value_is_refused(built):
    """A good value first and a bad one after: the error names the bad one and no control moves."""
    names = controls_of(built, "slider")
    before = {n: c.value for n, c in built.controls.items()}
    summary = built.summary()
    first = names[0]
    good = control_values(built.controls[first])[1]  # its maximum: a change, unless it is already there
    for bad_name, bad_value, match in [(names[-1], built.controls[names[-1]].max + 1e6, "must be between"),
                                       (names[-1], "high", "must be a number"),
                                       ("no_such_control", 1, "unknown control 'no_such_control'")]:
        with pytest.raises((ValueError, TypeError), match=match) as error:
            built.set(**{first: good, bad_name: bad_value})
        assert bad_name in str(error.value)
        assert {n: c.value for n, c in built.controls.items()} == before
        assert built.summary() == summary


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_values_name_the_control(built, bad):
    for name in controls_of(built, "slider"):
        with pytest.raises(ValueError, match=f"^{name} must be a finite number between"):
            built.set(**{name: bad})


def test_a_bad_choice_names_the_control_and_its_options(built):
    for name in controls_of(built, "chooser"):
        options = control_values(built.controls[name])
        with pytest.raises(ValueError, match=f"^{name} must be one of") as error:
            built.set(**{name: "no such option"})
        assert all(repr(option) in str(error.value) for option in options)
        with pytest.raises(ValueError, match=f"^{name} must be one of"):
            built.set(**{name: np.array(options[:1])})  # not a plain value: refused, not compared element-wise


def test_constructor_refuses_out_of_range_slider_arguments():
    """No panel clamps a constructor argument silently: it raises, naming the argument or its slider."""
    for cls in PANELS:
        parameters = inspect.signature(cls).parameters
        panel = None
        for name in parameters:
            if panel is None:
                panel = built_once(cls)
            control = panel.controls.get(name)
            if control is None or not is_slider(control):
                continue
            too_big = control.max + 10 * (control.max - control.min + 1)
            with pytest.raises(ValueError, match=r"must be between") as error:
                cls(**{name: too_big})
            assert name in str(error.value) or control.description in str(error.value)


def test_constructor_refuses_a_bad_choice_by_name():
    """A constructor argument for a chooser (drop-down, selection slider) must be one of its options."""
    for cls in PANELS:
        panel = built_once(cls)
        for name in inspect.signature(cls).parameters:
            control = panel.controls.get(name)
            if control is None or is_slider(control) or getattr(control, "options", None) is None:
                continue
            with pytest.raises(ValueError, match=f"^{name} must be one of"):
                cls(**{name: "no such option"})
