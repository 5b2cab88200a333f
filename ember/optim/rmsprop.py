"""RMSprop (plain or centered, with optional momentum)."""
import numpy as np

from . import _kernels as K
from .optimizer import Optimizer, _check_lr, _check_nonneg, _step_tensor, _to_scalar, _zeros

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """PyTorch's ``torch.optim.RMSprop``: ``v = alpha * v + (1 - alpha) * g * g``; the step
    divides by ``sqrt(v) + eps`` (``sqrt(v - E[g]^2) + eps`` when ``centered``)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_nonneg(momentum, "momentum value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(alpha, "alpha value")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        return (float(_to_scalar(group["lr"])), float(group["alpha"]), float(group["eps"]),
                float(group["weight_decay"]), float(group["momentum"]), group["centered"])

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros(p)
        if h[4] > 0:
            state["momentum_buffer"] = _zeros(p)
        if h[5]:
            state["grad_avg"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        lr, alpha, eps, wd, momentum, centered = h
        v = state["square_avg"]._data
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        v *= alpha
        K.addcmul_(v, g, g, 1 - alpha)
        if centered:
            ga = state["grad_avg"]._data
            K.lerp_(ga, g, 1 - alpha)
            avg = np.multiply(ga, ga)
            np.subtract(v, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= momentum
            K.addcdiv_(buf, g, avg)
            K.add_scaled_(P, buf, -lr)
        else:
            K.addcdiv_(P, g, avg, -lr)
