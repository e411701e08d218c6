"""Presenter mode (``make present``): a lesson's live panels one at a time, stepped through their tours.

A ``Presenter`` shows one panel at a time with its tour's caption in large type under the
figure, and Back / Next / First buttons that step through the tours of ``lecture_utils.tours``
(after the last state of one panel, Next goes on to the next panel of the lesson). The
sliders keep working between steps; a state moved by hand greys the caption, and the line
``panel.set(...)`` under it always shows the current state, ready to paste into the notebook.

ipywidgets has no key events: the Voilà template of ``make present`` (tools/present/) turns
the keys listed in ``tours.KEYS`` (PageDown/PageUp, the arrows: what a presentation clicker
sends) into clicks on these buttons, and blanks the screen on ``B``. Works with ipywidgets
7 and 8 (only buttons, HTML and boxes, found by their CSS classes).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from .. import tours
from .core import Panel


@dataclass
class Section:
    """One panel of a lesson with its tour: the name its lesson gives it, its title and its stops."""

    name: str
    panel: Panel
    stops: list[tours.Stop]
    title: str


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool) and isinstance(value, (int, float)):
        return math.isclose(float(value), float(wanted), rel_tol=1e-9, abs_tol=1e-12)
    return value == wanted


class Presenter:
    """One panel a screen, its tour's caption under the figure, and buttons (and keys) to step through."""

    def __init__(self, sections: list[Section]) -> None:
        if not sections or any(not s.stops for s in sections):
            raise ValueError("sections must be a non-empty list of sections, each with at least one stop")
        self.sections = sections
        self.stops = [(k, j) for k, section in enumerate(sections) for j in range(len(section.stops))]
        self.index = 0
        self._moving = False
        self.title = widgets.HTML()
        self.caption = widgets.HTML()
        self.code = widgets.HTML()
        self.counter = widgets.HTML()
        self.summary_text = widgets.HTML(layout=widgets.Layout(display="none"))  # read by the browser tests
        keys = widgets.HTML(f"<script type='application/json' class='presenter-keys'>{json.dumps(tours.KEYS)}"
                            "</script>", layout=widgets.Layout(display="none"))
        buttons = {}
        for action, label in (("first", "◀◀ First"), ("previous", "◀ Back"), ("next", "Next ▶")):
            button = widgets.Button(description=label, layout=widgets.Layout(width="120px"))
            button.add_class(f"presenter-{action}")
            button.on_click(lambda _b, a=action: getattr(self, a)())
            buttons[action] = button
        self.buttons = buttons
        for section in sections:
            section.panel.widget.add_class("presenter-panel")
            readout = getattr(section.panel, "readout", None)
            if readout is not None:
                readout.add_class("presenter-readout")  # the caption takes its place on the screen
            for control in section.panel.controls.values():
                control.observe(self._on_control, names="value")
        self.stage = widgets.Box([s.panel.widget for s in sections])
        self.stage.add_class("presenter-stage")
        self.title.add_class("presenter-title")
        self.caption.add_class("presenter-caption")
        self.code.add_class("presenter-code")
        self.counter.add_class("presenter-counter")
        self.summary_text.add_class("presenter-summary")
        toolbar = widgets.HBox([buttons["first"], buttons["previous"], buttons["next"], self.counter, self.code])
        toolbar.add_class("presenter-toolbar")
        self.widget = widgets.VBox([self.title, self.stage, self.caption, toolbar, self.summary_text, keys])
        self.widget.add_class("presenter-root")
        self.show(0)

    # --- where we are -----------------------------------------------------
    @property
    def section(self) -> Section:
        """The section (panel and tour) on the screen."""
        return self.sections[self.stops[self.index][0]]

    @property
    def state(self) -> tours.State:
        """The tour state of the current stop (the panel may have been moved away from it by hand)."""
        k, j = self.stops[self.index]
        return self.sections[k].stops[j][0]

    def on_tour(self) -> bool:
        """Whether the panel on the screen still shows its stop's state (no slider moved since)."""
        controls = self.section.panel.controls
        return all(_same(controls[name].value, value) for name, value in self.state.items())

    # --- stepping -----------------------------------------------------------
    def show(self, index: int) -> None:
        """Go to stop ``index`` of the whole presentation (clipped to the first and the last)."""
        self.index = min(max(int(index), 0), len(self.stops) - 1)
        k, j = self.stops[self.index]
        for i, section in enumerate(self.sections):
            section.panel.widget.layout.display = "" if i == k else "none"
        self._moving = True
        try:
            self.sections[k].panel.set(**self.sections[k].stops[j][0])
        finally:
            self._moving = False
        self._refresh()

    def next(self) -> None:
        """The next stop (after a panel's last stop: the next panel's first)."""
        self.show(self.index + 1)

    def previous(self) -> None:
        """The stop before."""
        self.show(self.index - 1)

    def first(self) -> None:
        """Back to the first stop of this panel's tour; from there, to the very first stop."""
        k, j = self.stops[self.index]
        self.show(self.stops.index((k, 0)) if j > 0 or not self.on_tour() else 0)

    # --- text ----------------------------------------------------------------
    def _on_control(self, change: dict) -> None:
        if not self._moving:
            self._refresh()

    def _refresh(self) -> None:
        k, j = self.stops[self.index]
        section = self.sections[k]
        caption = html.escape(section.stops[j][1])
        self.title.value = html.escape(section.title)
        if self.on_tour():
            self.caption.value = f"<div class='presenter-caption-text'>{caption}</div>"
        else:
            self.caption.value = (f"<div class='presenter-caption-text presenter-off-tour'>{caption}"
                                  "<span class='presenter-note'> (moved by hand)</span></div>")
        self.counter.value = f"<span>{j + 1} / {len(section.stops)}</span>"
        self.code.value = f"<code>{html.escape(section.panel.state_code(section.name))}</code>"
        self.summary_text.value = f"<pre>{html.escape(section.panel.summary())}</pre>"

    def _ipython_display_(self) -> None:
        display(self.widget)


def present(notebook: str) -> Presenter:
    """The presenter for a lesson (its file name without .ipynb): each of its toured panels in turn."""
    if not isinstance(notebook, str) or notebook not in tours.TOURS:
        raise ValueError(f"notebook must be one of {list(tours.TOURS)}, got {notebook!r}")
    return Presenter([Section(name, tours.panel_class(notebook, name)(), stops, tours.TITLES[notebook][name])
                      for name, stops in tours.TOURS[notebook].items()])
