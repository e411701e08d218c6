"""The PNG encoder of the live panels: the figure's pixels as a PNG, re-compressing only the rows that changed.

A PNG is a signature, a header chunk, the image rows (each prefixed by a
filter byte, 0 = none) deflated as one zlib stream in IDAT chunks, and an end
chunk. ``encode_png`` writes the whole image at once; ``PngEncoder`` writes
successive frames of one canvas and deflates again only the bands of rows a
slider move changed. Written by hand because Pillow picks a filter for every
row (adaptive filtering), which on a mostly white figure costs more and saves
nothing (``benchmarks/bench_widgets.py`` compares the two).

The PNG travels to the browser as a ``data:`` URL (``png_data_url``), which the
page decodes itself; raw bytes would become a ``blob:`` URL fetched through
the browser process, which is slower on every move.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMPRESS_LEVEL = 1  # zlib's fastest: a figure is mostly flat colour, higher levels save little


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """length, kind, data, CRC-32 of kind + data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _rgb_header(width: int, height: int) -> bytes:
    """The IHDR chunk of an 8-bit RGB image without interlacing."""
    return _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def encode_png(canvas: FigureCanvasAgg, compress_level: int = COMPRESS_LEVEL) -> bytes:
    """The canvas's current pixels as an RGB PNG (lossless; no row filter, fast deflate)."""
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # column 0: filter byte 0
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]  # drop alpha (the figure is opaque)
    return (PNG_SIGNATURE + _rgb_header(width, height)
            + _png_chunk(b"IDAT", zlib.compress(rows, compress_level)) + _png_chunk(b"IEND", b""))


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

    Each band of ``band_rows`` rows is deflated on its own, by a fresh compressor that ends on a byte
    boundary, so its compressed bytes depend on its own pixels only: a band whose pixels did not
    change since the last frame keeps its bytes. Joined, the bands form one valid deflate stream,
    and the Adler-32 checksum that ends a zlib stream is combined from the bands' checksums.
    The picture is the same as ``encode_png``'s.
    """

    def __init__(self, band_rows: int = 16) -> None:
        if band_rows < 1:
            raise ValueError(f"band_rows must be a positive number of rows, got {band_rows}")
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
        return PNG_SIGNATURE + _rgb_header(width, height) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")

    def _changed_bands(self, rgba: np.ndarray, starts: range) -> list[int]:
        """The bands with at least one pixel different from the last frame (compared 4 bytes at a time)."""
        height = rgba.shape[0]
        now = np.ascontiguousarray(rgba).reshape(height, -1).view(np.uint32)
        before = self._previous.reshape(height, -1).view(np.uint32)
        rows_changed = (now != before).any(axis=1)
        return [int(i) for i in np.flatnonzero(np.logical_or.reduceat(rows_changed, list(starts)))]

    def _encode_band(self, rgba: np.ndarray, band: int, top: int, bottom: int, height: int) -> None:
        """Copy rows top..bottom in as RGB (one channel at a time: faster than 3 bytes at a time) and deflate them."""
        self._previous[top:bottom] = rgba[top:bottom]
        rgb = self._rows[top:bottom, 1:].reshape(bottom - top, -1, 3)
        for channel in range(3):
            rgb[..., channel] = rgba[top:bottom, :, channel]
        raw = self._rows[top:bottom]
        compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate
        last = bottom == height
        data = compressor.compress(raw) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
        self._bands[band] = (data, zlib.adler32(raw), raw.nbytes)


def png_data_url(png: bytes) -> bytes:
    """A PNG as the bytes of a ``data:`` URL, the value of an ``ipywidgets.Image`` with ``format="url"``."""
    return b"data:image/png;base64," + base64.b64encode(png)
