"""The LSTM layer as one op: a whole sequence forward and its whole backward.

``nn.LSTM`` runs each layer and direction through :class:`LSTMLayer`, as PyTorch's CPU
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
from ._dispatch import COMMON, Op, apply

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
            return _backward_by_recompute(ctx, saved, g_out, g_h, g_c)
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


def _backward_by_recompute(ctx, saved, g_out, g_h, g_c):
    from ..autograd import grad as autograd_grad
    gi, h0, c0, w_hh, b_hh, w_hr = saved
    outs = lstm_recurrence(gi, h0, c0, w_hh, b_hh, w_hr, ctx.reverse)
    pairs = [(o, g) for o, g in zip(outs, (g_out, g_h, g_c)) if g is not None]
    inputs = [t for t, n in zip(saved, ctx.needs_input_grad) if n]
    got = iter(autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                             create_graph=True, allow_unused=True))
    return tuple(next(got) if n else None for n in ctx.needs_input_grad)


def lstm_layer(gi, h0, c0, w_hh, b_hh=None, w_hr=None, reverse=False):
    """Run one LSTM layer (one direction); returns ``(output, h_last, c_last)``."""
    return apply(LSTMLayer, (gi, h0, c0, w_hh, b_hh, w_hr), {"reverse": reverse})
