r"""Line charts as PNG files with NumPy only: no matplotlib, no fonts on disk.

``plot_lines`` draws one or more panels side by side (axes, round-number ticks, grid,
title, axis labels, legend, anti-aliased lines) into an H×W×3 uint8 image and writes it
as a PNG; ``render_text`` draws text with ember's own 5×7 pixel font, scaled by an
integer factor.

>>> import numpy as np
>>> img = plot_lines(None, [{"title": "loss", "series": {"train": ([1, 2, 3], [3, 2, 1])}}],
...                  width=300, height=200)
>>> img.shape, img.dtype
((200, 300, 3), dtype('uint8'))
>>> canvas = np.full((20, 60, 3), 255, np.uint8)
>>> text_size("ember", 2)
(58, 14)
>>> bool((render_text(canvas, 1, 3, "ember", (0, 0, 0), 2) < 255).any())
True
"""
import math
import numbers

import numpy as np

from . import _png

__all__ = ["plot_lines", "render_text", "text_size"]

# ---------------------------------------------------------------------------- the font
# One line per printable ASCII character (32..126): the character, then its 7 rows of
# 5 pixels, top to bottom ('#' ink, '.' paper). Drawn for ember. The letters in
# _DESCENDERS are drawn two rows lower, their tails hanging below the line.
_FONT_SRC = r"""
  ..... ..... ..... ..... ..... ..... .....
! ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..
" .#.#. .#.#. ..... ..... ..... ..... .....
# .#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.
$ ..#.. .#### #.#.. .###. ..#.# ####. ..#..
% ##... ##..# ...#. ..#.. .#... #..## ...##
& .##.. #..#. #.#.. .#... #.#.# #..#. .##.#
' ..#.. ..#.. ..... ..... ..... ..... .....
( ...#. ..#.. .#... .#... .#... ..#.. ...#.
) .#... ..#.. ...#. ...#. ...#. ..#.. .#...
* ..... ..#.. #.#.# .###. #.#.# ..#.. .....
+ ..... ..#.. ..#.. ##### ..#.. ..#.. .....
, ..... ..... ..... ..... .##.. ..#.. .#...
- ..... ..... ..... .###. ..... ..... .....
. ..... ..... ..... ..... ..... .##.. .##..
/ ..... ....# ...#. ..#.. .#... #.... .....
0 .###. #...# #..## #.#.# ##..# #...# .###.
1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
2 .###. #...# ....# ...#. ..#.. .#... #####
3 .###. #...# ....# ..##. ....# #...# .###.
4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
5 ##### #.... ####. ....# ....# #...# .###.
6 ..##. .#... #.... ####. #...# #...# .###.
7 ##### ....# ...#. ..#.. .#... .#... .#...
8 .###. #...# #...# .###. #...# #...# .###.
9 .###. #...# #...# .#### ....# ...#. .##..
: ..... .##.. .##.. ..... .##.. .##.. .....
; ..... .##.. .##.. ..... .##.. ..#.. .#...
< ...#. ..#.. .#... #.... .#... ..#.. ...#.
= ..... ..... ##### ..... ##### ..... .....
> .#... ..#.. ...#. ....# ...#. ..#.. .#...
? .###. #...# ....# ...#. ..#.. ..... ..#..
@ .###. #...# #.### #.#.# #.### #.... .####
A .###. #...# #...# ##### #...# #...# #...#
B ####. #...# #...# ####. #...# #...# ####.
C .###. #...# #.... #.... #.... #...# .###.
D ####. #...# #...# #...# #...# #...# ####.
E ##### #.... #.... ####. #.... #.... #####
F ##### #.... #.... ####. #.... #.... #....
G .###. #...# #.... #.### #...# #...# .####
H #...# #...# #...# ##### #...# #...# #...#
I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
J ..### ...#. ...#. ...#. ...#. #..#. .##..
K #...# #..#. #.#.. ##... #.#.. #..#. #...#
L #.... #.... #.... #.... #.... #.... #####
M #...# ##.## #.#.# #.#.# #...# #...# #...#
N #...# #...# ##..# #.#.# #..## #...# #...#
O .###. #...# #...# #...# #...# #...# .###.
P ####. #...# #...# ####. #.... #.... #....
Q .###. #...# #...# #...# #.#.# #..#. .##.#
R ####. #...# #...# ####. #.#.. #..#. #...#
S .#### #.... #.... .###. ....# ....# ####.
T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# #...# #...# .###.
V #...# #...# #...# #...# #...# .#.#. ..#..
W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
X #...# #...# .#.#. ..#.. .#.#. #...# #...#
Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
Z ##### ....# ...#. ..#.. .#... #.... #####
[ .###. .#... .#... .#... .#... .#... .###.
\ ..... #.... .#... ..#.. ...#. ....# .....
] .###. ...#. ...#. ...#. ...#. ...#. .###.
^ ..#.. .#.#. #...# ..... ..... ..... .....
_ ..... ..... ..... ..... ..... ..... #####
` .#... ..#.. ..... ..... ..... ..... .....
a ..... ..... .###. ....# .#### #...# .####
b #.... #.... #.##. ##..# #...# #...# ####.
c ..... ..... .###. #.... #.... #...# .###.
d ....# ....# .##.# #..## #...# #...# .####
e ..... ..... .###. #...# ##### #.... .###.
f ..##. .#..# .#... ###.. .#... .#... .#...
g .#### #...# #...# #...# .#### ....# .###.
h #.... #.... #.##. ##..# #...# #...# #...#
i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###.
j ...#. ..... ..##. ...#. ...#. #..#. .##..
k #.... #.... #..#. #.#.. ##... #.#.. #..#.
l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
m ..... ..... ##.#. #.#.# #.#.# #...# #...#
n ..... ..... #.##. ##..# #...# #...# #...#
o ..... ..... .###. #...# #...# #...# .###.
p ####. #...# #...# #...# ####. #.... #....
q .#### #...# #...# #...# .#### ....# ....#
r ..... ..... #.##. ##..# #.... #.... #....
s ..... ..... .###. #.... .###. ....# ####.
t .#... .#... ###.. .#... .#... .#..# ..##.
u ..... ..... #...# #...# #...# #..## .##.#
v ..... ..... #...# #...# #...# .#.#. ..#..
w ..... ..... #...# #...# #.#.# #.#.# .#.#.
x ..... ..... #...# .#.#. ..#.. .#.#. #...#
y #...# #...# #...# #...# .#### ....# .###.
z ..... ..... ##### ...#. ..#.. .#... #####
{ ...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.
| ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
} .#... ..#.. ..#.. ...#. ..#.. ..#.. .#...
~ ..... ..... .#... #.#.# ...#. ..... .....
"""

_GLYPH_W, _GLYPH_H = 5, 7
_DESCENDERS = "gpqy"
_CELL_H = _GLYPH_H + 3          # rows per text line: glyph, 2 rows of descender, 1 gap
_glyphs = None


def _font():
    """(95, 9, 5) bool array of the glyphs for ASCII 32..126, parsed on first use."""
    global _glyphs
    if _glyphs is None:
        g = np.zeros((95, _GLYPH_H + 2, _GLYPH_W), dtype=bool)
        for line in _FONT_SRC.split("\n"):
            if len(line) < 3:
                continue
            rows = np.array([[ch == "#" for ch in r] for r in line[2:].split()])
            down = 2 if line[0] in _DESCENDERS else 0
            g[ord(line[0]) - 32, down:down + _GLYPH_H] = rows
        _glyphs = g
    return _glyphs


def text_size(text, scale=1):
    """(width, height) in pixels of ``text`` drawn by :func:`render_text` at ``scale``.

    The height runs from the top of the capitals to the baseline of the last line; the
    tails of g, p, q, y hang 2 × ``scale`` pixels below it.
    """
    lines = str(text).split("\n")
    n = max(len(s) for s in lines)
    w = max(0, n * (_GLYPH_W + 1) - 1) * scale
    h = ((len(lines) - 1) * _CELL_H + _GLYPH_H) * scale
    return w, h


def _text_mask(text, scale):
    """Bool mask of ``text`` (several lines allowed) at integer ``scale``, descenders
    included (so 2 × scale rows taller than :func:`text_size` says)."""
    g = _font()
    lines = str(text).split("\n")
    n = max(len(s) for s in lines)
    if n == 0:
        return np.zeros((0, 0), dtype=bool)
    rows = []
    for s in lines:
        codes = np.frombuffer(s.ljust(n).encode("ascii", "replace"), dtype=np.uint8)
        codes = codes.astype(np.int64) - 32
        codes[(codes < 0) | (codes >= 95)] = ord("?") - 32
        cells = np.zeros((len(codes), _CELL_H, _GLYPH_W + 1), dtype=bool)
        cells[:, :_GLYPH_H + 2, :_GLYPH_W] = g[codes]
        rows.append(cells.transpose(1, 0, 2).reshape(_CELL_H, -1))
    mask = np.concatenate(rows, axis=0)[:-1, :-1]
    if scale != 1:
        mask = mask.repeat(scale, axis=0).repeat(scale, axis=1)
    return mask


def _paint(img, x, y, mask, color):
    """Set the pixels of ``mask`` placed at (x, y) (top-left) to ``color``, clipped."""
    h, w = mask.shape
    H, W = img.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, W), min(y + h, H)
    if x1 <= x0 or y1 <= y0:
        return
    region = img[y0:y1, x0:x1]
    region[mask[y0 - y:y1 - y, x0 - x:x1 - x]] = color


def render_text(img, x, y, text, color=(0, 0, 0), scale=1, *, align="left", valign="top",
                vertical=False):
    """Draw ``text`` into ``img`` (H×W×3 uint8, changed in place) and return ``img``.

    (x, y) is the text's left/center/right (``align``) and top/middle/bottom (``valign``)
    point; ``scale`` is an integer zoom of the 5×7 font; ``vertical=True`` turns the text
    90° counter-clockwise (reading bottom to top, as a y-axis label). ``'\n'`` starts a
    new line; characters outside printable ASCII are drawn as ``?``.
    """
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"render_text: scale must be a positive integer, got {scale}")
    if align not in ("left", "center", "right") or valign not in ("top", "middle", "bottom"):
        raise ValueError(f"render_text: align must be left/center/right and valign "
                         f"top/middle/bottom, got {align!r}, {valign!r}")
    mask = _text_mask(text, scale)
    w, h = text_size(text, scale)
    if vertical:
        mask = np.rot90(mask)
        w, h = h, w
    x = int(round(x - {"left": 0, "center": w / 2, "right": w}[align]))
    y = int(round(y - {"top": 0, "middle": h / 2, "bottom": h}[valign]))
    _paint(img, x, y, mask, np.asarray(color, dtype=np.uint8))
    return img


# ------------------------------------------------------------------------ axes and ticks

def _nice_ticks(lo, hi, target):
    """Round-number ticks (steps 1, 2, 2.5 or 5 × 10^k) inside [lo, hi], about ``target``."""
    span = hi - lo
    raw = span / max(target, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)], step


def _format_ticks(ticks, step):
    """Tick labels with the fewest decimals that tell every tick apart exactly."""
    big = max(abs(t) for t in ticks)
    if big >= 1e6 or step < 1e-4:
        return [f"{t:.3g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
                for t in ticks]
    for d in range(0, 7):
        if all(abs(round(t, d) - t) <= step * 1e-6 for t in ticks):
            break
    out = []
    for t in ticks:
        s = f"{t:.{d}f}"
        out.append("0" if float(s) == 0 else s)
    return out


# Distinct, colour-blind-aware series colours (blue, orange, green, red, purple, brown,
# pink, grey, olive, teal).
_COLORS = [(0, 107, 178), (235, 110, 10), (20, 150, 60), (205, 35, 45), (125, 80, 185),
           (140, 85, 45), (220, 90, 170), (110, 110, 110), (165, 160, 20), (10, 170, 190)]


def _clip_segments(x0, y0, x1, y1, rect):
    """Liang-Barsky: clip segments to ``rect`` (xmin, ymin, xmax, ymax); keep-mask too."""
    xmin, ymin, xmax, ymax = rect
    dx, dy = x1 - x0, y1 - y0
    t0 = np.zeros_like(x0)
    t1 = np.ones_like(x0)
    keep = np.ones(x0.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
            par = p == 0
            keep &= ~(par & (q < 0))
            r = q / p
            t0 = np.where(~par & (p < 0), np.maximum(t0, r), t0)
            t1 = np.where(~par & (p > 0), np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy), keep


def _stamp(px, py, radius, rect, width):
    """Anti-aliased discs of ``radius`` at points (px, py): (flat pixel index, coverage)
    pairs for the pixels inside ``rect`` = (x0, y0, x1, y1), x1/y1 exclusive; ``width``
    is the image's width. A pixel may appear more than once (see :func:`_merge`)."""
    r = int(math.ceil(radius + 0.5))
    oy, ox = np.mgrid[-r:r + 1, -r:r + 1]
    ox, oy = ox.ravel(), oy.ravel()
    cx = np.floor(px).astype(np.int64)[:, None] + ox
    cy = np.floor(py).astype(np.int64)[:, None] + oy
    dist = np.hypot(cx + 0.5 - px[:, None], cy + 0.5 - py[:, None])
    c = np.clip(radius + 0.5 - dist, 0.0, 1.0)
    ok = (c > 0) & (cx >= rect[0]) & (cx < rect[2]) & (cy >= rect[1]) & (cy < rect[3])
    return cy[ok] * width + cx[ok], c[ok]


def _merge(parts):
    """Join (index, coverage) pairs, keeping the largest coverage of each pixel."""
    idx = np.concatenate([p[0] for p in parts])
    cov = np.concatenate([p[1] for p in parts])
    if len(idx) == 0:
        return idx, cov
    order = np.argsort(idx, kind="stable")
    idx, cov = idx[order], cov[order]
    starts = np.flatnonzero(np.concatenate(([True], idx[1:] != idx[:-1])))
    return idx[starts], np.maximum.reduceat(cov, starts)


def _line_samples(xs, ys, rect, margin):
    """Points every half pixel along the polyline (xs, ys), segments clipped to ``rect``
    grown by ``margin``; segments with a non-finite end are left out."""
    x0, y0, x1, y1 = xs[:-1], ys[:-1], xs[1:], ys[1:]
    ok = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    grown = (rect[0] - margin, rect[1] - margin, rect[2] + margin, rect[3] + margin)
    (x0, y0, x1, y1), keep = _clip_segments(x0[ok], y0[ok], x1[ok], y1[ok], grown)
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    if len(x0) == 0:
        return np.zeros(0), np.zeros(0)
    n = np.ceil(np.hypot(x1 - x0, y1 - y0) / 0.5).astype(np.int64) + 1
    seg = np.repeat(np.arange(len(x0)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    t = (np.arange(len(seg)) - first) / np.maximum(n - 1, 1)[seg]
    return x0[seg] + t * (x1 - x0)[seg], y0[seg] + t * (y1 - y0)[seg]


def _blend(img, idx, cov, color):
    """Mix ``color`` into the pixels ``idx`` (flat indices) of ``img`` by ``cov``."""
    flat = img.reshape(-1, 3)
    a = cov.astype(np.float32)[:, None]
    mixed = flat[idx] * (1 - a) + np.asarray(color, np.float32) * a
    flat[idx] = (mixed + 0.5).astype(np.uint8)


# ------------------------------------------------------------------------------- charts

_PANEL_KEYS = {"title", "xlabel", "ylabel", "series", "ylim", "xlim"}


def _as_1d(v, what):
    if hasattr(v, "detach"):            # an ember (or torch) tensor
        v = v.detach().cpu().numpy()
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"plot_lines: {what} must be a sequence of numbers, got "
                         f"{type(v).__name__}") from None
    if a.ndim != 1:
        raise ValueError(f"plot_lines: {what} must be one-dimensional, got shape {a.shape}")
    return a


def _check_limits(lim, what):
    if lim is None:
        return None
    if (not isinstance(lim, (tuple, list)) or len(lim) != 2
            or not all(isinstance(v, numbers.Real) and math.isfinite(v) for v in lim)
            or not lim[0] < lim[1]):
        raise ValueError(f"plot_lines: {what} must be (low, high) finite numbers with "
                         f"low < high, got {lim!r}")
    return float(lim[0]), float(lim[1])


def _check_panels(panels):
    if isinstance(panels, dict):
        panels = [panels]
    if not isinstance(panels, (list, tuple)) or len(panels) == 0:
        raise ValueError(f"plot_lines: panels must be a non-empty list of dicts, got {panels!r}")
    out = []
    for i, p in enumerate(panels):
        if not isinstance(p, dict):
            raise TypeError(f"plot_lines: panel {i} must be a dict, got {type(p).__name__}")
        unknown = set(p) - _PANEL_KEYS
        if unknown:
            raise ValueError(f"plot_lines: panel {i} has unknown keys {sorted(unknown)}; "
                             f"allowed: {sorted(_PANEL_KEYS)}")
        series = p.get("series")
        if not isinstance(series, dict) or not series:
            raise ValueError(f"plot_lines: panel {i} needs a non-empty 'series' dict "
                             f"{{label: (xs, ys)}}, got {series!r}")
        data = []
        for label, xy in series.items():
            if not isinstance(xy, (tuple, list)) or len(xy) != 2:
                raise ValueError(f"plot_lines: series {label!r} of panel {i} must be a pair "
                                 f"(xs, ys)")
            xs = _as_1d(xy[0], f"xs of series {label!r}")
            ys = _as_1d(xy[1], f"ys of series {label!r}")
            if len(xs) != len(ys):
                raise ValueError(f"plot_lines: series {label!r} of panel {i} has "
                                 f"{len(xs)} xs but {len(ys)} ys")
            if len(xs) == 0:
                raise ValueError(f"plot_lines: series {label!r} of panel {i} is empty")
            data.append((str(label), xs, ys))
        out.append(dict(title=str(p.get("title") or ""), xlabel=str(p.get("xlabel") or ""),
                        ylabel=str(p.get("ylabel") or ""), series=data,
                        ylim=_check_limits(p.get("ylim"), f"ylim of panel {i}"),
                        xlim=_check_limits(p.get("xlim"), f"xlim of panel {i}")))
    return out


def _data_range(values, lim, pad):
    if lim is not None:
        return lim
    v = np.concatenate(values)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo <= 1e-12 * max(1.0, abs(lo)):
        d = max(abs(lo) * 0.05, 0.5)
        return lo - d, hi + d
    d = (hi - lo) * pad
    return lo - d, hi + d


def _draw_panel(img, panel, box, s):
    """Draw one panel into ``img`` inside ``box`` = (x0, y0, x1, y1) at font scale ``s``."""
    bx0, by0, bx1, by1 = box
    ink, grey, light = (30, 30, 30), (90, 90, 90), (228, 228, 228)
    cw, chh = 6 * s, 7 * s                       # character advance, character height
    series = panel["series"]
    xlo, xhi = _data_range([x for _, x, _ in series], panel["xlim"], 0.03)
    ylo, yhi = _data_range([y for _, _, y in series], panel["ylim"], 0.06)

    # vertical layout: title, plot, tick labels, x label
    top = by0 + s * 4 + ((chh + s * 5) if panel["title"] else 0)
    bottom = by1 - s * 4 - ((chh + s * 4) if panel["xlabel"] else 0) - (chh + s * 6)
    ph = max(bottom - top, 10)
    yticks, ystep = _nice_ticks(ylo, yhi, max(2, min(8, ph // (chh * 4))))
    ylabels = _format_ticks(yticks, ystep)
    lw_ticks = max(len(t) for t in ylabels) * cw - s
    left = bx0 + s * 4 + ((chh + s * 5) if panel["ylabel"] else 0) + lw_ticks + s * 6
    bottom = top + ph

    def fit_xticks(pw):
        # the most ticks whose labels keep a gap of 2 characters between them
        for target in range(10, 1, -1):
            ticks, step = _nice_ticks(xlo, xhi, target)
            labels = _format_ticks(ticks, step)
            longest = max(len(t) for t in labels) * cw
            if len(ticks) <= 1 or step / (xhi - xlo) * pw >= longest + 2 * cw:
                break
        return ticks, labels

    # labels at the ends of the x axis are centred on their ticks: leave room for half
    xticks, xlabels = fit_xticks(bx1 - left)
    half = (max(len(t) for t in xlabels) * cw) // 2
    left = max(left, bx0 + half + s * 2)
    right = bx1 - max(s * 8, half + s * 3)
    pw = max(right - left, 10)
    right = left + pw
    xticks, xlabels = fit_xticks(pw)

    def px(v):
        return left + (np.asarray(v, np.float64) - xlo) / (xhi - xlo) * (pw - 1)

    def py(v):
        return bottom - 1 - (np.asarray(v, np.float64) - ylo) / (yhi - ylo) * (ph - 1)

    # grid, frame and ticks
    for t in yticks:
        r = int(round(float(py(t))))
        img[r, left:right] = light
        img[r, left - s * 3:left] = grey
    for t in xticks:
        c = int(round(float(px(t))))
        img[top:bottom, c] = light
        img[bottom:bottom + s * 3, c] = grey
    img[top, left:right] = grey
    img[bottom - 1, left:right] = grey
    img[top:bottom, left] = grey
    img[top:bottom, right - 1] = grey
    for t, lab in zip(yticks, ylabels):
        render_text(img, left - s * 5, float(py(t)), lab, ink, s, align="right",
                    valign="middle")
    for t, lab in zip(xticks, xlabels):
        render_text(img, float(px(t)), bottom + s * 5, lab, ink, s, align="center")
    if panel["title"]:
        render_text(img, (left + right) / 2, by0 + s * 4, panel["title"], ink, s,
                    align="center")
    if panel["xlabel"]:
        render_text(img, (left + right) / 2, by1 - s * 4, panel["xlabel"], ink, s,
                    align="center", valign="bottom")
    if panel["ylabel"]:
        render_text(img, bx0 + s * 4, (top + bottom) / 2, panel["ylabel"], ink, s,
                    align="left", valign="middle", vertical=True)

    # the lines, clipped to the inside of the frame
    lw = max(2.0, 1.5 * s)
    H, W = img.shape[:2]
    inner = (left + 1, top + 1, right - 1, bottom - 1)
    drawn = []
    for k, (_, xs, ys) in enumerate(series):
        color = _COLORS[k % len(_COLORS)]
        X, Y = px(xs), py(ys)
        sx, sy = _line_samples(X, Y, inner, lw + 2)
        parts = [_stamp(sx, sy, lw / 2, inner, W)]
        fin = np.isfinite(X) & np.isfinite(Y)
        if fin.sum() <= 40:            # few points: mark them
            parts.append(_stamp(X[fin], Y[fin], lw * 1.1, inner, W))
        _blend(img, *_merge(parts), color)
        drawn.append(np.stack([np.concatenate([sx, X[fin]]), np.concatenate([sy, Y[fin]])], 1))

    # legend in the corner where it hides the least of the lines (if it fits at all)
    labels = [lab for lab, _, _ in series]
    sample = 7 * s
    lh = chh + s * 4
    legw = sample + max(len(t) for t in labels) * cw + s * 11
    legh = len(labels) * lh + s * 4
    if legw > pw - s * 8 or legh > ph - s * 8:
        return
    pts = np.concatenate(drawn)
    best = None
    xr, yb = right - s * 4 - legw, bottom - s * 4 - legh
    for cx, cy in ((xr, top + s * 4), (xr, yb), (left + s * 4, top + s * 4), (left + s * 4, yb)):
        n = int(((pts[:, 0] >= cx - lw) & (pts[:, 0] <= cx + legw + lw)
                 & (pts[:, 1] >= cy - lw) & (pts[:, 1] <= cy + legh + lw)).sum())
        if best is None or n < best[0]:
            best = (n, cx, cy)
    _, lx, ly = best
    lx, ly = int(lx), int(ly)
    img[ly:ly + legh, lx:lx + legw] = 255
    img[ly, lx:lx + legw] = (200, 200, 200)
    img[ly + legh - 1, lx:lx + legw] = (200, 200, 200)
    img[ly:ly + legh, lx] = (200, 200, 200)
    img[ly:ly + legh, lx + legw - 1] = (200, 200, 200)
    for k, lab in enumerate(labels):
        color = _COLORS[k % len(_COLORS)]
        cy = ly + s * 2 + k * lh + lh / 2
        x0 = lx + s * 4
        t = np.linspace(0, 1, 2 * sample)
        _blend(img, *_merge([_stamp(x0 + t * sample, np.full_like(t, cy), lw / 2,
                                    (0, 0, W, H), W)]), color)
        render_text(img, x0 + sample + s * 4, cy, lab, ink, s, valign="middle")


def plot_lines(path, panels, *, width=1000, height=420, title=None):
    """Draw line charts side by side and write them as a PNG file; return the image.

    ``panels``: a list of dicts ``{"title": str, "xlabel": str, "ylabel": str,
    "series": {label: (xs, ys)}, "ylim": (lo, hi) or None}`` (``"xlim"`` too), one panel
    each, drawn left to right with axes, round-number ticks, a grid and a legend; every
    series gets its own colour. ``path``: where to write the PNG (a path or binary file
    object), or None to only draw. Returns the H×W×3 uint8 image. Raises ValueError on
    empty series, xs and ys of different lengths or a bad ``ylim``.
    """
    panels = _check_panels(panels)
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"plot_lines: {name} must be an int, got {type(v).__name__}")
    n = len(panels)
    if width < 120 * n or height < 100:
        raise ValueError(f"plot_lines: a {width}x{height} image is too small for {n} "
                         f"panel(s) (at least {120 * n}x100)")
    s = max(1, min(width // n // 200, height // 170, 4))
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    y0 = 0
    if title:
        render_text(img, width / 2, s * 5, str(title), (20, 20, 20), s + 1, align="center")
        y0 = s * 5 + 7 * (s + 1) + s * 2
    for i, p in enumerate(panels):
        _draw_panel(img, p, (i * width // n, y0, (i + 1) * width // n, height), s)
    if path is not None:
        _png.write_png(path, img)
    return img
