"""Shared machinery of the live panels: fast off-screen redraws and a Panel base class.

A live figure is drawn once with Agg; the parts that never change are kept
as a bitmap, and each slider move only redraws the changing artists over it
(blitting) and sends a PNG (``widgets/png.py``) to an ``ipywidgets.Image``.
The output area is never cleared, so nothing flickers.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator, Sequence

import ipywidgets as widgets
import numpy as np
import traitlets
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform

from .png import PNG_SIGNATURE, PngEncoder, adler32_combine, encode_png, png_data_url  # noqa: F401 (re-exported)
from ..plotting.style import outline_faint_lines


class LiveFigure:
    """A matplotlib figure shown as a PNG in an ``ipywidgets.Image`` and updated by blitting."""

    _alt = ""

    @property
    def alt(self) -> str:
        """The picture's text alternative (its panel's result sentence), the image's title in the page."""
        return self._alt

    @alt.setter
    def alt(self, text: str) -> None:
        # Kept here only: an Image widget has no alt trait, and its tooltip breaks ipywidgets 8's view
        # (no description). In the page, tools/image_alt copies the live region's text to the <img>.
        self._alt = text

    def __init__(self, fig: Figure, animated: Sequence[Artist] = (), overlays: Sequence[Artist] = ()) -> None:
        """``animated``: the artists redrawn on every render. ``overlays``: artists that never change
        but must stay on top of the animated ones (a legend), drawn once and then pasted as pixels.

        After the first full draw the axes stay where the layout engine put them: a constrained
        layout costs several times the drawing itself and would be paid again on every full redraw.
        """
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        self._background: Any = None
        self._extents: dict[Axes, Bbox] = {}
        self._stale_axes: list[Axes] = []
        self.overlays = list(overlays)
        for artist in self.overlays:
            artist.set_animated(True)  # kept out of the background
        self._overlay_pixels: list[Any] = []
        self._tracked: set[Axes] = set()  # axes ever named in invalidate(): their extents are kept
        width, height = (int(round(x)) for x in fig.get_size_inches() * fig.dpi)
        self.image = widgets.Image(format="url", width=width, height=height)  # value: a data URL
        self.png = b""
        self._encoder = PngEncoder()

    def invalidate(self, *axes: Axes) -> None:
        """Forget the cached background (call after changing anything not in ``animated``).

        Name the axes that changed (``invalidate(ax)``) to redraw only those
        into the background at the next render, instead of the whole figure.
        The first time an axes is named the whole figure is redrawn once, to
        learn where that axes' labels and ticks were.
        """
        if axes and self._background is not None and all(ax in self._extents for ax in axes):
            self._stale_axes.extend(ax for ax in axes if ax not in self._stale_axes)
        else:
            self._tracked.update(axes)
            self._background = None

    def _cache_overlays(self) -> None:
        """Draw the overlays over the fresh background and keep their pixels (the canvas is restored after)."""
        renderer = self.canvas.get_renderer()
        self._overlay_pixels = []
        for artist in self.overlays:
            self.fig.draw_artist(artist)
            # padded: a legend's extent ends mid-way through its frame line, which would be cut off
            self._overlay_pixels.append(self.canvas.copy_from_bbox(artist.get_window_extent(renderer).padded(2)))
        if self.overlays:
            self.canvas.restore_region(self._background)

    def _extent(self, ax: Axes) -> Bbox:
        """The pixels an axes covers with its labels, ticks and title (as last drawn)."""
        return ax.get_tightbbox(self.canvas.get_renderer())

    def _redraw_stale_axes(self) -> None:
        """Paint over each changed axes (old and new extent) and draw it again, without its animated artists."""
        for ax in self._stale_axes:
            extent = self._extent(ax)  # with the new ticks and labels: drawing keeps it
            region = Bbox.union([self._extents[ax], extent]).padded(2)
            blank = Rectangle((region.x0, region.y0), region.width, region.height, transform=IdentityTransform(),
                              facecolor=self.fig.get_facecolor(), edgecolor="none")
            blank.set_figure(self.fig)
            self.fig.draw_artist(blank)
            self.fig.draw_artist(ax)  # an axes skips its animated artists when drawn
            self._extents[ax] = extent
        self._stale_axes = []

    def render(self) -> bytes:
        """Redraw the changing artists (and the background if invalidated) and publish the PNG."""
        if self._background is None:
            outline_faint_lines(self.fig)  # orange and sky lines get a darker edge (3:1 on white)
            self.canvas.draw()  # everything except the animated artists
            if self.fig.get_layout_engine() is not None:
                self.fig.set_layout_engine("none")  # positions stay as just computed
            self._extents = {ax: self._extent(ax) for ax in self._tracked}
            self._stale_axes = []
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._cache_overlays()
        else:
            self.canvas.restore_region(self._background)
            if self._stale_axes:
                self._redraw_stale_axes()
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
                self._cache_overlays()
        for artist in self.animated:
            self.fig.draw_artist(artist)
        for pixels in self._overlay_pixels:
            self.canvas.restore_region(pixels)
        self.png = self._encoder.encode(np.asarray(self.canvas.buffer_rgba()))
        self.image.value = png_data_url(self.png)
        return self.png


class Panel:
    """Base class: named controls, one ``update`` per change, and ``set`` for code (and nbval)."""

    controls: dict[str, widgets.ValueWidget]
    ANNOUNCE_EVERY = 0.5  # s: a screen reader hears the result of a drag at most twice a second, and its end

    def __init__(self) -> None:
        self._muted = False

    # --- accessibility: the result in words, next to the picture (an aria-live region) -----------
    @property
    def widget(self) -> widgets.Widget:
        """The panel's widget tree (its picture followed by the spoken result, see ``sentence``)."""
        try:
            return self.__dict__["_widget"]
        except KeyError:
            raise AttributeError("widget") from None

    @widget.setter
    def widget(self, tree: widgets.Widget) -> None:
        self.__dict__["_widget"] = tree
        live = getattr(self, "live", None)
        if isinstance(tree, widgets.Box) and isinstance(live, LiveFigure):
            _insert_after(tree, live.image, self.announcer)
        try:
            self._announce()
        except AttributeError:  # a panel that computes its first result after laying out: said at its first update
            pass

    @property
    def announcer(self) -> widgets.HTML:
        """The polite live region under the picture that says ``sentence()`` after each change."""
        if "_announcer" not in self.__dict__:
            self.__dict__["_announcer"] = live_region()
            self.__dict__["_announced_at"] = -math.inf
            self.__dict__["_announce_later"] = None
        return self.__dict__["_announcer"]

    def sentence(self) -> str:
        """The current result in one sentence, for the live region and the picture's alt text.

        By default the lines of ``summary()`` (plain text, rounded numbers) joined; a panel
        overrides it with a shorter sentence where its summary is long.
        """
        summary = getattr(self, "summary", None)
        text = summary() if callable(summary) else ""
        return "; ".join(line.strip() for line in text.splitlines() if line.strip()) + "."

    def _announce(self, throttled: bool = False) -> None:
        """Put ``sentence()`` in the live region and on the picture; at most every ANNOUNCE_EVERY s while dragging."""
        if "_widget" not in self.__dict__:
            return
        self.announcer  # noqa: B018 - created on first use
        waited = time.monotonic() - self.__dict__["_announced_at"]
        if throttled and waited < self.ANNOUNCE_EVERY:
            if self.__dict__["_announce_later"] is None:
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:  # no event loop (a script, a test): say it now
                    loop = None
                if loop is not None:
                    self.__dict__["_announce_later"] = loop.call_later(self.ANNOUNCE_EVERY - waited, self._announce)
                    return
            else:
                return
        later, self.__dict__["_announce_later"] = self.__dict__["_announce_later"], None
        if later is not None:
            later.cancel()
        self.__dict__["_announced_at"] = time.monotonic()
        text = self.sentence()
        self.announcer.value = live_region_html(text)
        live = getattr(self, "live", None)
        if isinstance(live, LiveFigure):
            live.alt = text

    def _watch(self) -> None:
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def _on_change(self, change: dict) -> None:
        if not self._muted:
            self.update()
            self._announce(throttled=True)

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Change several controls without an update after each one."""
        previous, self._muted = self._muted, True
        try:
            yield
        finally:
            self._muted = previous

    def check_value(self, name: str, value: Any) -> None:
        """Raise ValueError/TypeError, naming the control, unless ``value`` is allowed for the control ``name``."""
        if name not in self.controls:
            raise ValueError(f"unknown control {name!r}; this panel has {', '.join(self.controls)}")
        self._check_kind(name, value)
        control = self.controls[name]
        if _is_slider(control) and not control.min <= value <= control.max:
            raise ValueError(f"{name} must be between {control.min} and {control.max}, got {value}")

    def _check_kind(self, name: str, value: Any) -> None:
        """The checks that do not depend on a slider's current range: number, finite, whole, one of the options."""
        control = self.controls[name]
        if _is_slider(control):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
            try:
                finite = math.isfinite(value)
            except OverflowError:  # an int too large for a float
                finite = False
            if not finite:
                shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:20] + "..."
                raise ValueError(f"{name} must be a finite number between {control.min} and {control.max}, "
                                 f"got {shown}")
            if isinstance(control, widgets.IntSlider) and int(value) != value:
                raise TypeError(f"{name} must be a whole number, got {value}")
        options = getattr(control, "options", None)
        if options is not None and not _is_slider(control):
            labels = [o[1] if isinstance(o, tuple) else o for o in options]
            if not any(_same(value, label) for label in labels):
                raise ValueError(f"{name} must be one of {labels}, got {value!r}")

    def apply_arguments(self, **values: Any) -> None:
        """Put a constructor's arguments on its controls, checked as ``set`` checks them, without an update.

        A value outside a slider's range or not among a chooser's options raises a
        ValueError naming the argument and what it allows (never a silent clamp).
        Build the controls with valid defaults, then call this before any work.
        """
        self._apply(values)

    def set(self, **values: Any) -> None:
        """Set controls by name, in the order given, each checked against its range; then update once.

        Order matters where one control reshapes another (a schedule chooser
        that changes the decay slider's range): name the chooser first. If any
        value is refused, no control changes (the panel keeps its last run).
        """
        self._apply(values)
        self.update()
        self._announce()

    def _apply(self, values: dict[str, Any]) -> None:
        """Check every value, then set them in order; if one is refused after all, put every control back.

        Each control's changes go to the front end as one message (``hold_sync``): a range and a value
        that change together arrive together, so the browser never clamps the value to an
        intermediate range and echoes that back after the cell's own values.
        """
        with ExitStack() as stack:
            for control in self.controls.values():
                stack.enter_context(control.hold_sync())
            self._apply_held(values)

    def _apply_held(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.controls:
                self.check_value(name, value)  # raises: unknown control
            self._check_kind(name, value)
        if all(_is_slider(self.controls[name]) for name in values):  # no chooser: the ranges stay as they are
            for name, value in values.items():
                self.check_value(name, value)
            with self.muted():
                for name, value in values.items():
                    self.controls[name].value = value
            return
        saved = [(control, _state(control)) for control in self.controls.values()]
        try:
            with self.muted():
                for name, value in values.items():
                    self.check_value(name, value)  # a chooser set before may have reshaped this slider
                    self.controls[name].value = value
        except (ValueError, TypeError):
            with self.muted():
                for control, state in sorted(saved, key=lambda item: _is_slider(item[0])):  # choosers first
                    _restore(control, state)
            if hasattr(self, "widget"):  # a built panel redraws what a chooser's observer may have changed
                self.update()
            raise

    def update(self) -> None:
        """Recompute from the controls and redraw."""
        raise NotImplementedError

    def state_code(self, name: str = "panel") -> str:
        """The current values of all controls as one ``name.set(...)`` line, to paste and show this state again.

        The controls are named in the panel's order, which puts every chooser before the
        controls it reshapes; floats are rounded to 10 decimals (a dragged slider's last bits).
        """
        def literal(value: Any) -> str:
            if isinstance(value, (float, np.floating)):
                return repr(round(float(value), 10))
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                return repr(int(value))
            return repr(value)

        values = ", ".join(f"{key}={literal(control.value)}" for key, control in self.controls.items())
        return f"{name}.set({values})"

    def _ipython_display_(self) -> None:
        display(self.widget)


def live_region_html(text: str) -> str:
    """The live region's content: the sentence in a polite status element (read when it changes)."""
    return f'<div role="status" aria-live="polite" aria-atomic="true" style="font-size:15px">{html.escape(text)}</div>'


def live_region() -> widgets.HTML:
    """An HTML widget for a panel's spoken result; the class lets the front end mark the widget itself live."""
    region = widgets.HTML()
    region.add_class("lecture-live-region")
    return region


def _insert_after(tree: widgets.Box, target: widgets.Widget, new: widgets.Widget) -> bool:
    """Put ``new`` right after ``target`` in whichever box of ``tree`` holds it (at the end if none does)."""
    stack = [tree]
    while stack:
        box = stack.pop()
        children = list(box.children)
        if new in children:
            return True
        if target in children:
            children.insert(children.index(target) + 1, new)
            box.children = children
            return True
        stack.extend(child for child in children if isinstance(child, widgets.Box))
    tree.children = [*tree.children, new]
    return False


def _is_slider(control: widgets.Widget) -> bool:
    """A control with a numeric range (FloatSlider, IntSlider), as opposed to a chooser of options."""
    return hasattr(control, "min") and hasattr(control, "max") and not hasattr(control, "options")


def _same(value: Any, option: Any) -> bool:
    """``value == option`` for one of a chooser's options (never an array's element-wise answer)."""
    if isinstance(value, (np.ndarray, bool, np.bool_)) != isinstance(option, (np.ndarray, bool, np.bool_)):
        return False
    try:
        return bool(value == option)
    except (TypeError, ValueError):
        return False


def _state(control: widgets.Widget) -> dict[str, Any]:
    """What a chooser or a panel's own code may change on a control: range, step, label, value."""
    return {key: getattr(control, key) for key in ("min", "max", "step", "description", "disabled", "value")
            if hasattr(control, key)}


def _restore(control: widgets.Widget, state: dict[str, Any]) -> None:
    """Put a control back as ``_state`` saw it (a slider's range is widened first so the value always fits)."""
    if _is_slider(control):
        control.max = max(control.max, state["max"])
        control.min = min(control.min, state["min"])
    for key, value in state.items():
        if key not in ("min", "max"):
            setattr(control, key, value)
    if _is_slider(control):
        control.min, control.max = state["min"], state["max"]


def reshape_slider(control: widgets.ValueWidget, low: float, high: float, step: float, value: float,
                   **traits: Any) -> None:
    """Give a slider a new range, step and value (and other traits, e.g. its description) in one message.

    For a chooser's observer that reshapes another control. The range is first widened to hold both
    the old and the new one, so the kernel never clamps ``value``; ``hold_sync`` sends only the final
    state, so the browser never sees an intermediate range, never clamps its handle to it, and never
    echoes a clamped value back after the code's own. Nothing here triggers the panel's update.
    """
    if not low <= value <= high:
        raise ValueError(f"{control.description} must be between {low} and {high}, got {value}")
    with control.hold_sync():
        control.max = max(control.max, high)
        control.min = min(control.min, low)
        control.value = value
        control.min, control.max, control.step = low, high, step
        for key, setting in traits.items():
            setattr(control, key, setting)


# Fluid layout (a 1024 x 768 projector, JupyterLab's sidebar open or not): each column of controls
# takes the room there is, up to COLUMN_MAX, and wraps under the previous one below COLUMN_MIN.
COLUMN_MIN, COLUMN_MAX = "300px", "480px"
DESCRIPTION_WIDTH = "110px"


def _fluid(control: widgets.Widget) -> widgets.Widget:
    """A control that fills its column: a slider's track shrinks first, its label and readout stay whole."""
    control.layout.width = "100%"
    control.layout.max_width = COLUMN_MAX
    return control


def button_row(label: str, buttons: Sequence[widgets.Button]) -> widgets.HBox:
    """A labelled row of buttons, each as wide as its text, wrapping onto a second line when narrow."""
    for button in buttons:
        button.layout.width = "auto"
        button.layout.min_width = "max-content"  # the label is never cut ("1.05 diverges")
    return widgets.HBox([widgets.Label(label), *buttons], layout=widgets.Layout(flex_flow="row wrap"))


# Plain-text spellings of the library's messages (printed by the notebooks, so they stay ASCII there)
# and how a panel's readout writes them: one style on screen, Unicode arrows and Greek letters.
_UNICODE = [("->", "→"), ("gamma_k", "γₖ"), ("gamma0", "γ₀"), ("gamma", "γ"), ("beta", "β"), ("lambda", "λ"),
            ("alpha", "α"), ("w(0)", "w⁽⁰⁾"), ("w(k)", "w⁽ᵏ⁾"), (" * ", " · ")]


def readout_text(text: str) -> str:
    """A library message as a panel's readout shows it: → for ->, γ for gamma, w⁽⁰⁾ for w(0), · for *."""
    for plain, shown in _UNICODE:
        text = text.replace(plain, shown)
    return text


def readout_html(width_lines: int) -> widgets.HTML:
    """The text readout under a panel's picture, tall enough for ``width_lines`` lines of its 16 px text
    (22.4 px each), so the page below does not jump when a longer text wraps onto another line."""
    return widgets.HTML(layout=widgets.Layout(min_height=f"{22.4 * width_lines + 4:.0f}px"))


def panel_layout(columns: Sequence[Sequence[widgets.Widget]], *rows: widgets.Widget) -> widgets.VBox:
    """The panels' common layout: columns of controls side by side, then full-width rows (image, text).

    The columns wrap under each other when the output area is narrower than two of them.
    """
    boxes = [widgets.VBox([_fluid(control) for control in column],
                          layout=widgets.Layout(flex="1 1 " + COLUMN_MIN, min_width=COLUMN_MIN, max_width=COLUMN_MAX,
                                                margin="0 12px 0 0"))
             for column in columns]
    return widgets.VBox([widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap")), *rows])


def page_slider_value(value: float, low: float, high: float, step: float) -> float:
    """Where the browser's slider (noUiSlider, inside ipywidgets) puts ``value`` on the track [low, high].

    The same IEEE arithmetic as noUiSlider 15: to a percentage of the track, to the nearest step
    (JavaScript's Math.round: halves up), clamped to [0, 100], back to a value. 0.1 on a 0.01 grid from
    0.01 comes back as 0.09999999999999999. A FloatSlider view sends that back to the kernel whenever it
    differs from the value it was given, even when nobody touched it (at every render).
    """
    if not high > low:
        return float(value)
    if value >= high:
        percent = 100.0
    else:
        percent = 100 * (value - low) / (high - low) / (100 / (100 - 0))
    step_percent = 100 * step / (high - low) / (100 / (100 - 0)) if step else 0.0
    if percent != 100 and step_percent:
        percent = 0 + math.floor((percent - 0) / step_percent + 0.5) * step_percent
    percent = max(min(percent, 100.0), 0.0)
    if percent >= 100:
        return float(high)
    return (percent - 0) * (100 / (100 - 0)) * (high - low) / 100 + low


def _to_page(value: float, control: widgets.FloatSlider) -> float:
    """The value a PanelFloatSlider sends to the browser: one its slider keeps as it is (a fixed point of
    page_slider_value), so the browser never sends a value back that nobody chose."""
    shown = float(value)
    for _ in range(4):
        moved = page_slider_value(shown, control.min, control.max, control.step)
        if moved == shown:
            return shown
        shown = moved
    return shown


class _PageValueGuard:
    """What a panel's slider takes from the browser (a value someone chose, never a re-rendered one),
    and the order in which the browser gets its range and value.

    A value outside the current range was computed from a range the kernel has already left (a render
    of an older state still queued in the page): taking it would clamp it to the new range and show
    another state than the code set, so it is dropped (the newer state on its way puts the handle
    right). A value within float noise of the one shown changes nothing. Any other value is put on the
    slider's grid (0.09999999999999999 becomes 0.1, as code would set it).
    """

    def set_state(self, sync_data: dict) -> None:
        value = sync_data.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = _to_page(self.value, self) if isinstance(self, widgets.FloatSlider) else self.value
            if not self.min <= value <= self.max or abs(value - shown) <= 1e-9 * (self.step or 1):
                sync_data = {key: v for key, v in sync_data.items() if key != "value"}
            elif isinstance(self, widgets.FloatSlider) and self.step:
                on_grid = round(self.min + round((value - self.min) / self.step) * self.step, 12)
                if abs(on_grid - value) <= 1e-9 * self.step and self.min <= on_grid <= self.max:
                    sync_data = {**sync_data, "value": on_grid}
        super().set_state(sync_data)

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict:
        """The state in the order the browser must apply it: the track (min, max, step) first, the value last.

        The browser's view reacts to each attribute of a message in the message's order. A value that
        came before its new range was put on the old track (0.2 clamped to 0.5 on 0.5..1.0) and that
        clamped value was sent back as if someone had chosen it. A set of names has no fixed order in
        Python (string hashes differ per process), so the order is made here.
        """
        state = super().get_state(key=key, drop_defaults=drop_defaults)
        track = [name for name in ("min", "max", "step") if name in state]
        rest = [name for name in state if name not in track and name != "value"]
        return {name: state[name] for name in track + rest + (["value"] if "value" in state else [])}


class PanelFloatSlider(_PageValueGuard, widgets.FloatSlider):
    """A FloatSlider whose value the browser's slider shows as it is, so a render never sends it back."""

    value = traitlets.CFloat(0.0, help="Float value").tag(sync=True, to_json=_to_page)

    @traitlets.observe("min", "max", "step")
    def _value_for_the_new_track(self, change: dict) -> None:
        """The value the page is given depends on the track: send it again with the new range or step."""
        if self._holding_sync:
            self._states_to_send.add("value")
        elif self.comm is not None and getattr(self.comm, "kernel", True) is not None:
            self.send_state("value")


class PanelIntSlider(_PageValueGuard, widgets.IntSlider):
    """An IntSlider that keeps the value the kernel set against the browser's stale renders."""


def slider(kind: str, description: str, value: float, low: float, high: float, step: float,
           readout_format: str = ".2f") -> widgets.ValueWidget:
    """A slider that fills its column, with a readable label, that updates while dragging.

    A ``value`` outside [low, high] raises a ValueError naming the slider (ipywidgets would clamp it
    silently); a panel names its own argument instead by building with a default and calling
    ``Panel.apply_arguments``.
    """
    if not low <= value <= high:
        raise ValueError(f"{description} must be between {low} and {high}, got {value}")
    style = {"description_width": DESCRIPTION_WIDTH}
    layout = widgets.Layout(width="100%", max_width=COLUMN_MAX)
    if kind == "int":
        return PanelIntSlider(value=value, min=low, max=high, step=step, description=description,
                                 continuous_update=True, style=style, layout=layout)
    return PanelFloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=readout_format, style=style,
                               layout=layout)
