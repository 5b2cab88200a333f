"""Gradient clipping, PyTorch's ``nn.utils.clip_grad_norm_`` and ``clip_grad_value_``."""
import math

import ember as E

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together, as a 0-d tensor."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return E.tensor(0.0)
    with no_grad():
        norms = E.stack([t.detach().norm(norm_type) for t in tensors])
        total = norms.max() if math.isinf(norm_type) else norms.norm(norm_type)
    if error_if_nonfinite and not bool(E.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return total


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale all gradients in place so that their joint norm is at most ``max_norm``;
    returns the norm before clipping.

    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(4))
    >>> p.grad = ember.full((4,), 2.0)
    >>> clip_grad_norm_([p], 1.0)
    tensor(4.)
    >>> p.grad
    tensor([0.5000, 0.5000, 0.5000, 0.5000])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = (float(max_norm) / (float(total) + 1e-6))
    if coef < 1:
        with no_grad():
            for g in grads:
                g.mul_(coef)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
