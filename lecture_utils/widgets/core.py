"""Shared machinery of the live panels: fast off-screen redraws and a Panel base class.

A live figure is drawn once with Agg; the parts that never change are kept
as a bitmap, and each slider move only redraws the changing artists over it
(blitting) and sends a PNG (``widgets/png.py``) to an ``ipywidgets.Image``.
The output area is never cleared, so nothing flickers.
"""

from __future__ import annotations

import math
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator, Sequence

import ipywidgets as widgets
import numpy as np
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform

from .png import PNG_SIGNATURE, PngEncoder, adler32_combine, encode_png, png_data_url  # noqa: F401 (re-exported)


class LiveFigure:
    """A matplotlib figure shown as a PNG in an ``ipywidgets.Image`` and updated by blitting."""

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
    widget: widgets.Widget

    def __init__(self) -> None:
        self._muted = False

    def _watch(self) -> None:
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def _on_change(self, change: dict) -> None:
        if not self._muted:
            self.update()

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


def panel_layout(columns: Sequence[Sequence[widgets.Widget]], *rows: widgets.Widget) -> widgets.VBox:
    """The panels' common layout: columns of controls side by side, then full-width rows (image, text)."""
    return widgets.VBox([widgets.HBox([widgets.VBox(list(column)) for column in columns]), *rows])


def slider(kind: str, description: str, value: float, low: float, high: float, step: float,
           readout_format: str = ".2f") -> widgets.ValueWidget:
    """A wide slider with a readable label that updates while dragging.

    A ``value`` outside [low, high] raises a ValueError naming the slider (ipywidgets would clamp it
    silently); a panel names its own argument instead by building with a default and calling
    ``Panel.apply_arguments``.
    """
    if not low <= value <= high:
        raise ValueError(f"{description} must be between {low} and {high}, got {value}")
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="480px")
    if kind == "int":
        return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                                 continuous_update=True, style=style, layout=layout)
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=readout_format, style=style,
                               layout=layout)
