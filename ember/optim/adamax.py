"""Adamax: Adam with the infinity norm of the gradients in place of the second moment."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonneg, _step_tensor,
                        _to_scalar, _zeros)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """PyTorch's ``torch.optim.Adamax``: ``m = lerp(m, g, 1 - beta1)``,
    ``u = max(beta2 * u, |g| + eps)``, ``p -= lr / (1 - beta1^t) * m / u``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        beta1, beta2 = (float(b) for b in group["betas"])
        return (beta1, beta2, float(_to_scalar(group["lr"])), float(group["weight_decay"]),
                float(group["eps"]))

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros(p)
        state["exp_inf"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        beta1, beta2, lr, wd, eps = h
        m = state["exp_avg"]._data
        u = state["exp_inf"]._data
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        K.lerp_(m, g, 1 - beta1)
        u *= beta2
        a = np.abs(g)
        a += eps
        np.maximum(u, a, out=u)
        clr = lr / (1 - beta1 ** step)
        K.addcdiv_(P, m, u, -clr)
