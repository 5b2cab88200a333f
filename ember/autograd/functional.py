"""``ember.autograd.functional``: whole-function derivatives built on ``autograd.grad``.

``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp`` and ``hvp`` take a Python function of
Tensors and the point at which to differentiate it, as ``torch.autograd.functional`` does.
A Tensor given alone comes back alone; a tuple of Tensors comes back as a tuple.

Forward-mode products (``jvp``, ``hvp``) use the double-backward trick: the gradient of
a vector-Jacobian product with respect to its (dummy) vector is the Jacobian-vector
product. ember has no batched gradients, so ``vectorize=True`` computes the same
numbers row by row, and ``strategy="forward-mode"`` (which PyTorch allows only with
``vectorize=True``) is computed in reverse mode.
"""
import numpy as np

from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------------------------------
# helpers

def _tensor_type():
    from .._tensor import Tensor
    return Tensor


def _tupled(obj, what, fn):
    """``(given_as_tuple, tensors)``; TypeError when an entry is not a Tensor."""
    Tensor = _tensor_type()
    as_tuple = isinstance(obj, tuple)
    items = obj if as_tuple else (obj,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if as_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but {where} has type {type(el)}.")
    return as_tuple, items


def _fresh(tensors, create_graph, track):
    """New Tensor objects for ``tensors``: differentiable views of them when the caller
    wants a graph back to them, detached leaves (requiring grad when ``track``) otherwise.
    New objects let us tell our inputs apart from the same Tensors captured by ``func``.
    """
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(track) for t in tensors)


def _finish(res, create_graph):
    """Drop the history of the results unless a graph was asked for (nested tuples too)."""
    if create_graph:
        return res
    Tensor = _tensor_type()
    return tuple(r.detach() if isinstance(r, Tensor) else _finish(r, False) for r in res)


def _untuple(res, as_tuple):
    return res if as_tuple else res[0]


def _untuple2(res, outer_tuple, inner_tuple):
    if not inner_tuple:
        res = tuple(r[0] for r in res)
    return res if outer_tuple else res[0]


def _check_v(v, ref, ref_tuple):
    if len(v) != len(ref):
        if ref_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(ref)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if ref_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


_STRICT_NOT_DIFF = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."),
}


def _strict_check(tensors, kind, strict):
    """In strict mode, every entry must exist and carry a graph back to the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_STRICT_NOT_DIFF[kind].format(i=i))


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs without a graph and gives None for unused inputs."""
    from . import grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    outs, gos = [], []
    for o, g in zip(outputs, grad_outputs):
        if o is not None and o.requires_grad:
            outs.append(o)
            gos.append(g)
    if not outs:
        return (None,) * len(inputs)
    return grad(outs, inputs, gos, retain_graph=retain_graph, create_graph=create_graph,
                allow_unused=True)


_STRICT_NONE = {
    "back": ("The output of the user-provided function is independent of input {i}. This "
             "is not allowed in strict mode."),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in "
                   "the grad_outputs when using the double backward trick to compute forward "
                   "mode gradients. This is not allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry "
                          "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                          "prevents from using the double backward trick to replace forward "
                          "mode AD."),
}


def _zeros_for_missing(grads, refs, strict, create_graph, stage):
    """Replace None gradients by zeros shaped like ``refs`` (or raise in strict mode)."""
    from ..ops.creation import zeros_like
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_NONE[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        res.append(g)
    return tuple(res)


def _setup(func, inputs, v, create_graph, fn, v_matches_outputs):
    """Shared start of vjp/jvp/vhp/hvp: check and copy inputs and v, call ``func``."""
    inputs_tuple, inputs = _tupled(inputs, "inputs", fn)
    inputs = _fresh(inputs, create_graph, True)
    if not v_matches_outputs:
        v = _setup_v(v, inputs, inputs_tuple, create_graph, fn,
                     "the input to the user-provided function is a single Tensor "
                     "with a single element.")
    outputs_tuple, outputs = _tupled(func(*inputs), "outputs of the user-provided function",
                                     fn)
    if v_matches_outputs:
        v = _setup_v(v, outputs, outputs_tuple, create_graph, fn,
                     "user-provided function returns a single Tensor with a single element.")
    return inputs_tuple, inputs, outputs_tuple, outputs, v


def _setup_v(v, ref, ref_tuple, create_graph, fn, none_rule):
    if v is None:
        if len(ref) != 1 or ref[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {none_rule}")
        return None
    v = _fresh(_tupled(v, "v", fn)[1], create_graph, False)
    _check_v(v, ref, ref_tuple)
    return v


def _single_scalar(outputs, outputs_tuple, fn):
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain "
                           f"a single element")


# ---------------------------------------------------------------------------------------
# public API

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The product ``v^T J`` of a vector ``v`` (shaped like ``func``'s outputs) with the
    Jacobian of ``func`` at ``inputs``. Returns ``(func_output, vjp)``; ``vjp`` is shaped
    like ``inputs``.

    >>> import ember
    >>> from ember.autograd.functional import vjp
    >>> vjp(lambda x: x ** 2, ember.tensor([1., 2.]), ember.tensor([1., 10.]))
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, v = _setup(
            func, inputs, v, create_graph, "vjp", True)
        _strict_check(outputs, "outputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _grads(outputs, inputs, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, "back")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(res, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The product ``J v`` of the Jacobian of ``func`` at ``inputs`` with a vector ``v``
    (shaped like ``inputs``), by the double-backward trick. Returns ``(func_output, jvp)``;
    ``jvp`` is shaped like the outputs.

    >>> import ember
    >>> from ember.autograd.functional import jvp
    >>> jvp(lambda x, y: x * y, (ember.tensor([1., 2.]), ember.tensor([3., 4.])),
    ...     (ember.tensor([1., 1.]), ember.tensor([0., 1.])))
    (tensor([3., 8.]), tensor([3., 6.]))
    """
    from ..ops.creation import zeros_like
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, v = _setup(
            func, inputs, v, create_graph, "jvp", False)
        _strict_check(outputs, "outputs", strict)
        # the vjp is linear in its vector, so the vector's value does not matter: zeros
        dummies = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        vjps = _grads(outputs, inputs, dummies, create_graph=True)
        _strict_check(vjps, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _grads(vjps, dummies, v, create_graph=create_graph)
        res = _zeros_for_missing(res, outputs, strict, create_graph, "back_trick")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(res, create_graph), outputs_tuple))


def _jacobian_rows(outputs, inputs, create_graph, strict, vectorize):
    """``jac[i][j]`` (output i, input j) shaped ``outputs[i].shape + inputs[j].shape``,
    one ``autograd.grad`` call per output element with a one-hot output gradient."""
    from .._tensor import _wrap
    from ..ops.creation import zeros, zeros_like
    from ..ops.shape import stack
    if vectorize and any(o.requires_grad for o in outputs) and not any(
            o.numel() for o in outputs):
        # PyTorch's batched gradient indexes the first of zero rows
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    jac = []
    for i, out in enumerate(outputs):
        n = out.numel()
        rows = tuple([] for _ in inputs)
        if out.requires_grad:
            flat = np.zeros(n, out._data.dtype)
            for k in range(n):
                flat[k] = 1
                onehot = _wrap(flat.reshape(out._data.shape).copy())
                flat[k] = 0
                got = _grads((out,), inputs, (onehot,), create_graph=create_graph,
                             retain_graph=True)
                for j, g in enumerate(got):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode.")
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode when "
                            f"create_graph=True.")
                    rows[j].append(g)
        per_input = []
        for j, inp in enumerate(inputs):
            shape = tuple(out.shape) + tuple(inp.shape)
            r = rows[j]
            if n == 0 and not vectorize:
                stack(r, 0)     # PyTorch's error for an empty output: nothing to stack
            if all(g is None for g in r):     # also when ``out`` has no graph
                per_input.append(zeros(shape, dtype=inp.dtype))
                continue
            r = [zeros_like(inp) if g is None else g for g in r]
            per_input.append(stack(r, 0).view(shape))
        jac.append(tuple(per_input))
    return tuple(jac)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for one output and one input a Tensor shaped
    ``output.shape + input.shape``; ``jac[i][j]`` for tuples of outputs / inputs.

    For ``y1 = x1**2 + 3*x2, y2 = x2**2 + 2*x1`` at ``x = (2, 3)``:

    >>> import ember
    >>> from ember.autograd.functional import jacobian
    >>> def f(x):
    ...     return ember.stack([x[0] ** 2 + 3 * x[1], x[1] ** 2 + 2 * x[0]])
    >>> jacobian(f, ember.tensor([2., 3.]))
    tensor([[4., 3.],
            [2., 6.]])
    >>> jacobian(lambda x1, x2: x1 ** 2 + 3 * x2, (ember.tensor(2.), ember.tensor(3.)))
    (tensor(4.), tensor(3.))
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'torch.autograd.functional.jacobian: `create_graph=True` and `strategy='
                '"forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy='
                '"forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.')
        _, tensors = _tupled(inputs, "inputs", "jacobian")
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                "implemented for `vectorize=True`.")
        # Same numbers in reverse mode. As with PyTorch's forward AD, the result keeps a
        # graph back to inputs that require grad, and tuples of Tensors come back as lists.
        jac, outputs_tuple, inputs_tuple = _jacobian(
            func, inputs, any(t.requires_grad for t in tensors), False, True)
        return _untuple2([list(r) for r in jac], outputs_tuple, inputs_tuple)
    jac, outputs_tuple, inputs_tuple = _jacobian(func, inputs, create_graph, strict, vectorize)
    return _untuple2(jac, outputs_tuple, inputs_tuple)


def _jacobian(func, inputs, create_graph, strict, vectorize):
    """Reverse-mode Jacobian as a tuple (over outputs) of tuples (over inputs), with whether
    the outputs and the inputs were given as tuples."""
    with enable_grad():
        inputs_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, True)
        outputs_tuple, outputs = _tupled(func(*inputs), "outputs of the user-provided function",
                                         "jacobian")
        _strict_check(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`.")
        jac = _jacobian_rows(outputs, inputs, create_graph, strict, vectorize)
        return _finish(jac, create_graph), outputs_tuple, inputs_tuple


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function ``func`` at ``inputs``: for one input a Tensor shaped
    ``input.shape + input.shape``; ``H[i][j]`` for a tuple of inputs.

    >>> import ember
    >>> from ember.autograd.functional import hessian
    >>> hessian(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    inputs_tuple, inputs = _tupled(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        out_tuple, outs = _tupled(out, "outputs of the user-provided function", "hessian")
        _strict_check(outs, "outputs", strict)
        _single_scalar(outs, out_tuple, "hessian")
        return out.squeeze()

    def gradient(*inp):
        g = jacobian(scalar_func, inp, create_graph=True)
        _strict_check(g, "jacobian", strict)
        return g

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _untuple2(res, inputs_tuple, inputs_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The product ``v^T H`` of a vector ``v`` (shaped like ``inputs``) with the Hessian of
    the scalar function ``func`` at ``inputs``. Returns ``(func_output, vhp)``.

    >>> import ember
    >>> from ember.autograd.functional import vhp
    >>> vhp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.tensor([1., 1.]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, v = _setup(
            func, inputs, v, create_graph, "vhp", False)
        _strict_check(outputs, "outputs", strict)
        _single_scalar(outputs, outputs_tuple, "vhp")
        g = _grads(outputs, inputs, create_graph=True)
        _strict_check(g, "jacobian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _grads(g, inputs, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, "double_back")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(res, create_graph), inputs_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The product ``H v`` of the Hessian of the scalar function ``func`` at ``inputs`` with
    a vector ``v`` (shaped like ``inputs``), by the double-backward trick. Returns
    ``(func_output, hvp)``.

    >>> import ember
    >>> from ember.autograd.functional import hvp
    >>> hvp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.tensor([1., 0.]))
    (tensor(9.), tensor([6., 0.]))
    """
    from ..ops.creation import zeros_like
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, v = _setup(
            func, inputs, v, create_graph, "hvp", False)
        _strict_check(outputs, "outputs", strict)
        _single_scalar(outputs, outputs_tuple, "hvp")
        g = _grads(outputs, inputs, create_graph=True)
        _strict_check(g, "jacobian", strict)
        dummies = tuple(zeros_like(t, requires_grad=True) for t in inputs)
        gg = _grads(g, inputs, dummies, create_graph=True)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _grads(gg, dummies, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, "double_back_trick")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(res, create_graph), inputs_tuple))
