"""Batch normalization and the NLL loss as one op each (PyTorch's
``NativeBatchNormBackward0`` and ``NllLossBackward0``).

Forward, with the input seen as (N, C, S): per-channel statistics (batch ones in training,
the running ones in evaluation), then ``y = x̂ * weight + bias`` in two passes. Backward is
the closed form: ``db = Σ g``, ``dw = Σ g·x̂``, and in training
``dx = w·invstd · (g - db/M - x̂·dw/M)``, a handful of passes over the array instead of the
graph of a dozen ops that the composed formula records. Backward of backward
(``create_graph=True``) differentiates the composed formula instead, so higher derivatives
stay exact.
"""
import numpy as np

from .._tensor import _wrap
from ..autograd.grad_mode import is_grad_enabled
from ..backend.cpu import quiet
from ._dispatch import COMMON, Op, apply, recompute_backward

__all__ = []


def _as3(a):
    """(N, C, S) view (or copy) of an (N, C, *) array."""
    n, c = a.shape[0], a.shape[1]
    return a.reshape(n, c, -1)


class BatchNormOp(Op):
    """Inputs ``x`` (N, C, *), ``weight`` and ``bias`` (C) or None, ``mean`` and ``var``
    (C) or None (used in evaluation). Outputs ``y`` and, in training, the batch mean and
    biased variance (for the running statistics; they carry no gradient)."""

    promote = COMMON
    save = (0, 1, 2, 3, 4)
    node_name = "NativeBatchNormBackward0"

    @staticmethod
    @quiet
    def forward(ctx, x, weight, bias, mean, var, training=True, eps=1e-5):
        if x.dtype == np.float16:      # statistics in float32, as PyTorch does for half
            f = np.float32
            out = BatchNormOp.forward(ctx, x.astype(f), *(None if a is None else a.astype(f)
                                                          for a in (weight, bias, mean, var)),
                                      training=training, eps=eps)
            return tuple(o.astype(np.float16) for o in out) if training else \
                out.astype(np.float16)
        x3 = _as3(x)
        dt = x.dtype
        if training:
            mean = x3.mean(axis=(0, 2), dtype=dt)
            xc = x3 - mean[:, None]
            var = np.einsum("ncs,ncs->c", xc, xc) / (x3.shape[0] * x3.shape[2])
            var = var.astype(dt, copy=False)
        else:
            xc = None
        invstd = (1.0 / np.sqrt(var + eps)).astype(dt, copy=False)
        scale = invstd if weight is None else invstd * weight
        if training:
            y = xc * scale[:, None]
        else:
            y = x3 * scale[:, None]
            shift = -mean * scale
            y += shift[:, None].astype(dt, copy=False)
        if bias is not None:
            y += bias[:, None]
        ctx.xc, ctx.invstd, ctx.training, ctx.eps = xc, invstd, training, eps
        y = y.reshape(x.shape)
        if training:
            return y, mean, var
        return y

    @staticmethod
    @quiet
    def backward(ctx, g, *_):
        saved = ctx.saved_tensors
        if g is None:
            return (None,) * 5
        if is_grad_enabled():        # create_graph: differentiate the composed formula
            return recompute_backward(ctx, lambda: batch_norm_reference(
                *saved, ctx.training, ctx.eps), (g,))
        x, weight, bias, mean, var = saved
        need = ctx.needs_input_grad
        dt = g._data.dtype
        f = np.float32 if dt == np.float16 else dt       # half: work in float32
        g3 = _as3(g._data).astype(f, copy=False)
        invstd = ctx.invstd
        w = None if weight is None else weight._data.astype(f, copy=False)
        if ctx.training:
            xc = ctx.xc
        else:
            xc = _as3(x._data).astype(f, copy=False) - mean._data.astype(f)[:, None]
        db = g3.sum(axis=(0, 2))
        gxc = np.einsum("ncs,ncs->c", g3, xc)           # Σ g·(x - mean)
        dw = gxc * invstd
        dx = None
        if need[0]:
            k = invstd if w is None else invstd * w
            if ctx.training:
                m = g3.shape[0] * g3.shape[2]
                dx = g3 * k[:, None]
                dx -= xc * (k * invstd * invstd * gxc / m)[:, None]
                dx -= (k * db / m)[:, None]
            else:
                dx = g3 * k[:, None]
            dx = dx.reshape(x._data.shape).astype(dt, copy=False)
        out = [dx, dw.astype(dt, copy=False) if weight is not None else None,
               db.astype(dt, copy=False) if bias is not None else None, None, None]
        return tuple(_wrap(a) if n and a is not None else None for n, a in zip(need, out))


def batch_norm_reference(x, weight, bias, mean, var, training, eps):
    """The same normalization composed from ordinary ops (what double backward uses)."""
    nd = x.dim()
    shape = (-1,) + (1,) * (nd - 2)
    if training:
        dims = (0,) + tuple(range(2, nd))
        mean = x.mean(dims, keepdim=True)
        xc = x - mean
        var = (xc * xc).mean(dims, keepdim=True)
        out = xc * (var + eps).rsqrt()
    else:
        out = (x - mean.reshape(shape)) * (var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def batch_norm(input, weight, bias, mean, var, training, eps):
    """``y`` (and, in training, the batch mean and biased variance as plain arrays' tensors)."""
    return apply(BatchNormOp, (input, weight, bias, mean, var),
                 {"training": bool(training), "eps": float(eps)})


class NllLossOp(Op):
    """``-input[i, target_i] · w_i`` per sample, then the reduction. ``safe`` holds the target
    classes (ignored ones set to 0) with the class axis kept as size 1 at ``cdim``; ``w`` the
    per-sample weights (0 where ignored), both constant arrays."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, input, safe, w, cdim, reduction):
        picked = np.take_along_axis(input, safe, cdim).squeeze(cdim)
        loss = picked * (0.0 - w)
        if reduction == "none":
            denom = None
        elif reduction == "sum":
            denom, loss = None, np.asarray(loss.sum(), dtype=input.dtype)
        else:
            denom = w.sum(dtype=input.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                loss = np.asarray(loss.sum() / denom, dtype=input.dtype)
        ctx.args = (safe, w, cdim, reduction, denom, input.shape)
        return loss

    @staticmethod
    def backward(ctx, g):
        from .indexing import scatter
        from .creation import zeros
        safe, w, cdim, reduction, denom, shape = ctx.args
        coef = 0.0 - w                                  # +0 where w == 0
        if denom is not None:
            coef = coef / denom if denom != 0 else coef * 0   # no weight at all: no gradient
        vals = (g * _wrap(np.asarray(coef, dtype=g._data.dtype))).unsqueeze(cdim)
        return scatter(zeros(shape, dtype=g.dtype), cdim, _wrap(safe), vals)


def nll_loss(input, safe, w, cdim, reduction):
    """The op behind ``nn.functional.nll_loss`` (arguments checked by the caller)."""
    return apply(NllLossOp, (input,), {"safe": safe, "w": w, "cdim": cdim,
                                       "reduction": reduction})
