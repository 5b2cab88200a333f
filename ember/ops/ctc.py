"""Connectionist temporal classification loss as one op (``CtcLossBackward0``).

Forward runs the alpha recursion in log space over the extended label sequence (a blank
before, between and after the labels: ``2 S + 1`` positions), vectorised over the batch
and the label positions, with a Python loop over time only. Backward runs the beta
recursion the same way and forms PyTorch's gradient with respect to ``log_probs``::

    grad[t, n, c] = exp(lp[t, n, c]) - exp(logsumexp_{s: l'_s = c}(alpha + beta)[t, n, s]
                                           + nll[n] - lp[t, n, c])

for ``t < input_lengths[n]`` (zero after). Like PyTorch's, this formula assumes that
``log_probs`` came out of a ``log_softmax`` (its ``exp`` term is the softmax Jacobian
folded in); it is what PyTorch computes for any input, normalised or not. PyTorch does not
differentiate this gradient again, and neither does ember: backward of backward raises.
"""
import operator

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import is_grad_enabled
from ._dispatch import Op, apply

__all__ = ["ctc_loss"]

_NEG = -np.inf
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


class CtcLoss(Op):
    """``log_probs`` (T, N, C) to the negative log-likelihood of each sample (N,).

    Attributes: ``targets`` (N, S) int64 (padded, labels of sample ``n`` in its first
    ``target_lengths[n]`` entries, the blank after them), ``input_lengths`` and
    ``target_lengths`` (N,) int64, ``blank`` and ``zero_infinity`` as in
    :func:`ember.nn.functional.ctc_loss`."""

    save = (0,)
    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, lp, targets=None, input_lengths=None, target_lengths=None, blank=0,
                zero_infinity=False):
        il, tl = input_lengths, target_lengths
        N, S = targets.shape
        ext = np.full((N, 2 * S + 1), blank, np.int64)      # blanks interleaved
        ext[:, 1::2] = targets
        lpe = lp[:, np.arange(N)[:, None], ext]               # (T, N, L): lp at each position
        la = _log_alpha(lpe, ext, il, tl)
        rows = np.arange(N)
        last = la[np.maximum(il - 1, 0), rows]                # (N, L) at each sample's end
        with np.errstate(invalid="ignore"):
            ll = np.logaddexp(last[rows, 2 * tl],
                              np.where(tl > 0, last[rows, np.maximum(2 * tl - 1, 0)], _NEG))
        ll = np.where(il > 0, ll, np.where(tl > 0, _NEG, 0.0))
        nll = -ll
        ctx.state = (la, lpe, ext, il, tl, nll, zero_infinity)
        if zero_infinity:
            nll = np.where(nll == np.inf, 0.0, nll)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (lp_t,) = ctx.saved_tensors
        grad = _ctc_grad(lp_t._data, *ctx.state)
        grad *= g._data.astype(grad.dtype, copy=False)[None, :, None]
        if is_grad_enabled():        # create_graph=True: a node whose backward refuses
            return apply(_CtcLossGrad, (lp_t, g), {"grad": grad})
        return _wrap(grad)


class _CtcLossGrad(Op):
    """The gradient of :class:`CtcLoss`, computed already; not differentiable again."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, lp, g, grad=None):
        return grad

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


# ---- the recursions ----------------------------------------------------------------------
def _skip_add(ext, dt):
    """(N, L): 0 where position ``s`` may be entered from ``s - 2`` (a label that differs
    from the label two positions back), -inf elsewhere."""
    ska = np.full(ext.shape, _NEG, dt)
    ska[:, 3::2] = np.where(ext[:, 3::2] != ext[:, 1:-2:2], 0.0, _NEG)
    return ska


def _recur(lx, first, ska, steps):
    """The CTC recursion in log space: ``out[0] = first`` and, for ``k`` < ``steps``,
    ``out[k][s] = logsumexp(out[k-1][s], out[k-1][s-1], out[k-1][s-2] + ska[s]) + lx[k][s]``
    (as PyTorch computes it: each sum of three relative to its largest term)."""
    T, N, L = lx.shape
    dt = lx.dtype
    out = np.full((T, N, L), _NEG, dt)
    if not steps:
        return out
    out[0] = first
    X = np.full((3, N, L), _NEG, dt)          # the three terms; shifted-in entries stay -inf
    E = np.empty((3, N, L), dt)
    m = np.empty((N, L), dt)
    low = np.asarray(np.finfo(dt).min / 4, dt)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for k in range(1, steps):
            a = out[k - 1]
            X[0] = a
            X[1, :, 1:] = a[:, :-1]
            np.add(a[:, :-2], ska[:, 2:], out=X[2, :, 2:])
            np.maximum(a, X[1], out=m)
            np.maximum(m, X[2], out=m)
            np.maximum(m, low, out=m)         # all three -inf: exp gives 0, the log -inf
            np.subtract(X, m, out=E)
            np.exp(E, out=E)
            r = out[k]
            np.add(E[0], E[1], out=r)
            r += E[2]
            np.log(r, out=r)
            r += m
            r += lx[k]
    return out


def _log_alpha(lpe, ext, il, tl):
    """log alpha (T, N, L): log-probability of the labels up to extended position ``s``
    after the first ``t + 1`` steps (emissions included), in the input's dtype as PyTorch
    computes it. Steps past a sample's input length are not needed and not computed."""
    first = np.full(lpe.shape[1:], _NEG, lpe.dtype)
    first[:, :2] = lpe[0, :, :2]
    return _recur(lpe, first, _skip_add(ext, lpe.dtype), int(il.max()))


def _log_beta(lpe, ext, il, tl):
    """log beta (T, N, L): log-probability of the labels from extended position ``s`` on
    over steps ``t`` .. ``input_lengths - 1`` (emissions at ``t`` included, as PyTorch's).
    Runs :func:`_recur` over each sample's steps reversed (aligned so that all samples
    start at once) and the positions reversed."""
    T, N, L = lpe.shape
    rows = np.arange(N)
    tt = il[None, :] - 1 - np.arange(T)[:, None]            # (T, N): step of reversed step k
    lr = lpe[np.maximum(tt, 0), rows]                        # each sample's steps reversed
    pos = np.arange(L)
    end = (pos == 2 * tl[:, None]) | ((pos == 2 * tl[:, None] - 1) & (tl[:, None] > 0))
    first = np.where(end, lr[0], _NEG)
    ska = np.full((N, L), _NEG, lpe.dtype)                   # s + 2 -> s, positions reversed
    ska[:, 2:] = _skip_add(ext, lpe.dtype)[:, ::-1][:, :-2]
    beta = _recur(lr[:, :, ::-1], first[:, ::-1], ska, int(il.max()))[:, :, ::-1]
    out = beta[np.maximum(tt, 0), rows]                      # back to forward steps
    out[tt < 0] = _NEG
    return out


def _ctc_grad(lp, la, lpe, ext, il, tl, nll, zero_infinity):
    """PyTorch's gradient of each sample's nll with respect to ``lp`` (T, N, C)."""
    T, N, C = lp.shape
    rows = np.arange(N)
    lb = _log_beta(lpe, ext, il, tl)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ab = la + lb
        m = ab.max(axis=2, keepdims=True)
        np.maximum(m, np.finfo(m.dtype).min, out=m)
        ab -= m
        e = np.exp(ab, out=ab)
        # PyTorch's quirk, kept for parity: at a sample's last step, a last label equal to
        # the blank replaces the final blank's share instead of adding to it
        n = np.nonzero((tl > 0) & (il > 0))[0]
        n = n[ext[n, 2 * tl[n] - 1] == ext[n, 2 * tl[n]]]
        e[il[n] - 1, n, 2 * tl[n]] = 0
        # sum the positions that carry the same label: one bincount over (t, n, label)
        idx = (np.arange(T)[:, None, None] * N + rows[None, :, None]) * C + ext[None]
        tot = np.bincount(idx.ravel(), weights=e.ravel(), minlength=T * N * C)
        lcab = np.log(tot.reshape(T, N, C)).astype(lp.dtype, copy=False)
        lcab += m
        lcab += nll.astype(lp.dtype)[None, :, None]
        lcab -= lp
        grad = np.exp(lp)
        grad -= np.exp(lcab, out=lcab)
    grad[np.arange(T)[:, None] >= il[None, :]] = 0
    if zero_infinity:
        grad[:, nll == np.inf] = 0
    return grad


# ---- argument checking -----------------------------------------------------------------
def _signature_error(args):
    kinds = ", ".join(type(a).__name__ if not isinstance(a, Tensor) else "Tensor"
                      for a in args)
    return TypeError(
        f"ctc_loss() received an invalid combination of arguments - got ({kinds}), but "
        "expected one of:\n * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, "
        "tuple of ints target_lengths, int blank = 0, int reduction = Mean, bool "
        "zero_infinity = False)\n * (Tensor log_probs, Tensor targets, Tensor input_lengths, "
        "Tensor target_lengths, int blank = 0, int reduction = Mean, bool zero_infinity = "
        "False)")


def _as_lengths(v, name):
    if isinstance(v, Tensor):
        d = v._data
        if d.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral, got a tensor of dtype "
                               f"{v.dtype}")
        return d.reshape(-1).astype(np.int64)
    return np.array([operator.index(x) for x in v], np.int64)


def _size_error(want, got, dim, what="size"):
    return RuntimeError(f"Expected tensor to have {what} {want} at dimension {dim}, but got "
                        f"size {got} for argument #2 'targets' (while checking arguments for "
                        "ctc_loss)")


def ctc_nll(log_probs, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """Each sample's CTC negative log-likelihood, (N,) (shape () for unbatched input), and
    the target lengths as a NumPy array (what ``reduction='mean'`` divides by)."""
    args = (log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    tens = isinstance(input_lengths, Tensor), isinstance(target_lengths, Tensor)
    seqs = [isinstance(v, (tuple, list)) for v in (input_lengths, target_lengths)]
    if not (all(tens) or all(seqs)) or not isinstance(log_probs, Tensor) \
            or not isinstance(targets, Tensor) or isinstance(blank, bool) \
            or not isinstance(blank, (int, np.integer)) or not isinstance(zero_infinity, bool):
        raise _signature_error(args)
    if all(seqs):
        try:
            il = _as_lengths(input_lengths, "input_lengths")
            tl = _as_lengths(target_lengths, "target_lengths")
        except TypeError:
            raise _signature_error(args) from None
    else:
        il = _as_lengths(input_lengths, "input_lengths")
        tl = _as_lengths(target_lengths, "target_lengths")
    unbatched = log_probs.dim() != 3
    lp = log_probs.unsqueeze(1) if unbatched else log_probs     # (T, C) -> (T, 1, C)
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional "
                           f"tensor for argument #1 'log_probs' (while checking arguments for "
                           "ctc_loss)")
    d = lp._data
    if d.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for "
                                  f"'{log_probs.dtype._legacy[:-6]}'")
    T, N, C = d.shape
    if d.size == 0:
        raise RuntimeError(f"log_probs tensor must not be empty (got shape {list(d.shape)})")
    if not 0 <= blank < C:
        raise RuntimeError(f"blank must be in label range: got blank={blank} for {C} classes")
    if il.size != N:
        raise RuntimeError(f"input_lengths must be of size batch_size: got {il.size} lengths "
                           f"for a batch of {N}")
    if tl.size != N:
        raise RuntimeError(f"target_lengths must be of size batch_size: got {tl.size} lengths "
                           f"for a batch of {N}")
    for name, v in (("input_lengths", il), ("target_lengths", tl)):
        if (v < 0).any():
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(v.min())} (while checking arguments for ctc_loss)")
    if (il > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{int(il.max())} (while checking arguments for ctc_loss)")
    tg = targets._data
    if tg.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor "
                           "for argument #2 'targets' (while checking arguments for ctc_loss)")
    S = int(tl.max())
    k = np.arange(S)
    used = k[None, :] < tl[:, None]                     # (N, S)
    if tg.ndim == 1:
        total = int(tl.sum())
        if tg.shape[0] != total:
            raise _size_error(total, tg.shape[0], 0)
        off = np.cumsum(tl) - tl
        tpad = tg[np.where(used, off[:, None] + k[None, :], 0)] if total else \
            np.zeros((N, S), tg.dtype)
    else:
        if tg.shape[0] != N:
            raise _size_error(N, tg.shape[0], 0)
        if tg.shape[1] < S:
            raise _size_error(S, tg.shape[1], 1, "size at least")
        tpad = tg[:, :S]
    tpad = tpad.astype(np.int64)
    bad = used & ((tpad < 0) | (tpad >= C))
    if bad.any():
        v = int(tpad[bad][0])
        raise RuntimeError(f"ctc_loss: target value {v} is out of range for {C} classes "
                           f"(expected 0 <= target < {C})")
    tpad = np.where(used, tpad, blank)
    nll = apply(CtcLoss, (lp,), {"targets": tpad, "input_lengths": il, "target_lengths": tl,
                                 "blank": int(blank), "zero_infinity": zero_infinity})
    if unbatched:
        nll = nll.squeeze(0)
    return nll, tl


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    """``torch.ctc_loss``: the CTC loss with the reduction as PyTorch's enum value, 0 (none,
    the default here), 1 (mean) or 2 (sum); ``nn.functional.ctc_loss`` takes the names."""
    return reduced_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                        zero_infinity)


def reduced_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
                 zero_infinity=False):
    """The CTC loss (``torch.nn.functional.ctc_loss``); ``reduction`` also takes PyTorch's
    enum values 0 (none), 1 (mean), 2 (sum) as ``torch.ctc_loss`` does."""
    if isinstance(reduction, int) and not isinstance(reduction, bool):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        reduction = _REDUCTIONS[reduction]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    nll, tl = ctc_nll(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    if reduction == "none":
        return nll
    if reduction == "sum":
        return nll.sum()
    div = np.maximum(tl, 1).astype(nll._data.dtype)
    return (nll / _wrap(div.reshape(nll.shape))).mean()
