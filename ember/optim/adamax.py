"""Adamax: Adam with the infinity norm of the gradients in place of the second moment."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _bump, _check_betas, _check_lr, _check_nonneg, _eval_closure,
                        _grad_array, _step_tensor, _tick, _to_scalar, _zeros)

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

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            lr = float(_to_scalar(group["lr"]))
            wd = float(group["weight_decay"])
            eps = float(group["eps"])
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros(p)
                    state["exp_inf"] = _zeros(p)
                P = p._data
                g = _grad_array(p, maximize)
                m = state["exp_avg"]._data
                u = state["exp_inf"]._data
                step = _tick(state)
                if wd != 0:
                    g = K.add_scaled(g, P, wd)
                K.lerp_(m, g, 1 - beta1)
                u *= beta2
                a = np.abs(g)
                a += eps
                np.maximum(u, a, out=u)
                clr = lr / (1 - beta1 ** step)
                K.addcdiv_(P, m, u, -clr)
                _bump(p)
        return loss
