"""The live figures' PNG encoder: band-by-band deflate gives valid PNGs with exactly the canvas's pixels."""

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from lecture_utils.widgets.png import PngEncoder, adler32_combine, encode_png, png_data_url
from lecture_utils.widgets.descent import GradientDescent1DPanel


def decoded(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGB"
    return np.asarray(image)


def idat(png: bytes) -> bytes:
    """The zlib stream of a PNG (its IDAT chunks joined), after checking every chunk's CRC."""
    position, data = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind, body = png[position + 4:position + 8], png[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        if kind == b"IDAT":
            data += body
        position += 12 + length
    return data


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_adler32_combine_is_the_checksum_of_the_joined_bytes(first, second):
    assert adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second)) == zlib.adler32(first + second)


def test_adler32_combine_with_long_strings():
    """Past 65521 bytes the sums wrap around the modulus: the combination must still agree."""
    rng = np.random.default_rng(0)
    first, second = rng.integers(0, 256, 70_000, dtype=np.uint8).tobytes(), b"\xff" * 200_000
    assert adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second)) == zlib.adler32(first + second)


@pytest.mark.parametrize("height, band_rows", [(48, 16), (50, 16), (7, 16), (33, 1)])
def test_frames_decode_to_their_pixels_while_bands_change(height, band_rows):
    """Successive frames (no change, one pixel, the last row, everything) each decode exactly."""
    rng = np.random.default_rng(1)
    frame = np.full((height, 21, 4), 255, dtype=np.uint8)
    encoder = PngEncoder(band_rows=band_rows)
    first = encoder.encode(frame)
    np.testing.assert_array_equal(decoded(first), frame[..., :3])
    assert encoder.encode(frame) == first  # nothing changed: the same bytes
    changes = [(0, 0), (height // 2, 10), (height - 1, 20)]
    for row, column in changes:
        frame = frame.copy()
        frame[row, column, :3] = rng.integers(0, 256, 3)
        png = encoder.encode(frame)
        np.testing.assert_array_equal(decoded(png), frame[..., :3])
        zlib.decompress(idat(png))  # raises unless the stream and its Adler-32 are valid
    frame = rng.integers(0, 256, frame.shape, dtype=np.uint8)
    np.testing.assert_array_equal(decoded(encoder.encode(frame)), frame[..., :3])


def test_only_the_changed_band_is_compressed_again():
    frame = np.zeros((64, 10, 4), dtype=np.uint8)
    encoder = PngEncoder(band_rows=16)
    encoder.encode(frame)
    frame[37, 3, 1] = 9  # row 37 is in band 2 (rows 32-47)
    assert encoder._changed_bands(frame, range(0, 64, 16)) == [2]
    kept = list(encoder._bands)
    encoder.encode(frame)
    assert [i for i, (old, new) in enumerate(zip(kept, encoder._bands)) if old != new] == [2]


def test_a_new_size_starts_afresh():
    encoder = PngEncoder()
    encoder.encode(np.zeros((20, 30, 4), dtype=np.uint8))
    frame = np.full((40, 10, 4), 200, dtype=np.uint8)
    np.testing.assert_array_equal(decoded(encoder.encode(frame)), frame[..., :3])


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.float64), np.zeros((4, 16), np.uint8)])
def test_bad_frames_are_refused_by_name(bad):
    with pytest.raises(ValueError, match="rgba must be a .height, width, 4. uint8 array"):
        PngEncoder().encode(bad)


def test_band_rows_must_be_positive():
    with pytest.raises(ValueError, match="band_rows"):
        PngEncoder(band_rows=0)


def test_live_figure_sends_its_png_as_a_data_url_with_the_canvas_pixels():
    panel = GradientDescent1DPanel(gamma=0.1)
    for gamma in (0.5, 0.9, 1.05, 0.1):  # each move changes some bands and keeps others
        panel.set(gamma=gamma)
        pixels = np.asarray(panel.live.canvas.buffer_rgba())[..., :3]
        np.testing.assert_array_equal(decoded(panel.live.png), pixels)
        np.testing.assert_array_equal(decoded(panel.live.png), decoded(encode_png(panel.live.canvas)))
        assert panel.live.image.format == "url"
        assert panel.live.image.value == png_data_url(panel.live.png)
        prefix = b"data:image/png;base64,"
        assert base64.b64decode(panel.live.image.value[len(prefix):]) == panel.live.png
