"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
import numpy as np

from .._tensor import _wrap
from . import _kernels as K
from .optimizer import (Optimizer, _bump, _check_fused, _check_lr, _check_nonneg, _eval_closure,
                        _grad_array, _step_tensor, _tick, _to_scalar)

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
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = _step_tensor()
        # PyTorch reads the optimizer-wide default here, not the group's value
        state["sum"] = _wrap(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr = float(_to_scalar(group["lr"]))
            wd = float(group["weight_decay"])
            lr_decay = float(group["lr_decay"])
            eps = float(group["eps"])
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    self._init_state(p)
                P = p._data
                g = _grad_array(p, maximize)
                s = state["sum"]._data
                step = _tick(state)
                if wd != 0:
                    g = K.add_scaled(g, P, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                K.addcmul_(s, g, g)
                std = np.sqrt(s)
                std += eps
                K.addcdiv_(P, g, std, -clr)
                _bump(p)
        return loss
