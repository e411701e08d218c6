"""Shared machinery of the live panels: fast off-screen redraws and a Panel base class.

A live figure is drawn once with Agg; the parts that never change are kept
as a bitmap, and each slider move only redraws the changing artists over it
(blitting) and sends a fast-compressed PNG to an ``ipywidgets.Image``. The
output area is never cleared, so nothing flickers.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import ipywidgets as widgets
import numpy as np
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage


def encode_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas's current pixels as PNG bytes (level 1: fast, still lossless)."""
    pixels = np.asarray(canvas.buffer_rgba())
    buffer = io.BytesIO()
    PILImage.fromarray(pixels[..., :3]).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


class LiveFigure:
    """A matplotlib figure shown as a PNG in an ``ipywidgets.Image`` and updated by blitting."""

    def __init__(self, fig: Figure, animated: Sequence[Artist] = ()) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        self._background: Any = None
        width, height = (int(round(x)) for x in fig.get_size_inches() * fig.dpi)
        self.image = widgets.Image(format="png", width=width, height=height)
        self.png = b""

    def invalidate(self) -> None:
        """Forget the cached background (call after changing anything not in ``animated``)."""
        self._background = None

    def render(self) -> bytes:
        """Redraw the changing artists (and the background if invalidated) and publish the PNG."""
        if self._background is None:
            self.canvas.draw()  # everything except the animated artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            self.fig.draw_artist(artist)
        self.png = encode_png(self.canvas)
        self.image.value = self.png
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
        """Raise ValueError/TypeError unless ``value`` is allowed for the control ``name``."""
        if name not in self.controls:
            raise ValueError(f"unknown control {name!r}; this panel has {', '.join(self.controls)}")
        control = self.controls[name]
        low, high = getattr(control, "min", None), getattr(control, "max", None)
        if low is not None:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
            if isinstance(control, widgets.IntSlider) and int(value) != value:
                raise TypeError(f"{name} must be a whole number, got {value}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        options = getattr(control, "options", None)
        if options is not None and low is None:
            labels = [o[1] if isinstance(o, tuple) else o for o in options]
            if value not in labels:
                raise ValueError(f"{name} must be one of {labels}, got {value!r}")

    def set(self, **values: Any) -> None:
        """Set controls by name, in the order given, each checked against its range; then update once.

        Order matters where one control reshapes another (a schedule chooser
        that changes the decay slider's range): name the chooser first.
        """
        with self.muted():
            for name, value in values.items():
                self.check_value(name, value)
                self.controls[name].value = value
        self.update()

    def update(self) -> None:
        """Recompute from the controls and redraw."""
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        display(self.widget)


def slider(kind: str, description: str, value: float, low: float, high: float, step: float,
           readout_format: str = ".2f") -> widgets.ValueWidget:
    """A wide slider with a readable label that updates while dragging."""
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="480px")
    if kind == "int":
        return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                                 continuous_update=True, style=style, layout=layout)
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=readout_format, style=style,
                               layout=layout)
