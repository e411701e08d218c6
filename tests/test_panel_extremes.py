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
    assert isinstance(panel.summary(), str) and panel.summary()


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
