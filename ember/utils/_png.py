"""A small PNG codec on NumPy and the standard library (``zlib``, ``struct``) only.

``write_png`` writes 8-bit (or 16-bit) grey, grey+alpha, RGB and RGBA images with a
per-row filter choice; ``read_png`` decodes the non-interlaced PNGs that everyday tools
write: every colour type, bit depths 1-16, all five row filters.

>>> import io, numpy as np
>>> img = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
>>> buf = io.BytesIO()
>>> write_png(buf, img)
>>> _ = buf.seek(0)
>>> np.array_equal(read_png(buf), img)
True
"""
import numbers
import os
import struct
import zlib

import numpy as np

__all__ = ["write_png", "read_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# colour type -> channels per pixel
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# channels of an image array -> colour type written
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}
_ALLOWED_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


def _name(f):
    """How error messages name a file argument."""
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


# ----------------------------------------------------------------------------- writing

# cost of a filtered byte in the per-row filter choice: its size as a signed byte
_COST = np.minimum(np.arange(256), 256 - np.arange(256)).astype(np.uint16)


def _filter_rows(raw, bpp, mode):
    """Filter the rows of ``raw`` (H × rowbytes uint8); return them with filter bytes.

    ``mode`` 'adaptive' picks per row the filter whose output has the smallest sum of
    absolute values as signed bytes (the usual PNG heuristic); an int 0-4 forces one filter.
    """
    h, n = raw.shape
    x = raw
    a = np.zeros_like(x)
    a[:, bpp:] = x[:, :-bpp]                     # left
    b = np.zeros_like(x)
    b[1:] = x[:-1]                               # up

    def make(k):                                 # uint8 arithmetic wraps modulo 256
        if k == 0:
            return x
        if k == 1:
            return x - a
        if k == 2:
            return x - b
        if k == 3:
            return x - ((a >> 1) + (b >> 1) + (a & b & 1))
        c = np.zeros_like(x)
        c[1:, bpp:] = x[:-1, :-bpp]              # upper left
        a16, b16, c16 = a.astype(np.int16), b.astype(np.int16), c.astype(np.int16)
        u = b16 - c16
        v = a16 - c16
        pa, pb, pc = np.abs(u), np.abs(v), np.abs(u + v)
        pred = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        return x - pred

    out = np.empty((h, n + 1), dtype=np.uint8)
    if isinstance(mode, int):
        out[:, 0] = mode
        out[:, 1:] = make(mode)
        return out
    if not isinstance(mode, str):               # one filter type per row
        out[:, 0] = mode
        for k in range(5):
            rows = out[:, 0] == k
            if rows.any():
                out[rows, 1:] = make(k)[rows]
        return out
    best = None
    for k in range(5):
        cand = make(k)
        score = _COST[cand].sum(axis=1, dtype=np.int64)
        if best is None:
            best = score
            out[:, 0] = 0
            out[:, 1:] = cand
        else:
            better = score < best
            if better.any():
                best = np.where(better, score, best)
                out[better, 0] = k
                out[better, 1:] = cand[better]
    return out


def write_png(path_or_file, array, *, compress_level=6, filter="adaptive"):
    """Write ``array`` as a PNG file.

    ``array``: uint8 (or uint16, written 16-bit) NumPy array shaped H×W (grey), H×W×1,
    H×W×2 (grey+alpha), H×W×3 (RGB) or H×W×4 (RGBA). ``path_or_file``: a path or a binary
    file object. ``filter``: ``'adaptive'`` (a per-row choice), a PNG filter type 0-4
    (None, Sub, Up, Average, Paeth) for all rows, or a sequence of them, one per row.
    """
    arr = np.asarray(array)
    if arr.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"write_png expects a uint8 or uint16 array, got dtype {arr.dtype}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in _COLOR_TYPE:
        raise ValueError("write_png expects an array shaped HxW, HxWx1, HxWx2, HxWx3 or "
                         f"HxWx4, got shape {tuple(np.shape(array))}")
    h, w, ch = arr.shape
    if h < 1 or w < 1 or h >= 2 ** 31 or w >= 2 ** 31:
        raise ValueError(f"write_png: image size {w}x{h} is not allowed in a PNG file")
    if isinstance(filter, str) or isinstance(filter, numbers.Integral):
        if not (filter == "adaptive" or filter in (0, 1, 2, 3, 4)):
            raise ValueError(f"write_png: filter must be 'adaptive', 0..4 or one such int "
                             f"per row, got {filter!r}")
        if not isinstance(filter, str):
            filter = int(filter)
    else:
        filter = np.asarray(filter)
        if filter.shape != (h,) or not np.isin(filter, (0, 1, 2, 3, 4)).all():
            raise ValueError(f"write_png: per-row filters must be {h} ints in 0..4, got "
                             f"{filter.tolist()!r}")
    depth = 16 if arr.dtype == np.uint16 else 8
    if depth == 16:
        raw = np.ascontiguousarray(arr, dtype=">u2").view(np.uint8).reshape(h, w * ch * 2)
    else:
        raw = np.ascontiguousarray(arr).reshape(h, w * ch)
    data = _filter_rows(raw, ch * depth // 8, filter)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, _COLOR_TYPE[ch], 0, 0, 0)
    blob = b"".join((SIGNATURE, _chunk(b"IHDR", ihdr),
                     _chunk(b"IDAT", zlib.compress(data.tobytes(), compress_level)),
                     _chunk(b"IEND", b"")))
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "wb") as f:
            f.write(blob)
    else:
        path_or_file.write(blob)


# ----------------------------------------------------------------------------- reading

def _paeth_select(a, b, c):
    """The Paeth predictor of int16 arrays: whichever of a, b, c is nearest a + b - c."""
    u = b - c
    v = a - c
    pa = np.abs(u)
    pb = np.abs(v)
    pc = np.abs(u + v)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _unfilter(data, h, rowbytes, bpp, name):
    """Undo the row filters: ``data`` is the inflated stream (h rows of 1 + rowbytes)."""
    rows = np.frombuffer(data, dtype=np.uint8)[: h * (rowbytes + 1)].reshape(h, rowbytes + 1)
    types = rows[:, 0]
    filt = rows[:, 1:]
    if types.max(initial=0) > 4:
        bad = int(np.argmax(types > 4))
        raise ValueError(f"PNG file {name}: unknown filter type {int(types[bad])} in row {bad}")
    out = np.empty((h, rowbytes), dtype=np.uint8)
    if not np.isin(types, (3, 4)).any():
        # None / Sub / Up only: one vector operation per row
        prev = np.zeros(rowbytes, dtype=np.uint8)
        for r in range(h):
            t = types[r]
            if t == 0:
                out[r] = filt[r]
            elif t == 2:
                np.add(filt[r], prev, out=out[r])
            else:
                acc = np.add.accumulate(filt[r].reshape(-1, bpp), axis=0, dtype=np.uint8)
                out[r] = acc.reshape(-1)
            prev = out[r]
        return out
    # Average / Paeth make each byte depend on its left neighbour (bpp bytes back) and on
    # the row above, so no row can be done in one step. Pixels on one anti-diagonal
    # (row + column = d) do not depend on each other: store the rows skewed, row r shifted
    # right by r pixels, so that each anti-diagonal is one column, and sweep the columns.
    npix = rowbytes // bpp
    f = filt.reshape(h, npix, bpp)
    # diagonal-major skewed reconstruction: sk[r + c + 1, r + 1] is pixel (r, c); row 0 and
    # the never-written slots stand for the zero pixels above and left of the image
    sk = np.zeros((npix + h + 1, h + 1, bpp), dtype=np.int16)
    fs = np.zeros((npix + h + 1, h, bpp), dtype=np.int16)
    ridx = np.arange(h)[:, None]
    cols = ridx + 1 + np.arange(npix)[None, :]
    fs[cols, ridx] = f
    # per filter type: how many rows before row i use it (to see which types a diagonal has)
    counts = np.zeros((5, h + 1), dtype=np.int64)
    counts[:, 1:] = np.cumsum(types[None, :] == np.arange(5)[:, None], axis=1)
    counts = counts.tolist()
    masks = [(types == k)[:, None] for k in range(5)]
    zero = np.zeros((h, bpp), dtype=np.int16)
    for d in range(npix + h - 1):
        # rows lo..hi-1 have a pixel (r, c = d - r) on this diagonal, stored at sk[d + 1];
        # its left (r, c-1) and upper (r-1, c) neighbours are in sk[d], upper-left in sk[d-1]
        lo = max(0, d - npix + 1)
        hi = min(h, d + 1)
        a = sk[d, 1 + lo:1 + hi]
        b = sk[d, lo:hi]
        present = [k for k in range(5) if counts[k][hi] != counts[k][lo]]
        preds = []
        for k in present:
            if k == 0:
                p = zero[:hi - lo]
            elif k == 1:
                p = a
            elif k == 2:
                p = b
            elif k == 3:
                p = (a + b) >> 1
            else:
                p = _paeth_select(a, b, sk[d - 1, lo:hi] if d else zero[:hi - lo])
            preds.append(p)
        pred = preds[0]
        for k, p in zip(present[1:], preds[1:]):
            pred = np.where(masks[k][lo:hi], p, pred)
        np.bitwise_and(fs[d + 1, lo:hi] + pred, 0xFF, out=sk[d + 1, 1 + lo:1 + hi])
    return sk[cols, ridx + 1].astype(np.uint8).reshape(h, rowbytes)


def read_png(path_or_file):
    """Decode a PNG file into a NumPy array.

    Returns uint8 (uint16 for 16-bit files) shaped H×W (grey), H×W×2 (grey+alpha),
    H×W×3 (RGB; palette images without transparency) or H×W×4 (RGBA; palette images with
    a ``tRNS`` chunk). Grey images of bit depth 1, 2 or 4 are scaled to 0..255; the single
    transparent colour a grey or RGB file may name in ``tRNS`` is ignored. Interlaced
    files are not supported. Raises ValueError, naming the file, on a bad signature, a CRC
    mismatch or truncated data.
    """
    name = _name(path_or_file)
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "rb") as f:
            blob = f.read()
    else:
        blob = path_or_file.read()
    if blob[:8] != SIGNATURE:
        raise ValueError(f"{name} is not a PNG file (bad signature {blob[:8]!r})")
    pos = 8
    ihdr = None
    palette = None
    trns = None
    idat = []
    seen_end = False
    while pos < len(blob):
        if pos + 8 > len(blob):
            raise ValueError(f"PNG file {name} is truncated (chunk header at byte {pos})")
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        end = pos + 12 + length
        if end > len(blob):
            raise ValueError(f"PNG file {name} is truncated ({kind.decode('latin-1')!r} "
                             f"chunk of {length} bytes at byte {pos})")
        body = blob[pos + 4:pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length:end])
        if zlib.crc32(body) != crc:
            raise ValueError(f"PNG file {name}: CRC mismatch in {kind.decode('latin-1')!r} "
                             f"chunk at byte {pos}")
        data = body[4:]
        if kind == b"IHDR":
            if length != 13:
                raise ValueError(f"PNG file {name}: IHDR chunk has {length} bytes, not 13")
            ihdr = struct.unpack(">IIBBBBB", data)
        elif kind == b"PLTE":
            palette = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            trns = data
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            seen_end = True
            break
        elif not kind[0] & 0x20:   # an unknown critical chunk
            raise ValueError(f"PNG file {name}: unknown critical chunk {kind!r}")
        pos = end
    if ihdr is None:
        raise ValueError(f"PNG file {name} has no IHDR chunk")
    if not seen_end and not idat:
        raise ValueError(f"PNG file {name} is truncated (no image data)")
    w, h, depth, ctype, comp, filt_method, interlace = ihdr
    if ctype not in _CHANNELS or depth not in _ALLOWED_DEPTHS[ctype]:
        raise ValueError(f"PNG file {name}: invalid colour type {ctype} / bit depth {depth}")
    if comp != 0 or filt_method != 0:
        raise ValueError(f"PNG file {name}: unknown compression/filter method "
                         f"{comp}/{filt_method}")
    if interlace:
        raise ValueError(f"PNG file {name} is interlaced (Adam7); read_png only decodes "
                         "non-interlaced PNGs")
    if w == 0 or h == 0:
        raise ValueError(f"PNG file {name}: invalid image size {w}x{h}")
    ch = _CHANNELS[ctype]
    bits = depth * ch
    rowbytes = (w * bits + 7) // 8
    bpp = max(1, bits // 8)
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise ValueError(f"PNG file {name}: corrupt or truncated image data ({e})") from None
    if len(raw) < h * (rowbytes + 1):
        raise ValueError(f"PNG file {name} is truncated: image data has {len(raw)} bytes, "
                         f"{h * (rowbytes + 1)} expected for {w}x{h}")
    rows = _unfilter(raw, h, rowbytes, bpp, name)
    if depth == 16:
        img = rows.view(">u2").astype(np.uint16).reshape(h, w, ch)
    elif depth == 8:
        img = rows.reshape(h, w, ch)
    else:
        img = np.unpackbits(rows, axis=1).reshape(h, rowbytes * 8 // depth, depth)[:, :w]
        img = np.packbits(img, axis=2, bitorder="big").reshape(h, w) >> (8 - depth)
        img = img[:, :, None]
        if ctype == 0:
            img = img * np.uint8(255 // (2 ** depth - 1))
    if ctype == 3:
        if palette is None:
            raise ValueError(f"PNG file {name}: palette image without a PLTE chunk")
        idx = img[:, :, 0]
        if idx.max(initial=0) >= len(palette):
            raise ValueError(f"PNG file {name}: palette index {int(idx.max())} out of range "
                             f"for a palette of {len(palette)} colours")
        if trns is not None:
            alpha = np.full(len(palette), 255, dtype=np.uint8)
            t = np.frombuffer(trns, dtype=np.uint8)[: len(palette)]
            alpha[: len(t)] = t
            return np.concatenate([palette, alpha[:, None]], axis=1)[idx]
        return palette[idx]
    if ch == 1:
        return np.ascontiguousarray(img[:, :, 0])
    return np.ascontiguousarray(img)
