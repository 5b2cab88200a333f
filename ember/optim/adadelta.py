"""Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""
import numpy as np

from . import _kernels as K
from .optimizer import Optimizer, _check_lr, _check_nonneg, _step_tensor, _to_scalar, _zeros

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """PyTorch's ``torch.optim.Adadelta``: ``v = rho * v + (1 - rho) * g * g``,
    ``d = sqrt(u + eps) / sqrt(v + eps) * g``, ``u = rho * u + (1 - rho) * d * d``,
    ``p -= lr * d``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps, "epsilon value")
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        return (float(_to_scalar(group["lr"])), float(group["rho"]), float(group["eps"]),
                float(group["weight_decay"]))

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros(p)
        state["acc_delta"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        lr, rho, eps, wd = h
        v = state["square_avg"]._data
        u = state["acc_delta"]._data
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        v *= rho
        K.addcmul_(v, g, g, 1 - rho)
        std = np.add(v, eps)
        np.sqrt(std, out=std)
        delta = np.add(u, eps)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        u *= rho
        K.addcmul_(u, delta, delta, 1 - rho)
        K.add_scaled_(P, delta, -lr)
