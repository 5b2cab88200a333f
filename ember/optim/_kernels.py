"""In-place update kernels on NumPy arrays, in PyTorch's operation order.

Each helper computes what the PyTorch tensor op of the same name computes, rounding step
by step in the arrays' dtype (float32 stays float32: Python-number operands are weak), so
optimizer trajectories agree with PyTorch's to the last bit or two. PyTorch fuses the
multiply-add of ``add(alpha=)``/``addcmul``/``lerp`` into one rounding; NumPy rounds the
product first, a difference of at most one unit in the last place per step.
"""
import numpy as np


def add_scaled(a, b, alpha):
    """``a + alpha * b`` as a new array (``a.add(b, alpha=alpha)``)."""
    if alpha == 1:
        return a + b
    r = np.multiply(b, alpha)
    r += a
    return r


def add_scaled_(a, b, alpha):
    """``a += alpha * b`` in place (``a.add_(b, alpha=alpha)``)."""
    if alpha == 1:
        a += b
    elif alpha == -1:
        a -= b
    else:
        a += np.multiply(b, alpha)


def lerp_(a, b, weight, tmp=None):
    """``a.lerp_(b, weight)``: ``a + w * (b - a)`` for ``|w| < 0.5``, else
    ``b - (b - a) * (1 - w)`` (PyTorch's two-sided formula), in place. ``tmp`` is an
    optional scratch array of ``a``'s shape and dtype."""
    w = a.dtype.type(weight)
    d = np.subtract(b, a, out=tmp)
    if abs(w) < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        np.subtract(b, d, out=a)


def addcmul_(a, t1, t2, value=1, tmp=None):
    """``a.addcmul_(t1, t2, value=value)``: ``a + (value * t1) * t2`` in place."""
    if value != 1:
        t = np.multiply(t1, value, out=tmp)
        t *= t2
    else:
        t = np.multiply(t1, t2, out=tmp)
    a += t


def addcdiv_(a, t1, t2, value=1, tmp=None):
    """``a.addcdiv_(t1, t2, value=value)``: ``a + (value * t1) / t2`` in place."""
    if value != 1:
        t = np.multiply(t1, value, out=tmp)
        t /= t2
    else:
        t = np.divide(t1, t2, out=tmp)
    a += t


def adam_moments_(P, g, m, v, beta1, beta2, lr, wd, decoupled, tmp=None):
    """Adam's weight decay and moment updates in place: decoupled decay ``P *= 1 - lr * wd``
    or L2 decay ``g = g + wd * P``, then ``m.lerp_(g, 1 - beta1)`` and
    ``v = beta2 * v + (1 - beta2) * g * g``. Returns the gradient used."""
    if wd != 0:
        if decoupled:
            P *= 1 - lr * wd
        else:
            g = add_scaled(g, P, wd)
    lerp_(m, g, 1 - beta1, tmp)
    v *= beta2
    addcmul_(v, g, g, 1 - beta2, tmp)
    return g
