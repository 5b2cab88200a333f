"""Neural-network ops: convolution, transposed convolution, pooling, softmax, hardtanh.

Convolution is im2col through a strided view of the padded input and one matmul per group.
The column matrix is channels-last inside (runs of ``ci`` contiguous values) when there are
enough channels per group, else kernel-position-major (one contiguous block per kernel
position); the forward keeps its columns for the weight gradient. Two cases skip the
columns: 1x1 kernels without padding are one broadcast matmul in the output's own layout,
and depthwise convolutions (one input channel per group) are a multiply-add per kernel
position over a flat, stride-phased copy of the input (see "depthwise convolution" below).
Its two gradients are ops of their own (the transposed convolution and the weight gradient);
the three ops are each other's adjoints, so backward of backward is again made of them and
double backward works.
Max pooling keeps, per output, which kernel position held the maximum (int8), so its
backward is one strided add per kernel position, with no scatter.
"""
import contextlib
import functools
import itertools
import math
import threading
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ..backend.cpu import keep_where
from ._dispatch import OUT, Op, apply
from ._dispatch import inplace as inplace_op

# what torch also has at top level (``torch.conv2d``, ...); the top-level versions take the
# same arguments as torch.nn.functional's (max pools accept return_indices besides)
__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d",
           "softmax", "log_softmax", "pixel_shuffle"]

# functions the nn.functional layer imports from here that are not exported at top level:
# torch has no top-level avg_pool2d & co, and torch.adaptive_max_pool1d always returns
# (values, indices) where F.adaptive_max_pool1d returns values unless return_indices
_NN_ONLY = ["avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
            "max_unpool2d", "hardtanh", "hardtanh_"]


def _tup(v, n, name="value"):
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


# --- convolution kernels on NumPy arrays ------------------------------------------------------
def _pad(x, pads, value=0.0):
    """Pad the trailing ``len(pads)`` dims of ``x`` by ``(lo, hi)`` pairs."""
    if not any(lo or hi for lo, hi in pads):
        return x
    nd = len(pads)
    shape = x.shape[:-nd] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[-nd:], pads))
    out = np.full(shape, value, dtype=x.dtype) if value else np.zeros(shape, dtype=x.dtype)
    sl = (Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[-nd:], pads))
    out[sl] = x
    return out


def _out_size(i, k, s, p_lo, p_hi, d):
    return (i + p_lo + p_hi - d * (k - 1) - 1) // s + 1


def _windows(xp, O, K, stride, dil):
    """Strided view ``(N, C, *O, *K)`` of the padded input ``xp`` (no copy)."""
    nd = len(K)
    st = xp.strides
    shape = xp.shape[:2] + tuple(O) + tuple(K)
    strides = st[:2] + tuple(st[2 + i] * stride[i] for i in range(nd)) + \
        tuple(st[2 + i] * dil[i] for i in range(nd))
    return as_strided(xp, shape, strides, writeable=False)


# The convolution kernels work channels-last inside: the im2col copy then moves runs of
# ``C`` contiguous values, and the column matrix is ``(N*prod(O), prod(K)*ci)`` with the
# channel fastest, so the weight is reordered to ``(co, *K, ci)`` (small).
def _cl(ci, g):
    """Channels-last columns (``(*K, ci)`` order) pay off once a channel run is long. With
    groups, the group axis moves in front and the kernel positions no longer merge with the
    channel run, so the runs copied are only ``ci`` long: channels-last needs more channels."""
    return ci >= (4 if g == 1 else 16)


def _cl_in(ci, g):
    """The same choice for scattering columns back (the input gradient): channel runs
    must be longer there before channels-last wins."""
    return ci >= (16 if g == 1 else 64)


def _cols(x, K, p, O=None):
    """im2col: ``(g, N*prod(O), prod(K)*ci)`` (``ci*prod(K)`` for few channels, see _cl)
    and the output spatial size ``O`` (given: the first ``O`` outputs only)."""
    nd = len(K)
    N, C = x.shape[:2]
    I = x.shape[2:]
    g = p["groups"]
    ci = C // g
    pads, stride, dil = p["pads"], p["stride"], p["dil"]
    if O is None:
        O = tuple(_out_size(I[i], K[i], stride[i], *pads[i], dil[i]) for i in range(nd))
    P = tuple(I[i] + pads[i][0] + pads[i][1] for i in range(nd))
    if not _cl(ci, g):
        # few channels: one contiguous block per kernel position, (g, ci, *K, N, *O); the
        # matrix returned is its transpose (a view BLAS takes as it is)
        xp = _pad(x, pads)
        colsT = np.empty((g, ci) + K + (N,) + O, dtype=x.dtype)
        perm = (1, 2, 0) + tuple(range(3, 3 + nd))
        for k, v in _kviews(xp.reshape((N * C,) + P), K, stride, dil, O):
            colsT[(slice(None), slice(None)) + k] = v.reshape((N, g, ci) + O).transpose(perm)
        colsT = colsT.reshape(g, ci * math.prod(K), N * math.prod(O))
        return colsT.transpose(0, 2, 1), O
    xl = np.zeros((N,) + P + (C,), dtype=x.dtype)          # padded, channels-last
    inner = tuple(slice(pads[i][0], pads[i][0] + I[i]) for i in range(nd))
    xl[(slice(None),) + inner] = np.moveaxis(x, 1, -1)
    st = xl.strides
    shape = (N,) + O + K + (g, ci)
    strides = (st[0],) + tuple(st[1 + i] * stride[i] for i in range(nd)) + \
        tuple(st[1 + i] * dil[i] for i in range(nd)) + (st[-1] * ci, st[-1])
    w = as_strided(xl, shape, strides, writeable=False)
    if g == 1:
        cols = w.reshape(1, N * math.prod(O), math.prod(K) * ci)
    else:
        perm = (1 + 2 * nd,) + tuple(range(1 + 2 * nd)) + (2 + 2 * nd,)
        cols = w.transpose(perm).reshape(g, N * math.prod(O), math.prod(K) * ci)
    return np.ascontiguousarray(cols), O


def _w_mat(w, g, cl=None):
    """``(g*co, ci, *K)`` -> ``(g, co, prod(K)*ci)`` (``ci*prod(K)`` unless channels-last)."""
    nd = w.ndim - 2
    co, ci = w.shape[0] // g, w.shape[1]
    if not (_cl(ci, g) if cl is None else cl):
        return w.reshape(g, co, -1)
    w5 = w.reshape((g, co, ci) + w.shape[2:])
    perm = (0, 1) + tuple(range(3, 3 + nd)) + (2,)
    return w5.transpose(perm).reshape(g, co, -1)


def _bmm(a, b):
    """``a @ b`` over a leading group axis. NumPy's stacked matmul can miss BLAS on long thin
    operands (30x slower here), so few groups go through 2-D products one by one."""
    g = a.shape[0]
    if g > 8:
        return np.matmul(a, b)
    if g == 1:
        return np.matmul(a[0], b[0])[None]
    out = np.empty((g, a.shape[1], b.shape[2]), dtype=np.result_type(a, b))
    for i in range(g):
        np.matmul(a[i], b[i], out=out[i])
    return out


# --- pointwise (1x1) convolution --------------------------------------------------------------
# A 1x1 kernel without padding needs no columns: per sample and group, the output is the
# weight matrix times the (strided) input read as ``(ci, prod(O))``, and NumPy's broadcasting
# matmul returns it as ``(N, g, co, prod(O))``, the output's own layout (one BLAS call per
# sample and group, no copies for stride 1).
def _pw(K, p):
    """Whether a convolution takes the pointwise kernels."""
    return all(k == 1 for k in K) and not any(lo or hi for lo, hi in p["pads"])


def _pw_x(x, O, p):
    """The input positions a 1x1 convolution reads, as ``(N, g, ci, prod(O))``."""
    N, C = x.shape[:2]
    g = p["groups"]
    if any(s != 1 for s in p["stride"]) or x.shape[2:] != tuple(O):
        x = x[(Ellipsis,) + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(p["stride"], O))]
    return x.reshape(N, g, C // g, math.prod(O))


def _pw_fwd(x, w, p, b=None):
    N = x.shape[0]
    g, cout = p["groups"], w.shape[0]
    O = tuple((i - 1) // s + 1 for i, s in zip(x.shape[2:], p["stride"]))
    y = np.matmul(w.reshape(g, cout // g, -1), _pw_x(x, O, p))     # (N, g, co, M)
    if b is not None:
        y += b.reshape(g, cout // g, 1)
    return y.reshape((N, cout) + O)


def _pw_bwd_input(gy, w, in_size, p):
    N, cout = gy.shape[:2]
    O = gy.shape[2:]
    g, ci = p["groups"], w.shape[1]
    G = gy.reshape(N, g, cout // g, math.prod(O))
    gx = np.matmul(w.reshape(g, cout // g, ci).transpose(0, 2, 1), G).reshape((N, g * ci) + O)
    if O == tuple(in_size):
        return gx
    full = np.zeros((N, g * ci) + tuple(in_size), dtype=gx.dtype)
    full[(Ellipsis,) + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(p["stride"], O))] = gx
    return full


def _pw_bwd_weight(x, gy, w_shape, p):
    N, cout = gy.shape[:2]
    O = gy.shape[2:]
    g = p["groups"]
    M = math.prod(O)
    X = _pw_x(x, O, p)
    G = gy.reshape(N, g, cout // g, M)
    if g > 1 or N == 0:
        return np.matmul(G, X.transpose(0, 1, 3, 2)).sum(0).reshape(w_shape)
    if N * M <= 4096:              # small images: one product over all samples
        return np.tensordot(G[:, 0], X[:, 0], axes=([0, 2], [0, 2])).reshape(w_shape)
    gw = np.matmul(G[0, 0], X[0, 0].T)
    for n in range(1, N):
        gw += np.matmul(G[n, 0], X[n, 0].T)
    return gw.reshape(w_shape)


def _conv_fwd(x, w, p, ctx=None, b=None):
    nd = x.ndim - 2
    K = w.shape[2:]
    g = p["groups"]
    if _pw(K, p):
        return _pw_fwd(x, w, p, b)
    if _dw(w.shape[1], w.shape[0] // g) and x.shape[0]:
        return _dw_fwd(x, w, p, b)
    N = x.shape[0]
    cout = w.shape[0]
    co = cout // g
    cols, O = _cols(x, K, p)
    if ctx is not None and len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
        ctx.cols = cols          # the weight gradient reuses the columns
    y = _bmm(cols, _w_mat(w, g).transpose(0, 2, 1))     # (g, N*O, co)
    if b is not None:
        y += b.reshape(g, 1, co)
    y = y.reshape((g, N) + O + (co,))
    perm = (1, 0, 2 + nd) + tuple(range(2, 2 + nd))
    return np.ascontiguousarray(y.transpose(perm)).reshape((N, cout) + O)


def _gy_mat(gy, g):
    """``(N, g*co, *O)`` -> ``(g, co, N*prod(O))``."""
    N, cout = gy.shape[:2]
    O = gy.shape[2:]
    return np.ascontiguousarray(gy.reshape((N, g, cout // g, math.prod(O))).transpose(
        1, 2, 0, 3).reshape(g, cout // g, N * math.prod(O)))


def _conv_bwd_input(gy, w, in_size, p):
    """Adjoint of the convolution in its input (the transposed convolution)."""
    nd = gy.ndim - 2
    g = p["groups"]
    N, cout = gy.shape[:2]
    O = gy.shape[2:]
    K = w.shape[2:]
    co, ci = cout // g, w.shape[1]
    if _pw(K, p):
        return _pw_bwd_input(gy, w, in_size, p)
    if _dw(ci, co) and N:
        gx = _dw_bwd_input(gy, w, in_size, p)
        if gx is not None:
            return gx
    pads, stride, dil = p["pads"], p["stride"], p["dil"]
    P = tuple(in_size[i] + pads[i][0] + pads[i][1] for i in range(nd))
    if not _cl_in(ci, g):
        # few channels: columns (g, ci, *K, N, *O), scattered back channels-first
        dcols = _bmm(w.reshape(g, co, -1).transpose(0, 2, 1), _gy_mat(gy, g))
        dcols = dcols.reshape((g, ci) + K + (N,) + O)
        xpg = np.zeros((N, g, ci) + P, dtype=gy.dtype)
        perm = (2, 0, 1) + tuple(range(3, 3 + nd))
        for k, v in _kviews(xpg.reshape((N * g * ci,) + P), K, stride, dil, O):
            v.reshape((N, g, ci) + O)[...] += dcols[(slice(None), slice(None)) + k].transpose(
                perm)
        crop = tuple(slice(pads[i][0], pads[i][0] + in_size[i]) for i in range(nd))
        return np.ascontiguousarray(xpg[(Ellipsis,) + crop]).reshape(
            (N, g * ci) + tuple(in_size))
    # gy -> (g, N*O, co), channels-last
    gyl = gy.reshape((N, g, co) + O).transpose((1, 0) + tuple(range(3, 3 + nd)) + (2,))
    gyl = np.ascontiguousarray(gyl.reshape(g, N * math.prod(O), co))
    dcols = _bmm(gyl, _w_mat(w, g, True))                     # (g, N*O, K*ci)
    dcols = dcols.reshape((g, N) + O + K + (ci,))
    xpg = np.zeros((N,) + P + (g, ci), dtype=gy.dtype)
    # (g, N, *O, ci) -> (N, *O, g, ci)
    perm = (1,) + tuple(range(2, 2 + nd)) + (0, 2 + nd)
    allo = (slice(None),) * (2 + nd)
    for k in itertools.product(*(range(kk) for kk in K)):
        sl = tuple(slice(k[i] * dil[i], k[i] * dil[i] + stride[i] * (O[i] - 1) + 1, stride[i])
                   for i in range(nd))
        xpg[(slice(None),) + sl] += dcols[allo + k].transpose(perm)
    crop = tuple(slice(pads[i][0], pads[i][0] + in_size[i]) for i in range(nd))
    gx = xpg[(slice(None),) + crop].reshape((N,) + tuple(in_size) + (g * ci,))
    return np.ascontiguousarray(np.moveaxis(gx, -1, 1))


def _conv_bwd_weight(x, gy, w_shape, p, cols=None):
    g = p["groups"]
    nd = len(w_shape) - 2
    K = tuple(w_shape[2:])
    co, ci = w_shape[0] // g, w_shape[1]
    if _pw(K, p):
        return _pw_bwd_weight(x, gy, w_shape, p)
    if _dw(ci, co) and x.shape[0]:
        gw = _dw_bwd_weight(x, gy, w_shape, p)
        if gw is not None:
            return gw
    if cols is None:
        cols, _ = _cols(x, K, p, gy.shape[2:])                        # (g, N*O, K*ci)
    gw = _bmm(_gy_mat(gy, g), cols)                                   # (g, co, K*ci)
    if not _cl(ci, g):
        return gw.reshape(w_shape)
    gw = gw.reshape((g, co) + K + (ci,))
    perm = (0, 1, 2 + nd) + tuple(range(2, 2 + nd))
    return np.ascontiguousarray(gw.transpose(perm)).reshape(w_shape)


# --- depthwise convolution --------------------------------------------------------------------
# With one input channel per group (groups == in_channels, ``m`` output channels per group)
# a convolution is, per kernel position, an elementwise multiply-add of a shifted input by a
# per-channel weight: no im2col, no batched tiny matmuls. The input goes channel-first and
# flat, ``(C, N*L)``, on a grid of ``Q = O + qmax`` positions per spatial dim, split into
# stride phases (padded input position ``s*r + a`` is row ``r`` of phase ``a``), so that each
# kernel position reads one contiguous run ``[off, off + N*L)`` of one phase: long inner
# loops whatever the sizes. Grid outputs beyond ``O`` (whose reads wrap into the next row or
# sample) are garbage and dropped; the output gradient goes on the grid with zeros there, so
# they add ``0 * w`` (exactly zero for a finite weight) to the input gradient and ``0 * x``
# to the weight gradient: a non-finite weight, or a non-finite weight gradient, sends the
# computation to the im2col kernels, which never read padding garbage.
# The work goes in blocks of channels x samples of about ``_DW_BLOCK`` elements, built in
# per-thread scratch buffers: they stay in cache, and fresh memory would cost more in page
# faults than the arithmetic.
_DW_BLOCK = 1 << 17
_tls = threading.local()


def _dw(ci, co):
    """Whether a convolution with ``ci`` input and ``co`` output channels per group takes the
    depthwise kernels (many outputs per input channel favour im2col's matmul)."""
    return ci == 1 and co <= 2


@contextlib.contextmanager
def _dw_numpy(row):
    """NumPy settings for the depthwise kernels: no floating-point warnings (garbage grid
    positions may hold inf * 0), and no ufunc buffering for strided rows of ``row`` elements
    (NumPy would copy rows shorter than its buffer through it: twice as slow here)."""
    old = np.setbufsize(16) if row >= 256 else None
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        if old is not None:
            np.setbufsize(old)


def _scratch(slot, shape, dtype):
    """A reusable per-thread buffer of ``shape`` (uninitialised)."""
    bufs = getattr(_tls, "bufs", None)
    if bufs is None:
        bufs = _tls.bufs = {}
    n = math.prod(shape)
    b = bufs.get((slot, dtype))
    if b is None or b.size < n:
        b = bufs[(slot, dtype)] = np.empty(n, dtype)
    return b[:n].reshape(shape)


@functools.lru_cache(maxsize=256)
def _dw_geom(I, O, K, stride, dil, pads):
    """Grid ``Q``, its size ``L``, the slack after the last sample, per phase (None when
    empty) the index of its rows in a ``(C, N, *Q)`` grid and of the input rows they hold
    in a ``(C, N, *I)`` array, and per kernel position ``(phase, offset)``."""
    nd = len(K)
    res = [[k * dil[i] % stride[i] for k in range(K[i])] for i in range(nd)]
    qs = [[k * dil[i] // stride[i] for k in range(K[i])] for i in range(nd)]
    Q = tuple(O[i] + max(qs[i]) for i in range(nd))
    st = [math.prod(Q[i + 1:]) for i in range(nd)]
    phases = list(itertools.product(*(sorted(set(r)) for r in res)))
    index = {a: j for j, a in enumerate(phases)}
    views = []
    for a in phases:
        grid, inp = [slice(None)] * 2, [slice(None)] * 2
        for i in range(nd):
            s, lo = stride[i], pads[i][0]
            r_lo = max(0, -((a[i] - lo) // s))
            r_hi = min(Q[i], (I[i] - 1 + lo - a[i]) // s + 1)
            h = s * r_lo + a[i] - lo
            grid.append(slice(r_lo, r_hi))
            inp.append(slice(h, h + s * (r_hi - r_lo - 1) + 1, s))
            if r_hi <= r_lo:
                break
        else:
            views.append((tuple(grid), tuple(inp)))
            continue
        views.append(None)
    kpos = tuple((index[tuple(res[i][k[i]] for i in range(nd))],
                  sum(qs[i][k[i]] * st[i] for i in range(nd)))
                 for k in itertools.product(*(range(kk) for kk in K)))
    return Q, math.prod(Q), max(off for _, off in kpos), tuple(views), kpos


_pool = []


def _run_blocks(body, blocks, row):
    """Call ``body(c0, c1, n0, n1)`` for every block under :func:`_dw_numpy`, on as many
    threads as ``ember.set_num_threads`` allows (NumPy's loops release the GIL). Blocks of
    the same channels stay on one thread, so the weight gradient's per-channel sums never
    race."""
    from ..backend.cpu import num_threads
    n = min(num_threads(), len(blocks), 8)
    if n <= 1:
        with _dw_numpy(row):
            for blk in blocks:
                body(*blk)
        return
    chans = sorted({b[0] for b in blocks})
    owner = {c: i % n for i, c in enumerate(chans)}
    parts = [[b for b in blocks if owner[b[0]] == k] for k in range(n)]

    def work(part):
        with _dw_numpy(row):
            for blk in part:
                body(*blk)
    if not _pool or _pool[0]._max_workers < n:
        from concurrent.futures import ThreadPoolExecutor
        _pool[:] = [ThreadPoolExecutor(max_workers=n, thread_name_prefix="ember-conv")]
    for f in [_pool[0].submit(work, part) for part in parts]:
        f.result()


def _dw_blocks(N, C, L, m):
    """``(c0, c1, n0, n1)`` blocks of channels x samples of about ``_DW_BLOCK`` elements."""
    if N * L * m <= _DW_BLOCK:
        cb = _DW_BLOCK // (N * L * m)
        return [(c, min(C, c + cb), 0, N) for c in range(0, C, cb)]
    nb = max(1, _DW_BLOCK // (L * m))
    return [(c, c + 1, n, min(N, n + nb)) for c in range(C) for n in range(0, N, nb)]


def _work(dt):
    """The dtype the depthwise kernels compute in: float16 accumulates in float32 (rounded
    once at the end, as torch's kernels)."""
    return np.dtype(np.float32) if dt == np.float16 else dt


def _dw_x(xt, geo, c0, c1, n0, n1, dt):
    """Block ``[c0:c1, n0:n1]`` of the channel-first input ``xt`` on the phase grids:
    ``(phases, cb, nb*L + slack)`` of dtype ``dt``, zeros where no input lies."""
    Q, L, slack, views, _ = geo
    nb = n1 - n0
    X = _scratch(0, (len(views), c1 - c0, nb * L + slack), dt)
    X.fill(0)
    blk = xt[c0:c1, n0:n1]
    for j, v in enumerate(views):
        if v is not None:
            X[j, :, :nb * L].reshape((c1 - c0, nb) + Q)[v[0]] = blk[v[1]]
    return X


def _dw_g(gt, geo, c0, c1, n0, n1, dt):
    """Block of the output gradient ``gt`` ``(C, m, N, *O)`` on the grid: ``(cb, m, nb*L)``
    of dtype ``dt``, zeros beyond ``O``."""
    Q, L = geo[0], geo[1]
    m, nb = gt.shape[1], n1 - n0
    G = _scratch(1, (c1 - c0, m, nb * L), dt)
    G.fill(0)
    G.reshape((c1 - c0, m, nb) + Q)[(Ellipsis,) + tuple(slice(0, o) for o in gt.shape[3:])] = \
        gt[c0:c1, :, n0:n1]
    return G


def _chan_first(a, m=None):
    """``(N, C, *S)`` as a ``(C, N, *S)`` view, or ``(N, C*m, *S)`` as ``(C, m, N, *S)``."""
    nd = a.ndim - 2
    if m is None:
        return a.transpose((1, 0) + tuple(range(2, 2 + nd)))
    return a.reshape((a.shape[0], a.shape[1] // m, m) + a.shape[2:]).transpose(
        (1, 2, 0) + tuple(range(3, 3 + nd)))


def _dw_fwd(x, w, p, b=None):
    N, C = x.shape[:2]
    K = w.shape[2:]
    m = w.shape[0] // C
    O = tuple(_out_size(x.shape[2 + i], K[i], p["stride"][i], *p["pads"][i], p["dil"][i])
              for i in range(len(K)))
    geo = _dw_geom(x.shape[2:], O, K, p["stride"], p["dil"], p["pads"])
    Q, L, _, _, kpos = geo
    dt = np.result_type(x, w)
    ct = _work(dt)
    out = np.empty((N, C * m) + O, dtype=dt)
    ot = _chan_first(out, m)                       # (C, m, N, *O) view
    xt = _chan_first(x)
    wk = w.reshape(C, m, -1, 1).astype(ct, copy=False)
    crop = (Ellipsis,) + tuple(slice(0, o) for o in O)
    blocks = _dw_blocks(N, C, L, m)

    def body(c0, c1, n0, n1):
        X = _dw_x(xt, geo, c0, c1, n0, n1, ct)[:, :, None]
        T = (n1 - n0) * L
        y = _scratch(1, (c1 - c0, m, T), ct)
        t = _scratch(2, (c1 - c0, m, T), ct)
        ws = wk[c0:c1]
        for k, (j, off) in enumerate(kpos):
            if k == 0:
                np.multiply(X[j, :, :, off:off + T], ws[:, :, k], out=y)
            else:
                np.multiply(X[j, :, :, off:off + T], ws[:, :, k], out=t)
                y += t
        if b is not None:
            y += b.reshape(C, m, 1)[c0:c1]
        ot[c0:c1, :, n0:n1] = y.reshape((c1 - c0, m, n1 - n0) + Q)[crop]
    _run_blocks(body, blocks, blocks[0][3] * L)
    return out


def _dw_bwd_input(gy, w, in_size, p):
    """Input gradient of the depthwise convolution, or None for a non-finite weight."""
    if not np.isfinite(w).all():
        return None
    N = gy.shape[0]
    O, K = gy.shape[2:], w.shape[2:]
    C = p["groups"]
    m = w.shape[0] // C
    geo = _dw_geom(tuple(in_size), O, K, p["stride"], p["dil"], p["pads"])
    Q, L, slack, views, kpos = geo
    gt = _chan_first(gy, m)
    ct = _work(gy.dtype)
    gx = np.zeros((N, C) + tuple(in_size), dtype=gy.dtype)
    gxt = _chan_first(gx)
    wk = w.reshape(C, m, -1, 1).astype(ct, copy=False)
    blocks = _dw_blocks(N, C, L, m)

    def body(c0, c1, n0, n1):
        G = _dw_g(gt, geo, c0, c1, n0, n1, ct)
        T = (n1 - n0) * L
        GX = _scratch(0, (len(views), c1 - c0, T + slack), ct)
        GX.fill(0)
        t = _scratch(2, (c1 - c0, T), ct)
        ws = wk[c0:c1]
        for k, (j, off) in enumerate(kpos):
            dst = GX[j, :, off:off + T]
            for i in range(m):
                np.multiply(G[:, i], ws[:, i, k], out=t)
                dst += t
        for j, v in enumerate(views):
            if v is not None:
                gxt[c0:c1, n0:n1][v[1]] = GX[j, :, :T].reshape((c1 - c0, n1 - n0) + Q)[v[0]]
    _run_blocks(body, blocks, blocks[0][3] * L)
    return gx


def _dw_bwd_weight(x, gy, w_shape, p):
    """Weight gradient of the depthwise convolution, or None where it is not finite."""
    N, C = x.shape[:2]
    O, K = gy.shape[2:], tuple(w_shape[2:])
    m = w_shape[0] // C
    geo = _dw_geom(x.shape[2:], O, K, p["stride"], p["dil"], p["pads"])
    L, kpos = geo[1], geo[4]
    xt, gt = _chan_first(x), _chan_first(gy, m)
    dt = np.result_type(x, gy)
    ct = _work(dt)
    gw = np.zeros((len(kpos), C, m, 1), dtype=ct)
    blocks = _dw_blocks(N, C, L, m)

    def body(c0, c1, n0, n1):
        X = _dw_x(xt, geo, c0, c1, n0, n1, ct)
        G = _dw_g(gt, geo, c0, c1, n0, n1, ct)
        T = (n1 - n0) * L
        a = _scratch(3, (c1 - c0, m, 1), ct)
        for k, (j, off) in enumerate(kpos):
            np.matmul(G, X[j, :, off:off + T, None], out=a)
            gw[k, c0:c1] += a
    _run_blocks(body, blocks, blocks[0][3] * L)
    if not np.isfinite(gw).all():
        return None
    return np.ascontiguousarray(gw[..., 0].transpose(1, 2, 0), dtype=dt).reshape(w_shape)


class ConvolutionOp(Op):
    """``y = conv(x, w)`` (no bias); attrs: stride, pads ((lo, hi) per dim), dil, groups."""
    opname = "convolution"
    node_name = "ConvolutionBackward0"
    save = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b=None, p=None, O=None):
        ctx.p = p
        y = _conv_fwd(x, w, p, ctx, b)
        if O is not None and y.shape[2:] != O:
            # the adjoint of a transposed convolution whose output_padding reaches past the
            # last window: only the first O outputs
            ctx.cols = None
            y = np.ascontiguousarray(y[(Ellipsis,) + tuple(slice(0, o) for o in O)])
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        p = ctx.p
        gx = gw = gb = None
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gb = gy.sum([0] + list(range(2, gy.dim())))
        if ctx.needs_input_grad[0]:
            gx = apply(ConvBwdInput, (gy, w), {"in_size": tuple(x.shape[2:]), "p": p})
        if ctx.needs_input_grad[1]:
            gw = apply(ConvBwdWeight, (x, gy), {"w_shape": tuple(w.shape), "p": p,
                                                "cols": getattr(ctx, "cols", None)})
        return gx, gw, gb


class ConvBwdInput(Op):
    """``gx = conv^T(gy, w)``: the transposed convolution, of input spatial size in_size."""
    opname = "convolution_backward_input"
    node_name = "ConvolutionBackward0"
    save = (0, 1)

    @staticmethod
    def forward(ctx, gy, w, in_size, p):
        ctx.p = p
        ctx.in_size = in_size
        return _conv_bwd_input(gy, w, in_size, p)

    @staticmethod
    def backward(ctx, G):
        gy, w = ctx.saved_tensors
        p = ctx.p
        a = b = None
        if ctx.needs_input_grad[0]:
            a = apply(ConvolutionOp, (G, w, None), {"p": p, "O": tuple(gy.shape[2:])})
        if ctx.needs_input_grad[1]:
            b = apply(ConvBwdWeight, (G, gy), {"w_shape": tuple(w.shape), "p": p})
        return a, b


class ConvBwdWeight(Op):
    """``gw`` of the convolution, a bilinear function of the input and the output grad."""
    opname = "convolution_backward_weight"
    save = (0, 1)

    @staticmethod
    def forward(ctx, x, gy, w_shape, p, cols=None):
        ctx.p = p
        return _conv_bwd_weight(x, gy, w_shape, p, cols)

    @staticmethod
    def backward(ctx, G):
        x, gy = ctx.saved_tensors
        p = ctx.p
        a = b = None
        if ctx.needs_input_grad[0]:
            a = apply(ConvBwdInput, (gy, G), {"in_size": tuple(x.shape[2:]), "p": p})
        if ctx.needs_input_grad[1]:
            b = apply(ConvolutionOp, (x, G, None), {"p": p, "O": tuple(gy.shape[2:])})
        return a, b


def _check_float(name, *ts, ints=False):
    """Tensors of one dtype, floating (or, with ``ints``, also integer) as torch's kernels."""
    dt = None
    for t in ts:
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument must be Tensor, not {type(t).__name__}")
        if dt is None:
            dt = t.dtype
        elif t.dtype != dt:
            raise RuntimeError(f"expected scalar type {_c_name(dt)} but found {_c_name(t.dtype)}")
    if dt is not None and not (dt.is_floating_point or (
            ints and not dt.is_complex and _c_name(dt) != "Bool")):
        raise NotImplementedError(f"\"{name}\" not implemented for '{_c_name(dt)}'")


def _c_name(dt):
    """torch's C++ scalar-type name (``Float``, ``Long``, ...) for a dtype."""
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(
                str(dt).split(".")[-1], str(dt))


def _batched(input, nd, name):
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    if input.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {_shape_str(input.shape)}")
    return input, False


def _bias(out, bias, nd, name):
    if bias is None:
        return out
    if bias.dim() != 1 or bias.shape[0] != out.shape[1]:
        raise RuntimeError(f"{name}: expected bias to be 1-dimensional with {out.shape[1]} "
                           f"elements, but got bias of size {_shape_str(bias.shape)} instead")
    return out + bias.reshape((-1,) + (1,) * nd)


def _conv_inputs(input, weight, bias, groups, nd, name):
    """The checks convolution and transposed convolution share: dtypes, the batch dim
    (added for unbatched input), the weight's rank, ``groups``."""
    _check_float(name, input, weight, bias, ints=True)
    x, unb = _batched(input, nd, name)
    if weight.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input {_shape_str(x.shape)}, but got {weight.dim()}-dimensional "
                           f"weight of size {_shape_str(weight.shape)} instead")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return x, unb, groups


def _conv(input, weight, bias, stride, padding, dilation, groups, nd, name):
    x, unb, groups = _conv_inputs(input, weight, bias, groups, nd, name)
    stride = _tup(stride, nd, "stride")
    dil = _tup(dilation, nd, "dilation")
    K = tuple(weight.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dil):
        raise RuntimeError("dilation should be greater than zero")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                         for d, k in zip(dil, K))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pt = _tup(padding, nd, "padding")
        if any(q < 0 for q in pt):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((q, q) for q in pt)
    cout, cin_g = weight.shape[0], weight.shape[1]
    if cout % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {_shape_str(weight.shape)} "
                           "instead")
    if x.shape[1] != cin_g * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, "
                           f"expected input{_shape_str(x.shape)} to have {cin_g * groups} "
                           f"channels, but got {x.shape[1]} channels instead")
    padded = tuple(x.shape[2 + i] + pads[i][0] + pads[i][1] for i in range(nd))
    if any(pp < dil[i] * (K[i] - 1) + 1 for i, pp in enumerate(padded)):
        raise RuntimeError(
            "Calculated padded input size per channel: (" + " x ".join(map(str, padded)) +
            "). Kernel size: (" + " x ".join(str(dil[i] * (K[i] - 1) + 1) for i in range(nd)) +
            "). Kernel size can't be greater than actual input size")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given weight of size {_shape_str(weight.shape)}, expected bias to "
                           f"be 1-dimensional with {cout} elements, but got bias of size "
                           f"{_shape_str(bias.shape)} instead")
    p = {"stride": stride, "pads": pads, "dil": dil, "groups": groups}
    out = apply(ConvolutionOp, (x, weight, bias), {"p": p})
    return out.squeeze(0) if unb else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over ``(N, C, L)`` or ``(C, L)`` input (cross-correlation, as torch)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    >>> import ember
    >>> ember.conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2)).flatten()
    tensor([4., 4., 4., 4.])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, name):
    x, unb, groups = _conv_inputs(input, weight, bias, groups, nd, name)
    stride = _tup(stride, nd, "stride")
    pad = _tup(padding, nd, "padding")
    opad = _tup(output_padding, nd, "output_padding")
    dil = _tup(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(q < 0 for q in pad):
        raise RuntimeError("negative padding is not supported")
    for i in range(nd):
        if opad[i] >= stride[i] and opad[i] >= dil[i]:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding_height: {opad[i]} stride: {stride[i]} "
                               f"dilation: {dil[i]}")
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, "
                           f"expected input{_shape_str(x.shape)} to have {weight.shape[0]} "
                           f"channels, but got {x.shape[1]} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {_shape_str(weight.shape)} "
                           "instead")
    K = tuple(weight.shape[2:])
    size = tuple((x.shape[2 + i] - 1) * stride[i] - 2 * pad[i] + dil[i] * (K[i] - 1) + opad[i]
                 + 1 for i in range(nd))
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))})"
                           f". Calculated output size per channel: ({' x '.join(map(str, size))})"
                           ". Output size is too small")
    p = {"stride": stride, "pads": tuple((q, q) for q in pad), "dil": dil, "groups": groups}
    out = apply(ConvBwdInput, (x, weight), {"in_size": size, "p": p})
    out = _bias(out, bias, nd, name)
    return out.squeeze(0) if unb else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution; weight is ``(C_in, C_out / groups, k)``."""
    return _conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                   "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution; weight is ``(C_in, C_out / groups, kh, kw)``."""
    return _conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                   "conv_transpose2d")


# --- pooling ----------------------------------------------------------------------------------
def _pool_out(i, k, s, p, d, ceil):
    num = i + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil else num // s) + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, nd, name):
    K = _tup(kernel_size, nd, "kernel_size")
    S = K if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _tup(stride, nd, "stride")
    P = _tup(padding, nd, "padding")
    D = _tup(dilation, nd, "dilation")
    if any(k <= 0 for k in K):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got "
                           f"{list(K)}")
    if any(s <= 0 for s in S):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {list(S)}")
    if any(d <= 0 for d in D):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {list(D)}")
    for i in range(nd):
        if P[i] < 0 or P[i] > (D[i] * (K[i] - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={P[i]}, kernel_size={K[i]} and dilation={D[i]}")
    if input.dim() not in (nd + 1, nd + 2) or (input.dim() == nd + 2 and input.shape[1] == 0):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: "
                           f"{_shape_str(input.shape)}")
    I = tuple(input.shape[-nd:])
    O = tuple(_pool_out(I[i], K[i], S[i], P[i], D[i], ceil_mode) for i in range(nd))
    if any(o <= 0 for o in O):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[-nd - 1:]))}). "
                           f"Calculated output size: ({input.shape[-nd - 1]}x"
                           f"{'x'.join(map(str, O))}). Output size is too small")
    return K, S, P, D, I, O


def _pool_pads(I, K, S, P, D, O):
    """(lo, hi) pads so that every window of the ``O`` outputs lies inside."""
    return tuple((P[i], max(0, (O[i] - 1) * S[i] + D[i] * (K[i] - 1) + 1 - I[i] - P[i]))
                 for i in range(len(K)))


def _kviews(xp, K, S, D, O):
    """For each kernel position: the strided view ``(rows, *O)`` of the padded ``xp``."""
    nd = len(K)
    for k in itertools.product(*(range(kk) for kk in K)):
        yield k, xp[(slice(None),) + tuple(
            slice(k[i] * D[i], k[i] * D[i] + S[i] * (O[i] - 1) + 1, S[i]) for i in range(nd))]


class MaxPoolOp(Op):
    """Max over windows: one pass per kernel position keeping the running max and which
    kernel position gave it; returns the values and, with ``want_idx``, the flat spatial
    index into the input of each maximum."""
    opname = "max_pool"

    @staticmethod
    def forward(ctx, x, K, S, P, D, I, O, want_idx):
        nd = len(K)
        lead = x.shape[:-nd]
        x2 = x.reshape((-1,) + I)
        pads = _pool_pads(I, K, S, P, D, O)
        low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _pad(x2, pads, low)
        views = [v for _k, v in _kviews(xp, K, S, D, O)]
        best = views[0].copy()
        for v in views[1:]:
            np.maximum(best, v, out=best)           # propagates NaN, as torch does
        nan = x.dtype.kind == "f" and np.isnan(best).any()
        kt = np.int8 if len(views) < 128 else np.int32
        kid = np.zeros(best.shape, dtype=kt)
        for n in range(len(views) - 1, 0, -1):     # the first maximum wins ties
            eq = views[n] == best
            if nan:
                eq |= np.isnan(views[n])
            kid -= eq * (kid - kt(n))
        ctx.geom = (K, S, D, O, I, pads, x.shape)
        ctx.kid = kid
        best = best.reshape(lead + O)
        if not want_idx:
            return best
        kidx = np.unravel_index(kid, K)
        flat = 0
        for i in range(nd):
            o = np.arange(O[i]).reshape((O[i],) + (1,) * (nd - 1 - i))
            flat = flat * I[i] + (o * S[i] - P[i] + kidx[i] * D[i])
        return best, np.asarray(flat, dtype=np.int64).reshape(lead + O)

    @staticmethod
    def backward(ctx, g, _gi=None):
        return apply(_MaxPoolBack, (g,), {"kid": ctx.kid, "geom": ctx.geom})


class _MaxPoolBack(Op):
    """Gradient of max pooling: each output's gradient goes to its window's maximum."""
    opname = "max_pool_backward"

    @staticmethod
    def forward(ctx, g, kid, geom):
        ctx.kid, ctx.geom = kid, geom
        K, S, D, O, I, pads, shape = geom
        nd = len(K)
        g2 = g.reshape(kid.shape)
        Pd = tuple(I[i] + pads[i][0] + pads[i][1] for i in range(nd))
        xpg = np.zeros((kid.shape[0],) + Pd, dtype=g.dtype)
        finite = np.isfinite(g2).all()
        for n, (_k, v) in enumerate(_kviews(xpg, K, S, D, O)):
            v += g2 * (kid == n) if finite else np.where(kid == n, g2, 0)
        crop = tuple(slice(pads[i][0], pads[i][0] + I[i]) for i in range(nd))
        return np.ascontiguousarray(xpg[(slice(None),) + crop]).reshape(shape)

    @staticmethod
    def backward(ctx, G):
        return apply(_MaxPoolGather, (G,), {"kid": ctx.kid, "geom": ctx.geom})


class _MaxPoolGather(Op):
    """Each window's value at its recorded maximum (the adjoint of _MaxPoolBack)."""
    opname = "max_pool_gather"

    @staticmethod
    def forward(ctx, x, kid, geom):
        ctx.kid, ctx.geom = kid, geom
        K, S, D, O, I, pads, shape = geom
        xp = _pad(x.reshape((-1,) + I), pads)
        out = np.zeros(kid.shape, dtype=x.dtype)
        finite = np.isfinite(xp).all()
        for n, (_k, v) in enumerate(_kviews(xp, K, S, D, O)):
            out += v * (kid == n) if finite else np.where(kid == n, v, 0)
        return out.reshape(shape[:-len(K)] + O)

    @staticmethod
    def backward(ctx, G):
        return apply(_MaxPoolBack, (G,), {"kid": ctx.kid, "geom": ctx.geom})


class _ScatterFlat(Op):
    """Add ``g`` (rows of outputs) at flat spatial positions ``idx`` of a zero input."""
    opname = "max_pool_backward"

    @staticmethod
    def forward(ctx, g, idx, in_shape, overlap):
        ctx.idx = idx
        ctx.in_shape = in_shape
        ctx.overlap = overlap
        rows = idx.shape[0]
        n = math.prod(in_shape) // max(rows, 1) if rows else 0
        gi = idx.reshape(rows, -1) + (np.arange(rows) * n)[:, None]
        gf = g.reshape(rows, -1)
        if overlap:
            out = np.bincount(gi.ravel(), weights=gf.ravel(),
                              minlength=rows * n).astype(g.dtype, copy=False)
        else:
            out = np.zeros(rows * n, dtype=g.dtype)
            out[gi.ravel()] = gf.ravel()
        return out.reshape(in_shape)

    @staticmethod
    def backward(ctx, G):
        return apply(_GatherFlat, (G,), {"idx": ctx.idx, "in_shape": ctx.in_shape,
                                         "overlap": ctx.overlap})


class _GatherFlat(Op):
    opname = "max_pool_gather"

    @staticmethod
    def forward(ctx, x, idx, in_shape, overlap):
        ctx.idx = idx
        ctx.in_shape = in_shape
        ctx.overlap = overlap
        rows = idx.shape[0]
        out = np.take_along_axis(x.reshape(rows, -1), idx.reshape(rows, -1), axis=1)
        return out.reshape(tuple(in_shape[:-len(idx.shape) + 1]) + idx.shape[1:])

    @staticmethod
    def backward(ctx, G):
        return apply(_ScatterFlat, (G,), {"idx": ctx.idx, "in_shape": ctx.in_shape,
                                          "overlap": ctx.overlap})


class MaxPool2dOp(MaxPoolOp):
    node_name = "MaxPool2DWithIndicesBackward0"


class MaxPool3dOp(MaxPoolOp):
    node_name = "MaxPool3DWithIndicesBackward0"


_MAXPOOL_OPS = {2: MaxPool2dOp, 3: MaxPool3dOp}


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd,
              name):
    _check_float(name, input, ints=True)
    K, S, P, D, I, O = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode,
                                  nd, name)
    return apply(_MAXPOOL_OPS.get(nd, MaxPoolOp), (input,),
                 {"K": K, "S": S, "P": P, "D": D, "I": I, "O": O,
                  "want_idx": bool(return_indices)})


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import ember
    >>> ember.max_pool2d(ember.arange(16.).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2, "max_pool2d")


class WindowSum(Op):
    """Sum over pooling windows of the zero-padded input (linear; adjoint: _WindowSumT)."""
    opname = "avg_pool"

    @staticmethod
    def forward(ctx, x, K, S, pads, I, O):
        ctx.a = (K, S, pads, I, O)
        nd = len(K)
        lead = x.shape[:-nd]
        x2 = x.reshape((-1, 1) + I)
        w = _windows(_pad(x2, pads), O, K, S, (1,) * nd)
        out = w.sum(axis=tuple(range(-nd, 0)))
        return out.reshape(lead + O)

    @staticmethod
    def backward(ctx, g):
        return apply(_WindowSumT, (g,), {"a": ctx.a})


class _WindowSumT(Op):
    opname = "avg_pool_backward"

    @staticmethod
    def forward(ctx, g, a):
        ctx.a = a
        K, S, pads, I, O = a
        nd = len(K)
        lead = g.shape[:-nd]
        g2 = g.reshape((-1,) + O)
        Pd = tuple(I[i] + pads[i][0] + pads[i][1] for i in range(nd))
        xpg = np.zeros((g2.shape[0],) + Pd, dtype=g.dtype)
        for k in itertools.product(*(range(kk) for kk in K)):
            sl = tuple(slice(k[i], k[i] + S[i] * (O[i] - 1) + 1, S[i]) for i in range(nd))
            xpg[(slice(None),) + sl] += g2
        crop = tuple(slice(pads[i][0], pads[i][0] + I[i]) for i in range(nd))
        return np.ascontiguousarray(xpg[(slice(None),) + crop]).reshape(lead + I)

    @staticmethod
    def backward(ctx, G):
        return apply(WindowSum, (G,), dict(zip(("K", "S", "pads", "I", "O"), ctx.a)))


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, nd, name):
    _check_float(name, input, ints=True)
    K, S, P, D, I, O = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode, nd, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    pads = _pool_pads(I, K, S, P, D, O)
    s = apply(WindowSum, (input,), {"K": K, "S": S, "pads": pads, "I": I, "O": O})
    ints = not input.dtype.is_floating_point
    if divisor_override is not None:
        return s.div(int(divisor_override), rounding_mode="trunc") if ints \
            else s / divisor_override
    div = np.ones((), dtype=np.float64)
    for i in range(nd):
        st = np.arange(O[i]) * S[i] - P[i]
        en = np.minimum(st + K[i], I[i] + P[i])
        if count_include_pad:
            n = en - st
        else:
            n = np.minimum(en, I[i]) - np.maximum(st, 0)
        div = np.multiply.outer(div, n) if div.ndim else n.astype(np.float64)
    if ints:
        return s.div(_const_like(div, s), rounding_mode="trunc")
    if np.all(div == div.flat[0]):
        return s / float(div.flat[0])
    return s * _const_like(1.0 / div, s)


def _const_like(arr, like):
    from .creation import tensor
    return tensor(np.asarray(arr, dtype=like._data.dtype))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling over ``(N, C, H, W)`` or ``(C, H, W)``."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


def _adaptive_ranges(i, o):
    st = (np.arange(o) * i) // o
    en = -((-(np.arange(o) + 1) * i) // o)
    return st, en


def _adaptive_matrix(i, o, dtype):
    st, en = _adaptive_ranges(i, o)
    j = np.arange(i)
    m = ((j >= st[:, None]) & (j < en[:, None])).astype(np.float64)
    m /= (en - st)[:, None]
    return m.astype(dtype)


def _out_tup(output_size, nd, I):
    if not isinstance(output_size, (list, tuple)):
        output_size = (output_size,) * nd
    if len(output_size) != nd:
        raise RuntimeError(f"adaptive pool: output_size must be {nd}")
    return tuple(I[i] if o is None else int(o) for i, o in enumerate(output_size))


def _adaptive_check(input, nd, name):
    _check_float(name, input)
    if input.dim() not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[-nd:]):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{_shape_str(input.shape)}")


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    _adaptive_check(input, 1, "adaptive_avg_pool1d")
    (o,) = _out_tup(output_size, 1, input.shape[-1:])
    i = input.shape[-1]
    if o == 1:
        return input.mean(-1, keepdim=True)
    m = _const_like(_adaptive_matrix(i, o, np.float64).T, input)
    return input.matmul(m)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``(H, W)`` output size."""
    _adaptive_check(input, 2, "adaptive_avg_pool2d")
    H, W = input.shape[-2:]
    oh, ow = _out_tup(output_size, 2, (H, W))
    if oh == 1 and ow == 1:
        return input.mean((-2, -1), keepdim=True)
    if H % oh == 0 and W % ow == 0:
        return avg_pool2d(input, (H // oh, W // ow))
    mh = _const_like(_adaptive_matrix(H, oh, np.float64), input)
    mw = _const_like(_adaptive_matrix(W, ow, np.float64).T, input)
    return mh.matmul(input).matmul(mw)


class _AdaptiveMax(Op):
    opname = "adaptive_max_pool"

    @staticmethod
    def forward(ctx, x, O):
        nd = len(O)
        I = x.shape[-nd:]
        lead = x.shape[:-nd]
        x2 = x.reshape((-1,) + I)
        rows = x2.shape[0]
        vals = np.empty((rows,) + O, dtype=x.dtype)
        idx = np.empty((rows,) + O, dtype=np.int64)
        rng = [_adaptive_ranges(I[i], O[i]) for i in range(nd)]
        for o in itertools.product(*(range(n) for n in O)):
            sl = tuple(slice(rng[i][0][o[i]], rng[i][1][o[i]]) for i in range(nd))
            win = x2[(slice(None),) + sl].reshape(rows, -1)
            am = win.argmax(axis=1)
            vals[(slice(None),) + o] = win[np.arange(rows), am]
            loc = np.unravel_index(am, tuple(s.stop - s.start for s in sl))
            flat = 0
            for i in range(nd):
                flat = flat * I[i] + loc[i] + sl[i].start
            idx[(slice(None),) + o] = flat
        ctx.idx = idx
        ctx.in_shape = x.shape
        return vals.reshape(lead + O), idx.reshape(lead + O)

    @staticmethod
    def backward(ctx, g, _gi):
        return apply(_ScatterFlat, (g,), {"idx": ctx.idx, "in_shape": ctx.in_shape,
                                          "overlap": True})


def _adaptive_max(input, output_size, return_indices, nd, name):
    _adaptive_check(input, nd, name)
    O = _out_tup(output_size, nd, input.shape[-nd:])
    vals, idx = apply(_AdaptiveMax, (input,), {"O": O})
    return (vals, idx) if return_indices else vals


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(H, W)`` output size."""
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of :func:`max_pool2d`: put each value at its index, zeros elsewhere."""
    _check_float("max_unpool2d", input, ints=True)
    K = _tup(kernel_size, 2, "kernel_size")
    S = K if stride is None else _tup(stride, 2, "stride")
    P = _tup(padding, 2, "padding")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{_shape_str(indices.shape)}")
    H, W = input.shape[-2:]
    if output_size is None:
        out = ((H - 1) * S[0] - 2 * P[0] + K[0], (W - 1) * S[1] - 2 * P[1] + K[1])
    else:
        out = tuple(int(o) for o in tuple(output_size)[-2:])
    idx = np.asarray(indices._data, dtype=np.int64)
    n = out[0] * out[1]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{out[0]}x{out[1]}")
    rows = math.prod(input.shape[:-2])
    in_shape = tuple(input.shape[:-2]) + out
    return apply(_ScatterFlat, (input,), {"idx": idx.reshape(rows, H, W),
                                          "in_shape": in_shape, "overlap": False})


# --- softmax ----------------------------------------------------------------------------------
def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


class SoftmaxOp(Op):
    opname = "softmax"
    node_name = "SoftmaxBackward0"
    save = (OUT,)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        m = x.max(axis=dim, keepdims=True) if x.size else 0
        e = np.exp(x - m)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)


class LogSoftmaxOp(Op):
    opname = "log_softmax"
    node_name = "LogSoftmaxBackward0"
    save = (OUT,)

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        m = x.max(axis=dim, keepdims=True) if x.size else 0
        s = x - m
        s -= np.log(np.exp(s).sum(axis=dim, keepdims=True))
        return s

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)


def _softmax(op, input, dim, dtype, name):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=3)
        dim = _softmax_dim(input.dim())
    nd = max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}],"
                         f" but got {dim})")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{input.dtype}'")
    if input.dim() == 0:
        return apply(op, (input.reshape(1),), {"dim": 0}).reshape(())
    return apply(op, (input,), {"dim": dim % nd})


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed stably.

    >>> import ember
    >>> ember.softmax(ember.tensor([0., 0.]), 0)
    tensor([0.5000, 0.5000])
    """
    return _softmax(SoftmaxOp, input, dim, dtype, "softmax")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))``, computed stably."""
    return _softmax(LogSoftmaxOp, input, dim, dtype, "log_softmax")


# --- hardtanh (relu6) -------------------------------------------------------------------------
class HardtanhBackward(Op):
    """The gradient of hardtanh: ``g`` where ``keep`` (a constant mask), 0 elsewhere; linear
    in ``g``, so it is its own backward."""
    opname = "hardtanh_backward"
    node_name = "HardtanhBackwardBackward0"

    @staticmethod
    def forward(ctx, g, keep):
        ctx.keep = keep
        return keep_where(g, keep)

    @staticmethod
    def backward(ctx, G):
        return apply(HardtanhBackward, (G,), {"keep": ctx.keep})


class Hardtanh(Op):
    """``clamp(x, lo, hi)``; the gradient flows except where ``x <= lo`` or ``x >= hi`` (so
    through NaN, as torch's). When recording, the forward keeps that mask (one byte per
    element) rather than a tensor: like torch, a later in-place change of the result or the
    input does not invalidate the gradient."""
    opname = "hardtanh"
    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        k = x.dtype.kind
        if k == "b":
            raise RuntimeError("Bool inputs not supported for hardtanh")
        if k == "c":
            raise NotImplementedError("clamp is not supported for complex types")
        if ctx.needs_input_grad and ctx.needs_input_grad[0]:
            keep = np.empty(x.shape, dtype=np.bool_)
            np.less_equal(x, lo, out=keep)
            keep |= np.greater_equal(x, hi)
            ctx.keep = np.logical_not(keep, out=keep)
        if k in "iu":                   # integer tensors take the bounds truncated, as torch
            info = np.iinfo(x.dtype)
            lo, hi = (min(max(int(v), info.min), info.max) for v in (lo, hi))
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return apply(HardtanhBackward, (g,), {"keep": ctx.keep}), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``clamp(input, min_val, max_val)`` with zero gradient at and beyond the limits (the
    nn.functional version; ``relu6`` is ``hardtanh(x, 0, 6)``).

    >>> import ember
    >>> from ember.ops.nn import hardtanh
    >>> hardtanh(ember.tensor([-2., 0.5, 3.]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"hardtanh(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return inplace_op(Hardtanh, input, min_val, max_val)
    return apply(Hardtanh, (input, min_val, max_val), {})


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, True)


def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C*r*r, H, W)`` into ``(*, C, H*r, W*r)``."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    c, h, w = input.shape[-3:]
    if r <= 0 or c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    n = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    perm = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return x.permute(perm).reshape(lead + (c // (r * r), h * r, w * r))


METHODS = {
    "softmax": lambda self, dim, dtype=None: softmax(self, dim, dtype=dtype),
    "log_softmax": lambda self, dim, dtype=None: log_softmax(self, dim, dtype=dtype),
}
