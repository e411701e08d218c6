"""Shared machinery of the live panels: fast off-screen redraws and a Panel base class.

A live figure is drawn once with Agg; the parts that never change are kept
as a bitmap, and each slider move only redraws the changing artists over it
(blitting) and sends a fast-compressed PNG to an ``ipywidgets.Image``. The
output area is never cleared, so nothing flickers.
"""

from __future__ import annotations

import io
import struct
import zlib
from contextlib import contextmanager
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
from PIL import Image as PILImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas's current pixels as an RGB PNG (lossless; level 1 deflate, no row filter: fast).

    A PNG is a header, the rows (each prefixed by a filter byte, 0 = none)
    deflated with zlib, and an end marker. Written by hand because Pillow
    picks a filter for every row (adaptive filtering): on a mostly white
    figure that roughly doubles the encoding time and the file is no smaller
    (``make bench`` measures both; ``encode_png_pillow`` is the reference).
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # column 0: filter byte 0
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]  # drop alpha (the figure is opaque)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, compress_level)) + _png_chunk(b"IEND", b""))


def encode_png_pillow(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The same pixels encoded by Pillow (the reference ``encode_png`` is tested and benchmarked against)."""
    pixels = np.asarray(canvas.buffer_rgba())
    buffer = io.BytesIO()
    PILImage.fromarray(pixels[..., :3]).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


class LiveFigure:
    """A matplotlib figure shown as a PNG in an ``ipywidgets.Image`` and updated by blitting."""

    def __init__(self, fig: Figure, animated: Sequence[Artist] = (), freeze_layout: bool = True,
                 overlays: Sequence[Artist] = ()) -> None:
        """``freeze_layout``: after the first full draw, keep the axes where the layout engine put them.

        A constrained layout costs about three times the drawing itself, and
        a full redraw (after ``invalidate``) would pay it again; pass False
        for a figure whose labels change size and must be laid out anew.
        ``overlays``: artists that never change but must stay on top of the
        animated ones (a legend): drawn once, then pasted as pixels.
        """
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        self.freeze_layout = freeze_layout
        self._background: Any = None
        self._extents: dict[Axes, Bbox] = {}
        self._stale_axes: list[Axes] = []
        self.overlays = list(overlays)
        for artist in self.overlays:
            artist.set_animated(True)  # kept out of the background
        self._overlay_pixels: list[Any] = []
        self._tracked: set[Axes] = set()  # axes ever named in invalidate(): their extents are kept
        width, height = (int(round(x)) for x in fig.get_size_inches() * fig.dpi)
        self.image = widgets.Image(format="png", width=width, height=height)
        self.png = b""

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
            self._overlay_pixels.append(self.canvas.copy_from_bbox(artist.get_window_extent(renderer)))
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
            if self.freeze_layout and self.fig.get_layout_engine() is not None:
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


def panel_layout(columns: Sequence[Sequence[widgets.Widget]], *rows: widgets.Widget) -> widgets.VBox:
    """The panels' common layout: columns of controls side by side, then full-width rows (image, text)."""
    return widgets.VBox([widgets.HBox([widgets.VBox(list(column)) for column in columns]), *rows])


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
