"""Rprop: per-coordinate step sizes adapted by the sign agreement of successive gradients."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer, _check_lr, _step_tensor, _to_scalar, _zeros

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """PyTorch's ``torch.optim.Rprop``: where the gradient keeps its sign the step size grows
    by ``etas[1]``, where it flips it shrinks by ``etas[0]`` (and that coordinate skips this
    step), clamped to ``step_sizes``; parameters move by ``-sign(g) * step_size``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        return etaminus, etaplus, lo, hi, group

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["prev"] = _zeros(p)
        state["step_size"] = _wrap(np.full_like(p.grad._data, _to_scalar(h[4]["lr"])))

    def _update(self, P, g, state, h, step):
        etaminus, etaplus, lo, hi, _ = h
        prev = state["prev"]._data
        size = state["step_size"]._data
        prod = np.multiply(g, prev)
        grow = prod > 0
        shrink = prod < 0
        factor = np.ones_like(prod)
        factor[grow] = etaplus
        factor[shrink] = etaminus
        size *= factor
        np.clip(size, lo, hi, out=size)
        g = np.array(g, copy=True)
        g[shrink] = 0
        upd = np.sign(g)
        upd *= size
        P -= upd
        prev[...] = g
