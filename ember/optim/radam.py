"""RAdam: Adam with the variance of the adaptive learning rate rectified."""
import numpy as np

from . import _kernels as K
from .optimizer import (Optimizer, _bump, _check_betas, _check_lr, _check_nonneg, _eval_closure,
                        _grad_array, _step_tensor, _tick, _to_scalar, _zeros)

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

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            lr = float(_to_scalar(group["lr"]))
            wd = float(group["weight_decay"])
            eps = float(group["eps"])
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros(p)
                    state["exp_avg_sq"] = _zeros(p)
                P = p._data
                g = _grad_array(p, maximize)
                m = state["exp_avg"]._data
                v = state["exp_avg_sq"]._data
                step = _tick(state)
                if wd != 0:
                    if decoupled:
                        P *= 1 - lr * wd
                    else:
                        g = K.add_scaled(g, P, wd)
                K.lerp_(m, g, 1 - beta1)
                v *= beta2
                K.addcmul_(v, g, g, 1 - beta2)
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
                _bump(p)
        return loss
