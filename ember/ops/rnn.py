"""The LSTM and GRU layers as one op each: a whole sequence forward and its whole backward.

``nn.LSTM`` (``nn.GRU``) runs each layer and direction through :class:`LSTMLayer`
(:class:`GRULayer`), as PyTorch's CPU
build runs a fused oneDNN layer (``MkldnnRnnLayerBackward0``). The input-to-hidden product
for all steps arrives precomputed (one GEMM outside). Forward runs the recurrence on NumPy
arrays, keeping the gate activations and cell states. Backward walks the steps in reverse
with one small GEMM per step (the gradient into the previous hidden state) and computes the
weight gradients afterwards as single GEMMs over all steps, instead of one per step and an
accumulation, which is what a graph of per-step ops would do.

Backward of backward (``create_graph=True``) recomputes the layer from the same inputs as
a graph of ordinary ember ops and differentiates that, so higher derivatives stay exact.
"""
import numpy as np

from .._tensor import _wrap
from ..autograd.grad_mode import is_grad_enabled
from ._dispatch import COMMON, Op, apply, recompute_backward

__all__ = []


def _sigmoid_(x):
    """Sigmoid in place: 1 / (1 + exp(-x))."""
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    np.reciprocal(x, out=x)


class LSTMLayer(Op):
    """Inputs ``gi`` (L, N, 4H) = x W_ih^T + b_ih, ``h0`` (N, P), ``c0`` (N, H), ``w_hh``
    (4H, P), ``b_hh`` (4H) or None, ``w_hr`` (P, H) or None (projection; P = H without).
    Outputs: every step's hidden state (L, N, P), the last hidden state and the last cell
    state (``reverse=True`` walks the steps from L-1 down to 0)."""

    promote = COMMON
    save = (0, 1, 2, 3, 4, 5)
    node_name = "MkldnnRnnLayerBackward0"

    @staticmethod
    def forward(ctx, gi, h0, c0, w_hh, b_hh, w_hr, reverse=False):
        L, N, G = gi.shape
        H = G // 4
        P = h0.shape[-1]
        dt = np.result_type(gi, h0)
        acts = np.empty((L, N, G), dt)         # gate activations i, f, g, o
        np.add(gi, b_hh, out=acts) if b_hh is not None else np.copyto(acts, gi)
        cs = np.empty((L + 1, N, H), dt)       # cs[k]: cell state before the k-th step taken
        hprev = np.empty((L, N, P), dt)        # the hidden state each step (by time) reads
        tcs = np.empty((L, N, H), dt)          # tanh(c) after each step (by time)
        hfull = np.empty((L, N, H), dt) if w_hr is not None else None
        out = np.empty((L, N, P), dt)
        cs[0] = c0
        h = h0
        w_hh_t = w_hh.T
        w_hr_t = w_hr.T if w_hr is not None else None
        for k in range(L):
            t = L - 1 - k if reverse else k
            a = acts[t]
            hprev[t] = h
            a += h @ w_hh_t
            _sigmoid_(a[:, :2 * H])
            np.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
            _sigmoid_(a[:, 3 * H:])
            c = cs[k + 1]
            np.multiply(a[:, H:2 * H], cs[k], out=c)
            c += a[:, :H] * a[:, 2 * H:3 * H]
            tc = tcs[t]
            np.tanh(c, out=tc)
            if w_hr is None:
                h = out[t]
                np.multiply(a[:, 3 * H:], tc, out=h)
            else:
                hf = hfull[t]
                np.multiply(a[:, 3 * H:], tc, out=hf)
                h = out[t]
                np.matmul(hf, w_hr_t, out=h)
        ctx.buffers = (acts, cs, hprev, tcs, hfull)
        ctx.reverse = reverse
        c_last = cs[L].copy()
        h_last = out[L - 1 if not reverse else 0].copy() if L else np.array(h0, copy=True)
        return out, h_last, c_last

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        saved = ctx.saved_tensors
        if is_grad_enabled():        # create_graph: differentiate the op-by-op recurrence
            return recompute_backward(
                ctx, lambda: lstm_recurrence(*saved, ctx.reverse), (g_out, g_h, g_c))
        gi, h0, c0, w_hh, b_hh, w_hr = saved
        grads = lstm_layer_grads(ctx.buffers, ctx.reverse, w_hh._data,
                                 None if w_hr is None else w_hr._data,
                                 None if g_out is None else g_out._data,
                                 None if g_h is None else g_h._data,
                                 None if g_c is None else g_c._data,
                                 h0._data.shape, c0._data.shape)
        d_gi, d_h0, d_c0, d_whh, d_bhh, d_whr = grads
        if b_hh is None:
            d_bhh = None
        return tuple(_wrap(g) if n and g is not None else None
                     for n, g in zip(ctx.needs_input_grad, (d_gi, d_h0, d_c0, d_whh, d_bhh,
                                                           d_whr)))


def lstm_layer_grads(buffers, reverse, w_hh, w_hr, g_out, g_h, g_c, h_shape, c_shape):
    """Gradients of :class:`LSTMLayer` on arrays: (gi, h0, c0, w_hh, b_hh, w_hr)."""
    acts, cs, hprev, tcs, hfull = buffers
    L, N, G = acts.shape
    H = G // 4
    dt = acts.dtype
    dz = np.empty_like(acts)
    dh = np.zeros(h_shape, dt) if g_h is None else np.array(g_h, dt, copy=True)
    dc = np.zeros(c_shape, dt) if g_c is None else np.array(g_c, dt, copy=True)
    dh_all = np.empty(hprev.shape, dt) if w_hr is not None else None
    tmp = np.empty((N, H), dt)
    for k in range(L - 1, -1, -1):
        t = L - 1 - k if reverse else k
        if g_out is not None:
            dh = dh + g_out[t]
        if w_hr is not None:
            dh_all[t] = dh
            dh = dh @ w_hr                      # into o * tanh(c)
        a = acts[t]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        tc = tcs[t]
        d = dz[t]
        # output gate: d(o) = dh * tanh(c), through sigmoid
        np.multiply(dh, tc, out=d[:, 3 * H:])
        d[:, 3 * H:] *= o
        d[:, 3 * H:] *= 1.0 - o
        # cell: dc += dh * o * (1 - tanh(c)^2)
        np.multiply(tc, tc, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= o
        tmp *= dh
        dc = dc + tmp
        # input gate: dc * g * i(1-i); forget gate: dc * c_prev * f(1-f); g: dc * i (1-g^2)
        np.multiply(dc, g, out=d[:, :H])
        d[:, :H] *= i
        d[:, :H] *= 1.0 - i
        np.multiply(dc, cs[k], out=d[:, H:2 * H])
        d[:, H:2 * H] *= f
        d[:, H:2 * H] *= 1.0 - f
        np.multiply(g, g, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= i
        np.multiply(dc, tmp, out=d[:, 2 * H:3 * H])
        dc = dc * f
        dh = d @ w_hh
    flat = dz.reshape(L * N, G)
    d_whh = flat.T @ hprev.reshape(L * N, -1)
    d_bhh = flat.sum(0)
    d_whr = None
    if w_hr is not None:
        d_whr = dh_all.reshape(L * N, -1).T @ hfull.reshape(L * N, H)
    return dz, dh, dc, d_whh, d_bhh, d_whr


def lstm_cell(gi, h, c, w_hh, b_hh=None, w_hr=None):
    """One LSTM step as ordinary ops: ``gi`` is the input's gate pre-activation (x W_ih^T +
    b_ih); returns the new ``(h, c)``. (LSTMCell, packed sequences, double backward.)"""
    z = gi + h.matmul(w_hh.t())
    if b_hh is not None:
        z = z + b_hh
    i, f, g, o = z.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = h.matmul(w_hr.t())
    return h, c


def lstm_recurrence(gi, h, c, w_hh, b_hh, w_hr, reverse=False):
    """The same layer as a graph of ordinary ops (what double backward differentiates)."""
    L = gi.shape[0]
    hs = [None] * L
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        h, c = lstm_cell(gi[t], h, c, w_hh, b_hh, w_hr)
        hs[t] = h
    from .shape import stack
    return stack(hs, 0), h, c


def lstm_layer(gi, h0, c0, w_hh, b_hh=None, w_hr=None, reverse=False):
    """Run one LSTM layer (one direction); returns ``(output, h_last, c_last)``."""
    return apply(LSTMLayer, (gi, h0, c0, w_hh, b_hh, w_hr), {"reverse": reverse})


class GRULayer(Op):
    """Inputs ``gi`` (L, N, 3H) = x W_ih^T + b_ih, ``h0`` (N, H), ``w_hh`` (3H, H), ``b_hh``
    (3H) or None (gates r, z, n in PyTorch's order). Outputs every step's hidden state
    (L, N, H) and the last one."""

    promote = COMMON
    save = (0, 1, 2, 3)
    node_name = "MkldnnRnnLayerBackward0"

    @staticmethod
    def forward(ctx, gi, h0, w_hh, b_hh, reverse=False):
        L, N, G = gi.shape
        H = G // 3
        dt = np.result_type(gi, h0)
        acts = np.empty((L, N, G), dt)     # r, z, n after their nonlinearities
        ghn = np.empty((L, N, H), dt)      # h W_hn^T + b_hn, which r multiplies
        hprev = np.empty((L, N, H), dt)
        out = np.empty((L, N, H), dt)
        h = h0
        w_hh_t = w_hh.T
        for k in range(L):
            t = L - 1 - k if reverse else k
            hprev[t] = h
            gh = h @ w_hh_t
            if b_hh is not None:
                gh += b_hh
            a = acts[t]
            np.add(gi[t, :, :2 * H], gh[:, :2 * H], out=a[:, :2 * H])
            _sigmoid_(a[:, :2 * H])
            ghn[t] = gh[:, 2 * H:]
            n = a[:, 2 * H:]
            np.multiply(a[:, :H], gh[:, 2 * H:], out=n)
            n += gi[t, :, 2 * H:]
            np.tanh(n, out=n)
            h = out[t]
            np.subtract(hprev[t], n, out=h)          # h' = n + z (h - n)
            h *= a[:, H:2 * H]
            h += n
        ctx.buffers = (acts, ghn, hprev)
        ctx.reverse = reverse
        h_last = out[L - 1 if not reverse else 0].copy() if L else np.array(h0, copy=True)
        return out, h_last

    @staticmethod
    def backward(ctx, g_out, g_h):
        saved = ctx.saved_tensors
        if is_grad_enabled():
            return recompute_backward(
                ctx, lambda: gru_recurrence(*saved, ctx.reverse), (g_out, g_h))
        gi, h0, w_hh, b_hh = saved
        acts, ghn, hprev = ctx.buffers
        L, N, G = acts.shape
        H = G // 3
        w = w_hh._data
        dgi = np.empty_like(acts)
        dgh = np.empty_like(acts)          # gradient into h W_hh^T + b_hh, per step
        dh = np.zeros(h0._data.shape, acts.dtype) if g_h is None else \
            np.array(g_h._data, acts.dtype, copy=True)
        go = None if g_out is None else g_out._data
        for k in range(L - 1, -1, -1):
            t = L - 1 - k if ctx.reverse else k
            if go is not None:
                dh = dh + go[t]
            a = acts[t]
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            d_i, d_h = dgi[t], dgh[t]
            # n: dh (1 - z) through tanh
            dn = d_i[:, 2 * H:]
            np.multiply(dh, 1.0 - z, out=dn)
            dn *= 1.0 - n * n
            np.multiply(dn, r, out=d_h[:, 2 * H:])
            # r: dn * ghn through sigmoid
            np.multiply(dn, ghn[t], out=d_i[:, :H])
            d_i[:, :H] *= r * (1.0 - r)
            # z: dh (h - n) through sigmoid
            np.multiply(dh, hprev[t] - n, out=d_i[:, H:2 * H])
            d_i[:, H:2 * H] *= z * (1.0 - z)
            d_h[:, :2 * H] = d_i[:, :2 * H]
            dh = dh * z + d_h @ w
        flat = dgh.reshape(L * N, G)
        grads = (dgi, dh, flat.T @ hprev.reshape(L * N, H),
                 flat.sum(0) if b_hh is not None else None)
        return tuple(_wrap(g) if need and g is not None else None
                     for need, g in zip(ctx.needs_input_grad, grads))


def gru_cell(gi, h, w_hh, b_hh=None):
    """One GRU step as ordinary ops (GRUCell, packed sequences, double backward)."""
    gh = h.matmul(w_hh.t())
    if b_hh is not None:
        gh = gh + b_hh
    ir, iz, in_ = gi.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r = (ir + hr).sigmoid()
    z = (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return n + z * (h - n)


def gru_recurrence(gi, h, w_hh, b_hh, reverse=False):
    L = gi.shape[0]
    hs = [None] * L
    for t in (range(L - 1, -1, -1) if reverse else range(L)):
        h = gru_cell(gi[t], h, w_hh, b_hh)
        hs[t] = h
    from .shape import stack
    return stack(hs, 0), h


def gru_layer(gi, h0, w_hh, b_hh=None, reverse=False):
    """Run one GRU layer (one direction); returns ``(output, h_last)``."""
    return apply(GRULayer, (gi, h0, w_hh, b_hh), {"reverse": reverse})
