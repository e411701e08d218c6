"""Shared machinery of the live panels: fast off-screen redraws and a Panel base class.

A live figure is drawn once with Agg; the parts that never change are kept
as a bitmap, and each slider move only redraws the changing artists over it
(blitting) and sends a fast-compressed PNG to an ``ipywidgets.Image``. The
output area is never cleared, so nothing flickers.

The PNG travels as a ``data:`` URL (the Image widget's ``format="url"``). Given
raw bytes, the widget would wrap them in a ``blob:`` URL, and the browser fetches
a blob URL through its browser process; a data URL is decoded in the page.
In JupyterLab on a two-core machine that saved 5-7 ms per slider move
(``make test-browser`` measures the whole move, see tests/browser).
"""

from __future__ import annotations

import base64
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


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 checksum of two byte strings joined, from each one's checksum (zlib's adler32_combine).

    Adler-32 keeps A = 1 + the sum of the bytes and B = the sum of the running A's, both mod 65521.
    Over the second string the running A is A1 - 1 more than it would be alone, which adds
    ``second_length`` * (A1 - 1) to B.
    """
    base = 65521
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % base
    b = (b1 + b2 + second_length * (a1 - 1)) % base
    return (b << 16) | a


class PngEncoder:
    """Successive frames of one canvas as RGB PNGs; only the bands of rows that changed are compressed again.

    A PNG holds its rows (each prefixed by a filter byte, 0 = none) as one zlib stream. Here each
    band of ``band_rows`` rows is deflated on its own, by a fresh compressor that ends on a byte
    boundary, so its compressed bytes depend on its own pixels only: a band whose pixels did not
    change since the last frame keeps its bytes. Joined, the bands form one valid deflate stream,
    and the Adler-32 checksum that ends a zlib stream is combined from the bands' checksums.
    The picture is the same as ``encode_png``'s; a slider move that changes part of the figure
    costs less to encode.
    """

    def __init__(self, compress_level: int = 1, band_rows: int = 16) -> None:
        if band_rows < 1:
            raise ValueError(f"band_rows must be a positive number of rows, got {band_rows}")
        self.compress_level = compress_level
        self.band_rows = band_rows
        self._previous: np.ndarray | None = None  # the last frame's RGBA pixels
        self._rows = np.zeros((0, 1), dtype=np.uint8)  # filter byte 0 + RGB, for every row
        self._bands: list[tuple[bytes, int, int]] = []  # per band: deflated bytes, Adler-32, raw length

    def encode(self, rgba: np.ndarray) -> bytes:
        """The PNG of an (height, width, 4) uint8 RGBA frame (alpha is dropped: the figures are opaque)."""
        if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
            raise ValueError(f"rgba must be a (height, width, 4) uint8 array, got {rgba.dtype} {rgba.shape}")
        height, width, _ = rgba.shape
        starts = range(0, height, self.band_rows)
        if self._previous is None or self._previous.shape != rgba.shape:
            self._previous = np.empty_like(rgba)
            self._rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)
            self._bands = [(b"", 1, 0)] * len(starts)
            changed = list(range(len(starts)))
        else:
            changed = self._changed_bands(rgba, starts)
        for band in changed:
            self._encode_band(rgba, band, starts[band], min(starts[band] + self.band_rows, height), height)
        checksum = 1  # the Adler-32 of nothing
        for _, adler, length in self._bands:
            checksum = adler32_combine(checksum, adler, length)
        idat = b"\x78\x01" + b"".join(data for data, _, _ in self._bands) + struct.pack(">I", checksum)
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
        return PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")

    def _changed_bands(self, rgba: np.ndarray, starts: range) -> list[int]:
        """The bands with at least one pixel different from the last frame (compared 4 bytes at a time)."""
        height = rgba.shape[0]
        now = np.ascontiguousarray(rgba).reshape(height, -1).view(np.uint32)
        before = self._previous.reshape(height, -1).view(np.uint32)
        rows_changed = (now != before).any(axis=1)
        return [int(i) for i in np.flatnonzero(np.logical_or.reduceat(rows_changed, list(starts)))]

    def _encode_band(self, rgba: np.ndarray, band: int, top: int, bottom: int, height: int) -> None:
        """Copy rows top..bottom in as RGB (one channel at a time: much faster than 3 bytes at a time) and deflate them."""
        self._previous[top:bottom] = rgba[top:bottom]
        rgb = self._rows[top:bottom, 1:].reshape(bottom - top, -1, 3)
        for channel in range(3):
            rgb[..., channel] = rgba[top:bottom, :, channel]
        raw = self._rows[top:bottom]
        compressor = zlib.compressobj(self.compress_level, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate
        last = bottom == height
        data = compressor.compress(raw) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
        self._bands[band] = (data, zlib.adler32(raw), raw.nbytes)


def png_data_url(png: bytes) -> bytes:
    """A PNG as the bytes of a ``data:`` URL, the value of an ``ipywidgets.Image`` with ``format="url"``."""
    return b"data:image/png;base64," + base64.b64encode(png)


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
