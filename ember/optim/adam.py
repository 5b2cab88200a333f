"""Adam and AdamW (with AMSGrad, L2 or decoupled weight decay, maximize)."""
import numpy as np

from .._tensor import Tensor
from . import _kernels as K
from .optimizer import (Optimizer, _check_betas, _check_fused, _check_lr, _check_nonneg,
                        _step_tensor, _to_scalar, _zeros)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``: moments ``m = lerp(m, g, 1 - beta1)``,
    ``v = beta2 * v + (1 - beta2) * g * g``, step
    ``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``.

    >>> import ember
    >>> w = ember.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> w.grad = ember.tensor([0.5, -2.0])
    >>> opt.step()
    >>> w
    tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        unsupported = " as a Tensor is not supported for capturable=False and foreach=True"
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr" + unsupported)
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        b0, b1 = betas
        if not ((isinstance(b0, float) and isinstance(b1, float))
                or (isinstance(b0, Tensor) and isinstance(b1, Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor):
                if foreach and not capturable:
                    raise ValueError(f"betas[{i}]" + unsupported)
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def _hyper(self, group):
        beta1, beta2 = (float(_to_scalar(b)) for b in group["betas"])
        return (beta1, beta2, float(_to_scalar(group["lr"])),
                float(_to_scalar(group["weight_decay"])), float(group["eps"]), group["amsgrad"],
                group["decoupled_weight_decay"])

    def _init_state(self, p, state, h):
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros(p)
        state["exp_avg_sq"] = _zeros(p)
        if h[5]:
            state["max_exp_avg_sq"] = _zeros(p)

    def _update(self, P, g, state, h, step):
        beta1, beta2, lr, wd, eps, amsgrad, decoupled = h
        m = state["exp_avg"]._data
        v = state["exp_avg_sq"]._data
        tmp = np.empty_like(m)
        K.adam_moments_(P, g, m, v, beta1, beta2, lr, wd, decoupled, tmp)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        if amsgrad:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            denom = np.sqrt(vmax)
        else:
            denom = np.sqrt(v)
        denom /= bias_correction2 ** 0.5
        denom += eps
        K.addcdiv_(P, m, denom, -step_size, tmp)


class AdamW(Adam):
    """PyTorch's ``torch.optim.AdamW``: Adam with decoupled weight decay
    (``p *= 1 - lr * weight_decay`` before the step), ``weight_decay`` 0.01 by default."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
