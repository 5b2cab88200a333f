"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from . import _kernels as K
from .optimizer import Optimizer, _check_lr, _check_nonneg, _step_tensor, _to_scalar, _zeros

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """PyTorch's ``torch.optim.ASGD``: SGD with step size
    ``eta_t = lr / (1 + lambd * lr * t)^alpha`` and a running average ``ax`` of the
    parameters, started at step ``t0``; ``eta`` and ``mu`` live in the state as float32
    0-d tensors, as in PyTorch."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        return (float(_to_scalar(group["lr"])), float(group["lambd"]), float(group["alpha"]),
                float(group["t0"]), float(group["weight_decay"]))

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["eta"] = _step_tensor(h[0])
        state["mu"] = _step_tensor(1.0)
        state["ax"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        lr, lambd, alpha, t0, wd = h
        ax = state["ax"]._data
        eta = state["eta"]._data
        mu = state["mu"]._data
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        eta_value = float(eta)
        P *= 1 - lambd * eta_value
        K.add_scaled_(P, g, -eta_value)
        if float(mu) != 1:
            d = np.subtract(P, ax)
            d *= mu
            ax += d
        else:
            ax[...] = P
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)
