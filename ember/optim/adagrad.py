"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
import numpy as np

from .._tensor import _wrap
from . import _kernels as K
from .optimizer import (Optimizer, _check_fused, _check_lr, _check_nonneg, _step_tensor,
                        _to_scalar)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's ``torch.optim.Adagrad``: ``s += g * g``,
    ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``. The state of every
    parameter is made at construction (``sum`` starts at ``initial_accumulator_value``)."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg(lr_decay, "lr_decay value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(initial_accumulator_value, "initial_accumulator_value value")
        _check_nonneg(eps, "epsilon value")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p])

    def _init_state(self, p, state, h=None):
        state["step"] = _step_tensor()
        # PyTorch reads the optimizer-wide default here, not the group's value
        state["sum"] = _wrap(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def _hyper(self, group):
        return (float(_to_scalar(group["lr"])), float(group["weight_decay"]),
                float(group["lr_decay"]), float(group["eps"]))

    def _update(self, P, g, state, h, step):
        lr, wd, lr_decay, eps = h
        s = state["sum"]._data
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        clr = lr / (1 + (step - 1) * lr_decay)
        K.addcmul_(s, g, g)
        std = np.sqrt(s)
        std += eps
        K.addcdiv_(P, g, std, -clr)
