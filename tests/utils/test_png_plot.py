"""ember.utils._png (NumPy PNG codec) against Pillow, and ember.utils.plot (line charts)."""
import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember.utils import plot
from ember.utils._png import read_png, write_png

Image = pytest.importorskip("PIL.Image")


def _smooth_noisy(h, w, c, seed=0):
    """An image with gradients (so every filter type wins somewhere) and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 7 + y * 3) % 256, (x * x + y) % 256, (y * 5) % 256, (x + 2 * y) % 256],
                    axis=-1)[:, :, :c]
    noise = rng.integers(0, 12, size=base.shape) * (rng.random(base.shape) < 0.3)
    return ((base + noise) % 256).astype(np.uint8)


def _expected(arr):
    return arr[:, :, 0] if arr.ndim == 3 and arr.shape[2] == 1 else arr


def _png_bytes(arr, **kw):
    buf = io.BytesIO()
    write_png(buf, arr, **kw)
    return buf.getvalue()


def _pillow_png(img, **kw):
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


# ------------------------------------------------------------------------ round trips

@pytest.mark.parametrize("shape", [(1, 1), (1, 1, 1), (1, 1, 2), (1, 1, 3), (1, 1, 4),
                                   (5, 3), (3, 7, 1), (2, 9, 2), (7, 5, 3), (4, 11, 4),
                                   (13, 1, 3), (1, 13, 4)])
@pytest.mark.parametrize("filt", ["adaptive", 0, 1, 2, 3, 4])
def test_round_trip_and_pillow_reads_ours(shape, filt):
    rng = np.random.default_rng(sum(shape))
    arr = rng.integers(0, 256, size=shape, dtype=np.uint8)
    data = _png_bytes(arr, filter=filt)
    ours = read_png(io.BytesIO(data))
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, _expected(arr))
    theirs = np.asarray(Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(theirs, _expected(arr))


@given(h=st.integers(1, 12), w=st.integers(1, 12), c=st.sampled_from([1, 2, 3, 4]),
       filt=st.sampled_from(["adaptive", 0, 1, 2, 3, 4]), seed=st.integers(0, 2 ** 16))
def test_round_trip_hypothesis(h, w, c, filt, seed):
    arr = np.random.default_rng(seed).integers(0, 256, size=(h, w, c), dtype=np.uint8)
    data = _png_bytes(arr, filter=filt)
    np.testing.assert_array_equal(read_png(io.BytesIO(data)), _expected(arr))
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), _expected(arr))


def test_round_trip_16_bit():
    arr = np.random.default_rng(1).integers(0, 2 ** 16, size=(6, 5), dtype=np.uint16)
    data = _png_bytes(arr)
    out = read_png(io.BytesIO(data))
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, arr)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))).astype(np.uint16),
                                  arr)
    rgba = np.random.default_rng(2).integers(0, 2 ** 16, size=(3, 4, 4), dtype=np.uint16)
    np.testing.assert_array_equal(read_png(io.BytesIO(_png_bytes(rgba, filter=4))), rgba)


def test_path_round_trip_and_chunks(tmp_path):
    arr = _smooth_noisy(9, 10, 3)
    p = tmp_path / "img.png"
    write_png(p, arr)
    write_png(str(tmp_path / "img2.png"), arr)
    np.testing.assert_array_equal(read_png(p), arr)
    np.testing.assert_array_equal(read_png(str(tmp_path / "img2.png")), arr)
    blob = p.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, pos = [], 8
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        body = blob[pos + 4:pos + 8 + length]
        assert struct.unpack(">I", blob[pos + 8 + length:pos + 12 + length])[0] == \
            zlib.crc32(body)
        kinds.append(kind)
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", blob[16:29]) == (10, 9, 8, 2, 0, 0, 0)
    with Image.open(p) as im:
        assert im.mode == "RGB" and im.size == (10, 9)


# ---------------------------------------------------------------- reading Pillow's files

@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P", "1", "I;16"])
@pytest.mark.parametrize("optimize", [False, True])
def test_read_pillow_written(mode, optimize):
    rgba = _smooth_noisy(37, 29, 4)
    if mode == "I;16":
        im = Image.fromarray(rgba[:, :, 0].astype(np.uint16) * 257)
    elif mode == "P":
        im = Image.fromarray(rgba[:, :, :3]).quantize(colors=200)
    else:
        im = Image.fromarray(rgba).convert(mode)
    out = read_png(io.BytesIO(_pillow_png(im, optimize=optimize)))
    if mode == "P":
        expected = np.asarray(im.convert("RGB"))
    elif mode == "1":
        expected = np.asarray(im.convert("L"))
    else:
        expected = np.asarray(im)
    assert out.shape == expected.shape
    assert out.dtype == (np.uint16 if mode == "I;16" else np.uint8)
    np.testing.assert_array_equal(out, expected)


def test_read_pillow_optimized_paeth_rows():
    # Pillow's encoder picks filters per row (mostly Paeth on this image)
    arr = _smooth_noisy(40, 40, 3, seed=3)
    data = _pillow_png(Image.fromarray(arr), optimize=True)
    np.testing.assert_array_equal(read_png(io.BytesIO(data)), arr)


@given(h=st.integers(1, 9), w=st.integers(1, 9), c=st.sampled_from([1, 2, 3, 4]),
       seed=st.integers(0, 2 ** 16))
def test_mixed_row_filters_pillow_decodes_same(h, w, c, seed):
    # every row its own filter type: Pillow (an independent decoder) and ours agree
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
    data = _png_bytes(arr, filter=rng.integers(0, 5, size=h))
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), _expected(arr))
    np.testing.assert_array_equal(read_png(io.BytesIO(data)), _expected(arr))


@pytest.mark.parametrize("colors", [2, 4, 16])
def test_read_palette_low_bit_depth_and_transparency(colors):
    arr = _smooth_noisy(11, 13, 3, seed=colors)
    im = Image.fromarray(arr).quantize(colors=colors)
    data = _pillow_png(im, bits={2: 1, 4: 2, 16: 4}[colors])
    assert data[24] in (1, 2, 4)          # bit depth byte of IHDR: really a packed palette
    np.testing.assert_array_equal(read_png(io.BytesIO(data)), np.asarray(im.convert("RGB")))
    im.info["transparency"] = 1
    data = _pillow_png(im, transparency=1)
    out = read_png(io.BytesIO(data))
    np.testing.assert_array_equal(out, np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")))
    assert out.shape == (11, 13, 4)


def test_read_grey_1_bit():
    arr = (_smooth_noisy(9, 19, 1)[:, :, 0] > 128).astype(np.uint8) * 255
    data = _pillow_png(Image.fromarray(arr).convert("1"))
    assert data[24] == 1
    np.testing.assert_array_equal(read_png(io.BytesIO(data)), arr)


def _rechunk(blob, fn):
    """Rebuild a PNG's chunk list through fn(list of (kind, data)), fixing the CRCs."""
    chunks, pos = [], 8
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        chunks.append((kind, blob[pos + 8:pos + 8 + length]))
        pos += 12 + length
    out = [blob[:8]]
    for kind, data in fn(chunks):
        out.append(struct.pack(">I", len(data)) + kind + data +
                   struct.pack(">I", zlib.crc32(kind + data)))
    return b"".join(out)


def test_read_split_idat_and_ancillary_chunks():
    arr = _smooth_noisy(8, 8, 4)
    blob = _png_bytes(arr)

    def split(chunks):
        out = []
        for kind, data in chunks:
            if kind == b"IDAT":
                out += [(b"tEXt", b"k\x00v"), (b"IDAT", data[:5]), (b"IDAT", data[5:])]
            else:
                out.append((kind, data))
        return out

    np.testing.assert_array_equal(read_png(io.BytesIO(_rechunk(blob, split))), arr)


# --------------------------------------------------------------------------- bad files

def test_bad_signature(tmp_path):
    p = tmp_path / "fake.png"
    p.write_bytes(b"GIF89a not a png at all")
    with pytest.raises(ValueError, match="fake.png.*not a PNG"):
        read_png(p)


def test_crc_mismatch(tmp_path):
    blob = bytearray(_png_bytes(_smooth_noisy(4, 4, 3)))
    blob[45] ^= 0xFF                              # inside the IDAT data
    p = tmp_path / "crc.png"
    p.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="crc.png.*CRC"):
        read_png(p)


def test_truncated(tmp_path):
    blob = _png_bytes(_smooth_noisy(20, 20, 3))
    p = tmp_path / "cut.png"
    p.write_bytes(blob[:60])
    with pytest.raises(ValueError, match="cut.png.*truncated"):
        read_png(p)
    # complete chunks, but the image data stops early
    short = _rechunk(blob, lambda ch: [(k, zlib.compress(zlib.decompress(d)[:50]))
                                       if k == b"IDAT" else (k, d) for k, d in ch])
    with pytest.raises(ValueError, match="truncated"):
        read_png(io.BytesIO(short))


def test_interlaced_is_refused():
    blob = _png_bytes(_smooth_noisy(4, 4, 3))
    laced = _rechunk(blob, lambda ch: [(k, d[:12] + b"\x01") if k == b"IHDR" else (k, d)
                                       for k, d in ch])
    with pytest.raises(ValueError, match="interlaced"):
        read_png(io.BytesIO(laced))


def test_write_bad_input():
    with pytest.raises(TypeError, match="float32"):
        write_png(io.BytesIO(), np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match=r"\(2, 2, 5\)"):
        write_png(io.BytesIO(), np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        write_png(io.BytesIO(), np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="0x2"):
        write_png(io.BytesIO(), np.zeros((2, 0), np.uint8))
    with pytest.raises(ValueError, match="filter"):
        write_png(io.BytesIO(), np.zeros((2, 2), np.uint8), filter=7)
    with pytest.raises(ValueError, match="2 ints"):
        write_png(io.BytesIO(), np.zeros((2, 2), np.uint8), filter=[0, 1, 2])


# -------------------------------------------------------------------------------- text

def test_font_glyphs_distinct_and_inked():
    glyphs = plot._font()
    assert glyphs.shape[0] == 95
    assert not glyphs[0].any()                       # space
    assert all(glyphs[i].any() for i in range(1, 95))
    flat = {glyphs[i].tobytes() for i in range(95)}
    assert len(flat) == 95


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_render_text_box(scale):
    img = np.full((60, 120, 3), 255, np.uint8)
    out = plot.render_text(img, 7, 5, "HE", (200, 0, 0), scale)
    assert out is img
    w, h = plot.text_size("HE", scale)
    assert (w, h) == ((2 * 6 - 1) * scale, 7 * scale)
    ys, xs = np.nonzero((img != 255).any(axis=2))
    assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (7, 5, 7 + w, 5 + h)
    assert set(map(tuple, img[ys, xs])) == {(200, 0, 0)}


def test_render_text_anchors_vertical_and_clipping():
    img = np.full((50, 50, 3), 255, np.uint8)
    plot.render_text(img, 25, 25, "HE", (0, 0, 0), 2, align="center", valign="middle",
                     vertical=True)
    ys, xs = np.nonzero(img[:, :, 0] == 0)
    w, h = plot.text_size("HE", 2)
    assert xs.max() + 1 - xs.min() == h and ys.max() + 1 - ys.min() == w
    assert abs((xs.min() + xs.max() + 1) / 2 - 25) <= 1
    assert abs((ys.min() + ys.max() + 1) / 2 - 25) <= 1
    # partly outside the image: clipped, no error
    plot.render_text(img, -8, 45, "clipped text", (0, 0, 0), 3)
    with pytest.raises(ValueError, match="scale"):
        plot.render_text(img, 0, 0, "x", (0, 0, 0), 0)


def test_nice_ticks_and_labels():
    ticks, step = plot._nice_ticks(0.0, 1.0, 5)
    assert step == pytest.approx(0.2)
    assert plot._format_ticks(ticks, step) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    ticks, step = plot._nice_ticks(-0.13, 2.31, 5)
    assert plot._format_ticks(ticks, step) == ["0", "0.5", "1.0", "1.5", "2.0"]
    ticks, step = plot._nice_ticks(3.0, 1003.0, 4)
    assert plot._format_ticks(ticks, step) == ["250", "500", "750", "1000"]
    ticks, step = plot._nice_ticks(4.0, 6.0, 8)
    assert plot._format_ticks(ticks, step) == ["4.00", "4.25", "4.50", "4.75", "5.00",
                                               "5.25", "5.50", "5.75", "6.00"]
    ticks, step = plot._nice_ticks(0.0, 1e6, 5)
    assert plot._format_ticks(ticks, step) == ["0", "2e5", "4e5", "6e5", "8e5", "1e6"]
    ticks, step = plot._nice_ticks(-0.3, 0.2, 5)
    assert plot._format_ticks(ticks, step) == ["-0.3", "-0.2", "-0.1", "0", "0.1", "0.2"]


# ------------------------------------------------------------------------------ charts

def _color_rows(img, color, col):
    hit = np.nonzero((img[:, col] == color).all(axis=1))[0]
    assert len(hit), f"no pixel of colour {color} in column {col}"
    return np.median(hit)


def test_plot_lines_file_and_lines(tmp_path):
    x = np.linspace(0, 10, 200)
    panels = [{"title": "Loss", "xlabel": "epoch", "ylabel": "loss",
               "series": {"up": (x, x ** 1.5), "down": (list(x), list(30 - 2 * x))}},
              {"title": "Accuracy", "series": {"acc": (ember.tensor(x), ember.tensor(x / 10))},
               "ylim": (0, 1)}]
    path = tmp_path / "chart.png"
    img = plot.plot_lines(path, panels, width=800, height=300, title="Training")
    assert img.shape == (300, 800, 3) and img.dtype == np.uint8
    with Image.open(path) as im:
        assert im.size == (800, 300) and im.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(im), img)
    up, down = plot._COLORS[0], plot._COLORS[1]
    assert (img == up).all(axis=2).sum() > 300 and (img == down).all(axis=2).sum() > 300
    # the rising series is lower on the left (bigger row numbers) than on the right, the
    # falling one the other way round; columns a quarter and three quarters in the panel
    assert _color_rows(img, up, 120) > _color_rows(img, up, 330)
    assert _color_rows(img, down, 120) < _color_rows(img, down, 330)
    assert _color_rows(img, up, 520) > _color_rows(img, up, 730)
    # white background, dark text in the title strip
    assert (img[0, 0] == 255).all() and (img[-1, -1] == 255).all()
    assert (img[:25, 300:500] < 100).all(axis=2).any()


def test_plot_lines_lines_are_thick():
    img = plot.plot_lines(None, [{"series": {"flat": ([0, 1, 2, 3], [1, 1, 1, 1])},
                                  "ylim": (0, 2)}], width=400, height=300)
    color = plot._COLORS[0]
    col = img[:, 200]
    rows = np.nonzero((np.abs(col.astype(int) - color) < 40).all(axis=1))[0]
    assert len(rows) >= 2 and rows.max() - rows.min() <= 6


def test_plot_lines_file_object_and_edge_data():
    buf = io.BytesIO()
    panels = {"series": {"one point": ([3], [5]), "nan": ([0, 1, 2, 3], [1, np.nan, 2, 3]),
                         "const": ([0, 5], [7, 7])}}
    img = plot.plot_lines(buf, panels, width=300, height=200)
    np.testing.assert_array_equal(read_png(io.BytesIO(buf.getvalue())), img)


@pytest.mark.parametrize("panels, match", [
    ([], "non-empty list"),
    ([{"series": {}}], "non-empty 'series'"),
    ([{"title": "t"}], "non-empty 'series'"),
    ([{"series": {"a": ([], [])}}], "empty"),
    ([{"series": {"a": ([1, 2, 3], [1, 2])}}], "3 xs but 2 ys"),
    ([{"series": {"a": [1, 2, 3]}}], "pair"),
    ([{"series": {"a": ([[1, 2]], [[1, 2]])}}], "one-dimensional"),
    ([{"series": {"a": ([1, 2], ["x", "y"])}}], "numbers"),
    ([{"series": {"a": ([1, 2], [1, 2])}, "ylim": (1, 0)}], "ylim"),
    ([{"series": {"a": ([1, 2], [1, 2])}, "ylim": (0,)}], "ylim"),
    ([{"series": {"a": ([1, 2], [1, 2])}, "ylabels": "oops"}], "unknown keys"),
])
def test_plot_lines_bad_input(panels, match):
    with pytest.raises(ValueError, match=match):
        plot.plot_lines(None, panels, width=300, height=200)


def test_plot_lines_bad_sizes():
    ok = [{"series": {"a": ([1, 2], [1, 2])}}]
    with pytest.raises(ValueError, match="too small"):
        plot.plot_lines(None, ok, width=50, height=200)
    with pytest.raises(TypeError, match="width"):
        plot.plot_lines(None, ok, width=300.5, height=200)
    with pytest.raises(TypeError, match="panel 0"):
        plot.plot_lines(None, ["not a dict"], width=300, height=200)
