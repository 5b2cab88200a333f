"""Finite-difference checks of analytical gradients: ``gradcheck`` and ``gradgradcheck``."""
import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytical and numerical gradients differ."""


def _as_tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if o._data.dtype.kind == "f"]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **kwargs):
    """Compare the gradients autograd computes for ``func`` at ``inputs`` with central
    finite differences; use float64 inputs that require grad.

    >>> import ember
    >>> x = ember.tensor([1., 2.], dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(lambda t: (t * t).exp(), (x,))
    True
    """
    from . import grad as autograd_grad
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    outs = _outputs(func, inputs)
    for oi, out in enumerate(outs):
        n_out = out._data.size
        for ii in diff:
            x = inputs[ii]
            n_in = x._data.size
            # numerical: perturb each input element (writing into its memory, no history)
            num = np.zeros((n_out, n_in))
            flat = x._data.reshape(-1) if x._data.flags.c_contiguous else None
            if flat is None:
                raise ValueError("gradcheck needs contiguous inputs")
            for k in range(n_in):
                orig = flat[k]
                flat[k] = orig + eps
                plus = _outputs(func, inputs)[oi]._data.astype(np.float64).reshape(-1)
                flat[k] = orig - eps
                minus = _outputs(func, inputs)[oi]._data.astype(np.float64).reshape(-1)
                flat[k] = orig
                num[:, k] = (plus - minus) / (2 * eps)
            # analytical: one vector-Jacobian product per output element
            ana = np.zeros((n_out, n_in))
            for j in range(n_out):
                out = _outputs(func, inputs)[oi]
                go = np.zeros(out._data.shape, out._data.dtype)
                go.reshape(-1)[j] = 1
                from ..ops.creation import from_numpy
                (g,) = autograd_grad(out, x, from_numpy(go), retain_graph=False,
                                     allow_unused=True)
                if g is not None:
                    ana[j] = g._data.astype(np.float64).reshape(-1)
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {oi} with respect to input {ii},\n"
                        f"numerical:{num}\nanalytical:{ana}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """Check second derivatives: :func:`gradcheck` of ``(inputs, grad_outputs) ->
    vjp(func)(grad_outputs)``, differentiating with respect to both, as PyTorch does
    (random ``grad_outputs`` when not given)."""
    from . import grad as autograd_grad
    from .._tensor import Tensor
    from ..ops.creation import from_numpy
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(from_numpy(rng.standard_normal(o._data.shape)
                                        .astype(o._data.dtype)).requires_grad_(True)
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first(*xs):
        ins, gos = xs[:n_in], xs[n_in:]
        os = _outputs(func, ins)
        dx = [x for x in ins if isinstance(x, Tensor) and x._requires_grad]
        gs = autograd_grad(os, dx, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None and g._requires_grad)

    return gradcheck(first, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
