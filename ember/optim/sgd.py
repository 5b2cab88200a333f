"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .._tensor import _wrap
from . import _kernels as K
from .optimizer import Optimizer, _check_fused, _check_lr, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's ``torch.optim.SGD``. With momentum ``mu`` the first step seeds the buffer
    with the gradient itself (``b = g``), later steps do ``b = mu * b + (1 - dampening) * g``;
    ``nesterov`` steps along ``g + mu * b``.

    >>> import ember
    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = ember.tensor([1.0])
    ...     opt.step()
    >>> w
    tensor([0.7100], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    _counts_steps = False

    def _hyper(self, group):
        return (float(_to_scalar(group["lr"])), float(_to_scalar(group["weight_decay"])),
                float(group["momentum"]), 1.0 - float(group["dampening"]), group["nesterov"])

    def _param_state(self, p, h):
        # no state entry at all without momentum, as in PyTorch
        return self.state[p] if h[2] != 0 else None

    def _update(self, P, g, state, h, step):
        lr, wd, momentum, damp, nesterov = h
        if wd != 0:
            g = K.add_scaled(g, P, wd)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                state["momentum_buffer"] = buf = _wrap(np.array(g, copy=True))
                b = buf._data
            else:
                b = buf._data
                b *= momentum
                K.add_scaled_(b, g, damp)
            g = K.add_scaled(g, b, momentum) if nesterov else b
        K.add_scaled_(P, g, -lr)
