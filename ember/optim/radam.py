"""RAdam: Adam with the variance of the adaptive learning rate rectified."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonneg, _step_tensor,
                        _to_scalar, _zeros)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """PyTorch's ``torch.optim.RAdam``: plain momentum SGD with bias correction while the
    approximated SMA length ``rho_t`` is at most 5, the rectified adaptive step after."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        beta1, beta2 = (float(b) for b in group["betas"])
        return (beta1, beta2, float(_to_scalar(group["lr"])), float(group["weight_decay"]),
                float(group["eps"]), group["decoupled_weight_decay"], 2 / (1 - beta2) - 1)

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros(p)
        state["exp_avg_sq"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        beta1, beta2, lr, wd, eps, decoupled, rho_inf = h
        m = state["exp_avg"]._data
        v = state["exp_avg_sq"]._data
        K.adam_moments_(P, g, m, v, beta1, beta2, lr, wd, decoupled)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = np.divide(m, bias_correction1)
        update *= lr
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = np.sqrt(v)
            adaptive += eps
            np.reciprocal(adaptive, out=adaptive)
            adaptive *= bias_correction2 ** 0.5
            update *= adaptive
            update *= rect
        P -= update
