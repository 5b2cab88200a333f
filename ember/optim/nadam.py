"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _check_betas, _check_lr, _check_nonneg, _step_tensor,
                        _to_scalar, _zeros)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """PyTorch's ``torch.optim.NAdam``: momentum coefficients
    ``mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))`` with their running product kept
    in ``state["mu_product"]`` (a float32 0-d tensor, as in PyTorch)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(momentum_decay, "momentum_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _hyper(self, group):
        beta1, beta2 = (float(b) for b in group["betas"])
        return (beta1, beta2, float(_to_scalar(group["lr"])), float(group["weight_decay"]),
                float(group["eps"]), float(group["momentum_decay"]),
                group["decoupled_weight_decay"])

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["mu_product"] = _step_tensor(1.0)
        state["exp_avg"] = _zeros(p)
        state["exp_avg_sq"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        beta1, beta2, lr, wd, eps, md, decoupled = h
        m = state["exp_avg"]._data
        v = state["exp_avg_sq"]._data
        bias_correction2 = 1 - beta2 ** step
        g = K.adam_moments_(P, g, m, v, beta1, beta2, lr, wd, decoupled)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
        mpa = state["mu_product"]._data
        mpa *= mu
        mu_product = float(mpa)
        denom = np.divide(v, bias_correction2)
        np.sqrt(denom, out=denom)
        denom += eps
        mu_product_next = mu_product * mu_next
        K.addcdiv_(P, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
        K.addcdiv_(P, m, denom, (-lr * mu_next) / (1.0 - mu_product_next))
