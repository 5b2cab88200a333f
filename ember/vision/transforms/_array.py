"""NumPy kernels behind the tensor (and ndarray) path of ``ember.vision.transforms``.

Every function takes and returns NumPy arrays shaped ``(..., H, W)`` (colour functions:
``(..., C, H, W)``) and follows torchvision's tensor semantics: integer images are
computed in float32 and rounded (resampling) or truncated (colour blends) back, float
images keep their dtype. Resampling is separable: per axis, every output sample is a
short weighted sum of input samples (K taps: 2 for bilinear, 4 for bicubic, more when an
antialiased downscale widens the filter), applied as K gathers along that axis — the
sparse form of multiplying by an (out, in) weight matrix.
"""
import functools
import math

import numpy as np

_F32 = np.float32


def max_value(dtype):
    """The value of "full intensity" for an image dtype (1 for floats)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).max)
    return 1


def compute_dtype(dtype):
    """float32/float64 images compute in their own dtype; everything else in float32."""
    dtype = np.dtype(dtype)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def cast_back(x, dtype, rnd=True):
    """Return a float result to the input's dtype (integers rounded first, as torchvision
    does after resampling)."""
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    if dtype.kind in "iub" and rnd:
        x = np.round(x)
    return x.astype(dtype)


# ---- resize ------------------------------------------------------------------------------

def _nearest_index(n_in, n_out, exact):
    scale = _F32(n_in) / _F32(n_out)
    if exact:     # (i + 0.5) * scale in double, rounded to float before the floor, as torch
        src = np.floor(((np.arange(n_out) + 0.5) * np.float64(scale)).astype(_F32))
    else:
        src = np.floor(np.arange(n_out, dtype=_F32) * scale)
    return np.minimum(src.astype(np.int64), n_in - 1)


def _cubic(x, a):
    """Keys' cubic convolution kernel with parameter ``a`` at offsets ``x`` (any sign)."""
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _linear_taps(n_in, n_out):
    """Bilinear (align_corners=False) taps: float32 index arithmetic, as torch."""
    scale = _F32(n_in) / _F32(n_out)
    src = scale * (np.arange(n_out, dtype=_F32) + _F32(0.5)) - _F32(0.5)
    src = np.maximum(src, _F32(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(_F32), 0, 1).astype(np.float64)
    i1 = i0 + (i0 < n_in - 1)
    return np.stack([i0, i1], 1), np.stack([1.0 - lam, lam], 1)


def _cubic_taps(n_in, n_out):
    """Bicubic (a=-0.75, align_corners=False) taps; indices past the border repeat it."""
    scale = _F32(n_in) / _F32(n_out)
    src = scale * (np.arange(n_out, dtype=_F32) + _F32(0.5)) - _F32(0.5)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    t = np.clip(src - i0.astype(_F32), 0, 1).astype(np.float64)
    offsets = np.arange(-1, 3)
    wt = _cubic(t[:, None] - offsets[None, :], -0.75)
    idx = np.clip(i0[:, None] + offsets[None, :], 0, n_in - 1)
    return idx, wt


def _antialias_taps(n_in, n_out, mode):
    """PIL-style filtered resampling: the kernel's support widens by the downscale factor
    and the taps of every output pixel are normalised to sum to one."""
    size = 2.0 if mode == "bilinear" else 4.0
    scale = n_in / n_out
    support = size * 0.5 * scale if scale >= 1.0 else size * 0.5
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (np.arange(n_out) + 0.5)
    lo = np.maximum(np.trunc(center - support + 0.5).astype(np.int64), 0)
    hi = np.minimum(np.trunc(center + support + 0.5).astype(np.int64), n_in)
    k = int(max((hi - lo).max(), 1))
    j = lo[:, None] + np.arange(k)[None, :]
    x = (j - center[:, None] + 0.5) * inv
    if mode == "bilinear":
        wt = np.maximum(1.0 - np.abs(x), 0.0)
    else:
        wt = _cubic(x, -0.5)
    wt = np.where(j < hi[:, None], wt, 0.0)
    total = wt.sum(axis=1, keepdims=True)
    wt = np.divide(wt, total, out=np.zeros_like(wt), where=total != 0)
    return np.minimum(j, n_in - 1), wt


@functools.lru_cache(maxsize=128)
def _taps(n_in, n_out, mode, antialias):
    """``(index, weight)``, both (n_out, K): output i = sum_k weight[i, k] * in[index[i, k]].
    Cached (pipelines resize many images between the same sizes), so read-only."""
    if antialias:
        idx, wt = _antialias_taps(n_in, n_out, mode)
    elif mode == "bilinear":
        idx, wt = _linear_taps(n_in, n_out)
    else:
        idx, wt = _cubic_taps(n_in, n_out)
    idx.flags.writeable = False
    wt.flags.writeable = False
    return idx, wt


def _resample(x, taps, axis):
    """Apply taps along ``axis`` (-1 or -2) of float array ``x``."""
    idx, wt = taps
    wt = wt.astype(x.dtype)
    out = tmp = None
    for k in range(idx.shape[1]):
        if axis == -1:
            g, w = x[..., idx[:, k]], wt[:, k]
        else:
            g, w = x[..., idx[:, k], :], wt[:, k, None]
        if out is None:
            out = np.multiply(g, w)
            tmp = np.empty_like(out)
        else:
            out += np.multiply(g, w, out=tmp)
    return out


def resize(a, size, mode="bilinear", antialias=True):
    """Resize the last two dims of ``a`` to ``size = (h, w)`` like
    ``interpolate(..., align_corners=False)``; ``mode``: nearest, nearest-exact, bilinear,
    bicubic."""
    h, w = a.shape[-2:]
    oh, ow = int(size[0]), int(size[1])
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        out = a if oh == h else np.take(a, _nearest_index(h, oh, exact), axis=-2)
        return out if ow == w else np.take(out, _nearest_index(w, ow, exact), axis=-1)
    ct = compute_dtype(a.dtype)
    x = a.astype(ct, copy=False)
    th = None if oh == h else _taps(h, oh, mode, antialias)
    tw = None if ow == w else _taps(w, ow, mode, antialias)
    # the cheaper pass order: width first costs Kw*h*ow + Kh*oh*ow, height first
    # Kh*oh*w + Kw*oh*ow (per image)
    if th is not None and tw is not None and \
            tw[0].shape[1] * h * ow + th[0].shape[1] * oh * ow > \
            th[0].shape[1] * oh * w + tw[0].shape[1] * oh * ow:
        x = _resample(_resample(x, th, -2), tw, -1)
    else:
        if tw is not None:
            x = _resample(x, tw, -1)
        if th is not None:
            x = _resample(x, th, -2)
    if mode == "bicubic" and a.dtype == np.uint8:
        x = np.clip(x, 0, 255)
    return cast_back(x, a.dtype)


# ---- pad / crop --------------------------------------------------------------------------

def _pad_index(n, before, after, mode):
    """Source index of every output position along one axis for edge/reflect padding
    (negative amounts drop positions, as torch's padding kernels do)."""
    src = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(src, 0, n - 1)
    src = np.abs(src)
    return np.where(src > n - 1, 2 * (n - 1) - src, src)


def pad(a, left, top, right, bottom, mode="constant", fill=0):
    """Pad the last two dims; negative amounts crop. ``mode``: constant, edge, reflect,
    symmetric."""
    h, w = a.shape[-2:]
    if mode in ("edge", "reflect"):
        if mode == "reflect" and (left >= w or right >= w or top >= h or bottom >= h):
            raise RuntimeError(
                f"Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({left}, {right}, {top}, {bottom}) for an image of size "
                f"{h}x{w} (height x width)")
        if h == 0 or w == 0 or h + top + bottom <= 0 or w + left + right <= 0:
            raise RuntimeError(f"input (H: {h}, W: {w}) is too small for padding ({left}, "
                               f"{right}, {top}, {bottom}) in mode '{mode}'")
        out = np.take(a, _pad_index(h, top, bottom, mode), axis=-2)
        return np.take(out, _pad_index(w, left, right, mode), axis=-1)
    if min(left, top, right, bottom) < 0:
        a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
        h, w = a.shape[-2:]
    if mode == "constant":
        out = np.empty(a.shape[:-2] + (h + top + bottom, w + left + right), a.dtype)
        out[...] = np.array(fill).astype(a.dtype)
        out[..., top:top + h, left:left + w] = a
        return out
    if h == 0 or w == 0:
        raise RuntimeError(f"padding mode '{mode}' needs a non-empty image, got size {h}x{w}")
    widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(a, widths, mode=mode)


def crop(a, top, left, height, width):
    """A window of the last two dims; parts outside the image are zero."""
    h, w = a.shape[-2:]
    bottom, right = top + height, left + width
    if top >= 0 and left >= 0 and bottom <= h and right <= w:
        return a[..., top:bottom, left:right]
    inner = a[..., max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
    return pad(inner, max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
               max(right - max(w, left), 0), max(bottom - max(h, top), 0))


# ---- geometric (grid) transforms ---------------------------------------------------------

def affine_grid(theta, w, h, ow, oh, dtype):
    """Sampling grid (oh, ow, 2) in normalised coordinates for the inverse affine map
    ``theta`` (2x3, pixel units about the image centre)."""
    theta = np.asarray(theta, dtype).reshape(2, 3)
    xs = (np.arange(ow, dtype=np.float64) + (0.5 - ow * 0.5)).astype(dtype)
    ys = (np.arange(oh, dtype=np.float64) + (0.5 - oh * 0.5)).astype(dtype)
    r = theta.T / np.array([0.5 * w, 0.5 * h], dtype)          # (3, 2)
    grid = np.empty((oh, ow, 2), dtype)
    for c in range(2):
        grid[..., c] = (xs[None, :] * r[0, c] + ys[:, None] * r[1, c]) + r[2, c]
    return grid


def perspective_grid(coeffs, ow, oh, dtype):
    """Sampling grid (oh, ow, 2) for the 8 perspective coefficients (output -> input)."""
    c = np.asarray(coeffs, dtype)
    t1 = np.array([[c[0], c[1], c[2]], [c[3], c[4], c[5]]], dtype)
    t2 = np.array([[c[6], c[7], 1.0], [c[6], c[7], 1.0]], dtype)
    xs = np.linspace(0.5, ow - 0.5, ow, dtype=np.float64).astype(dtype)
    ys = np.linspace(0.5, oh - 0.5, oh, dtype=np.float64).astype(dtype)
    base = np.empty((oh, ow, 3), dtype)
    base[..., 0] = xs[None, :]
    base[..., 1] = ys[:, None]
    base[..., 2] = 1
    base = base.reshape(-1, 3)
    g1 = base @ (t1.T / np.array([0.5 * ow, 0.5 * oh], dtype))
    g2 = base @ t2.T
    return (g1 / g2 - 1).reshape(oh, ow, 2).astype(dtype)


def _sample(x, grid, mode):
    """``grid_sample`` with zero padding and align_corners=False: x (N, H, W) -> (N, oh, ow)."""
    dt = x.dtype
    one, two = dt.type(1), dt.type(2)
    n, h, w = x.shape
    # one extra zero "pixel" at position h*w: every out-of-image tap reads it
    flat = np.concatenate([x.reshape(n, h * w), np.zeros((n, 1), dt)], axis=1)
    ix = ((grid[..., 0] + one) * dt.type(w) - one) / two
    iy = ((grid[..., 1] + one) * dt.type(h) - one) / two
    if mode == "nearest":
        jx = np.rint(ix).astype(np.int64)
        jy = np.rint(iy).astype(np.int64)
        ok = (jx >= 0) & (jx < w) & (jy >= 0) & (jy < h)
        return np.take(flat, np.where(ok, jy * w + jx, h * w), axis=1)
    x0 = np.floor(ix)
    y0 = np.floor(iy)
    x1, y1 = x0 + one, y0 + one
    ex, wx, ey, wy = x1 - ix, ix - x0, y1 - iy, iy - y0
    xi, yi = x0.astype(np.int64), y0.astype(np.int64)
    okx = ((xi >= 0) & (xi < w), (xi >= -1) & (xi < w - 1))
    oky = ((yi >= 0) & (yi < h), (yi >= -1) & (yi < h - 1))
    base = yi * w + xi
    out = None
    for dy, dx, wgt in ((0, 0, ex * ey), (0, 1, wx * ey), (1, 0, ex * wy), (1, 1, wx * wy)):
        pos = np.where(oky[dy] & okx[dx], base + (dy * w + dx), h * w)
        term = np.take(flat, pos, axis=1) * wgt
        out = term if out is None else out + term
    return out


def grid_transform(a, grid, mode, fill):
    """Resample images ``a`` (..., C, H, W) at ``grid`` (oh, ow, 2); points that fall
    outside take ``fill`` (None: zero, else one value or one value per channel)."""
    ct = np.dtype(grid.dtype)
    lead = a.shape[:-2]
    x = a.astype(ct, copy=False).reshape((-1,) + a.shape[-2:])
    out = _sample(x, grid, mode).reshape(lead + grid.shape[:2])
    if fill is not None:
        m = _sample(np.ones((1,) + a.shape[-2:], ct), grid, mode)[0]
        fv = np.asarray(fill if isinstance(fill, (list, tuple)) else [fill], ct)
        fv = np.broadcast_to(fv.reshape(-1, 1, 1), (a.shape[-3], 1, 1))
        if mode == "nearest":
            out = np.where(m < 0.5, fv, out)
        else:
            out = out * m + (ct.type(1) - m) * fv
    return cast_back(out.astype(ct, copy=False), a.dtype)


def affine_output_size(matrix, w, h):
    """Bounding box (w, h) of the image corners under ``matrix`` (used by expand=True)."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], _F32)
    theta = np.asarray(matrix, _F32).reshape(2, 3)
    new = pts @ theta.T
    half = np.array([w * 0.5, h * 0.5], _F32)
    lo = new.min(axis=0) + half
    hi = new.max(axis=0) + half
    tol = _F32(1e-4)
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


# ---- colour ------------------------------------------------------------------------------

def blend(a, b, ratio):
    """``ratio * a + (1 - ratio) * b`` clamped to the image range, in ``a``'s dtype
    (integers truncated, as torchvision's ``.to(dtype)`` does)."""
    ct = compute_dtype(a.dtype)
    r = float(ratio)
    out = ct.type(r) * a.astype(ct, copy=False) + ct.type(1.0 - r) * np.asarray(b).astype(
        ct, copy=False)
    out = np.clip(out, 0, max_value(a.dtype))
    return out.astype(a.dtype, copy=False)


def grayscale(a):
    """ITU-R 601-2 luma of (..., 3, H, W) -> (..., 1, H, W), in ``a``'s dtype (truncated)."""
    ct = compute_dtype(a.dtype)
    r, g, b = (a[..., i, :, :].astype(ct, copy=False) for i in range(3))
    lum = ct.type(0.2989) * r + ct.type(0.587) * g + ct.type(0.114) * b
    return lum.astype(a.dtype, copy=False)[..., None, :, :]


def image_mean(a):
    """Mean over (C, H, W) of each image in float32 (float64 images: float64)."""
    ct = compute_dtype(a.dtype)
    m = a.astype(np.float64).mean(axis=(-3, -2, -1), keepdims=True)
    return m.astype(ct)


def rgb_to_hsv(x):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc = x.max(axis=-3)
    minc = x.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = x.dtype.type(1)
    s = cr / np.where(eqc, one, maxc)
    div = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (x.dtype.type(2) + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (x.dtype.type(4) + gc - rc)
    h = np.fmod((hr + hg + hb) / x.dtype.type(6) + one, one)
    return np.stack((h, s, maxc), axis=-3)


def hsv_to_rgb(x):
    h, s, v = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    one = x.dtype.type(1)
    i = np.floor(h * x.dtype.type(6))
    f = h * x.dtype.type(6) - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (one - s), 0, 1)
    q = np.clip(v * (one - s * f), 0, 1)
    t = np.clip(v * (one - s * (one - f)), 0, 1)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    return np.stack([np.choose(i, chan) for chan in table], axis=-3).astype(x.dtype)


def to_float_image(a, dtype=np.float32):
    """convert_image_dtype to a float dtype."""
    if a.dtype.kind == "f":
        return a.astype(dtype, copy=False)
    return a.astype(dtype) / dtype(max_value(a.dtype))


def from_float_image(x, dtype):
    """convert_image_dtype from float ``x`` back to ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return x.astype(dtype, copy=False)
    scale = x.dtype.type(max_value(dtype) + 1.0 - 0.001)
    return (x * scale).astype(dtype)


def gaussian_kernel1d(ksize, sigma, dtype):
    half = (ksize - 1) * 0.5
    x = np.linspace(-half, half, ksize).astype(dtype)
    pdf = np.exp(dtype.type(-0.5) * (x / dtype.type(sigma)) ** 2)
    return (pdf / pdf.sum(dtype=dtype)).astype(dtype)


def correlate_separable(x, kx, ky):
    """Valid 2-D correlation of x (..., H, W) with the outer product ky ⊗ kx."""
    ow = x.shape[-1] - len(kx) + 1
    oh = x.shape[-2] - len(ky) + 1
    t = np.zeros(x.shape[:-1] + (ow,), x.dtype)
    for i, c in enumerate(kx):
        t += c * x[..., i:i + ow]
    out = np.zeros(x.shape[:-2] + (oh, ow), x.dtype)
    for i, c in enumerate(ky):
        out += c * t[..., i:i + oh, :]
    return out


def gaussian_blur(a, ksize, sigma):
    """Blur (..., H, W) with a separable Gaussian; borders reflect."""
    ct = compute_dtype(a.dtype)
    kx = gaussian_kernel1d(ksize[0], sigma[0], ct)
    ky = gaussian_kernel1d(ksize[1], sigma[1], ct)
    x = pad(a.astype(ct, copy=False), ksize[0] // 2, ksize[1] // 2, ksize[0] // 2,
            ksize[1] // 2, "reflect")
    return cast_back(correlate_separable(x, kx, ky), a.dtype)


def sharpness_blur(a):
    """The 3x3 smoothing kernel (1 1 1 / 1 5 1 / 1 1 1)/13 on the interior; edges kept."""
    ct = compute_dtype(a.dtype)
    x = a.astype(ct, copy=False)
    k = np.ones((3, 3), ct)
    k[1, 1] = 5
    k /= k.sum()
    h, w = a.shape[-2:]
    acc = np.zeros(a.shape[:-2] + (h - 2, w - 2), ct)
    for i in range(3):
        for j in range(3):
            acc += k[i, j] * x[..., i:i + h - 2, j:j + w - 2]
    out = a.copy()
    out[..., 1:-1, 1:-1] = cast_back(acc, a.dtype)
    return out


def autocontrast(a):
    ct = compute_dtype(a.dtype)
    bound = max_value(a.dtype)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(ct)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(ct)
    with np.errstate(divide="ignore", invalid="ignore"):
        # torch evaluates ``bound / t`` as ``t.reciprocal() * bound``: same rounding here
        scale = (ct.type(1) / (hi - lo)) * ct.type(bound)
    bad = ~np.isfinite(scale)
    lo = np.where(bad, ct.type(0), lo)
    scale = np.where(bad, ct.type(1), scale)
    out = np.clip((a.astype(ct) - lo) * scale, 0, bound)
    return out.astype(a.dtype)


def equalize_channel(c):
    hist = np.bincount(c.ravel(), minlength=256)
    nz = hist[hist != 0]
    step = int(nz[:-1].sum()) // 255
    if step == 0:
        return c
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate(([0], lut[:-1])), 0, 255)
    return lut[c.astype(np.int64)].astype(np.uint8)


def equalize(a):
    """Histogram equalisation per channel of uint8 (..., C, H, W)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.stack([equalize_channel(c) for c in flat]).reshape(a.shape)


def inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The affine map  T(translate) · C · R(angle) · Shear · Scale · C⁻¹  as six
    coefficients (a, b, c, d, e, f): with ``inverted`` (default) the map from output pixels
    to input pixels, which is what resampling needs; else the forward map."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # rotation-shear part RSS = [[a, b], [c, d]] (determinant 1)
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
        m[2] = m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
        m[5] = m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    else:
        m = [a * scale, b * scale, 0.0, c * scale, d * scale, 0.0]
        m[2] = m[0] * -cx + m[1] * -cy + cx + tx
        m[5] = m[3] * -cx + m[4] * -cy + cy + ty
    return m
