"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _bump, _check_betas, _check_lr, _check_nonneg, _eval_closure,
                        _grad_array, _step_tensor, _tick, _to_scalar, _zeros)

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

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            lr = float(_to_scalar(group["lr"]))
            wd = float(group["weight_decay"])
            eps = float(group["eps"])
            md = float(group["momentum_decay"])
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = _zeros(p)
                    state["exp_avg_sq"] = _zeros(p)
                P = p._data
                g = _grad_array(p, maximize)
                m = state["exp_avg"]._data
                v = state["exp_avg_sq"]._data
                step = _tick(state)
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    if decoupled:
                        P *= 1 - lr * wd
                    else:
                        g = K.add_scaled(g, P, wd)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
                mpa = state["mu_product"]._data
                mpa *= mu
                mu_product = float(mpa)
                K.lerp_(m, g, 1 - beta1)
                v *= beta2
                K.addcmul_(v, g, g, 1 - beta2)
                denom = np.divide(v, bias_correction2)
                np.sqrt(denom, out=denom)
                denom += eps
                mu_product_next = mu_product * mu_next
                K.addcdiv_(P, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                K.addcdiv_(P, m, denom, (-lr * mu_next) / (1.0 - mu_product_next))
                _bump(p)
        return loss
