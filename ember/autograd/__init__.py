"""``ember.autograd``: reverse-mode automatic differentiation on a dynamic graph."""
import numpy as np

from . import anomaly_mode, functional, grad_mode, graph
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .node import Node

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "Node", "grad_mode", "graph", "Function",
           "FunctionCtx", "once_differentiable", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "anomaly_mode", "functional"]


def _as_tuple(x):
    if x is None:
        return ()
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads, create_graph):
    from .._tensor import Tensor, _wrap
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if not o._requires_grad:
                raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                                   "have a grad_fn")
            if o._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if o._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {o.dtype}")
            g = _wrap(np.ones_like(o._data))
        else:
            if not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got "
                                f"{type(g).__name__}")
            if g._data.shape != o._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {o.shape}.")
            if g._data.dtype.kind != o._data.dtype.kind and o._data.dtype.kind == "f":
                raise TypeError(f"For complex Tensors, both grad_output and output are required "
                                f"to have the same dtype. Mismatch in dtype: grad_output[{i}] "
                                f"has a dtype of {g.dtype} and output[{i}] has a dtype of "
                                f"{o.dtype}.")
            if not create_graph:
                g = g.detach()
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves.

    >>> import ember
    >>> x = ember.tensor([1., 2.], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    gt = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(gt) != len(tensors):
        raise RuntimeError(f"got {len(gt)} gradients for {len(tensors)} tensors")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs) if inputs is not None else None
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = _make_grads(tensors, gt, create_graph)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs`` (nothing is accumulated).

    >>> import ember
    >>> x = ember.tensor(3., requires_grad=True)
    >>> ember.autograd.grad(x ** 2, x)
    (tensor(6.),)
    """
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by ember yet")
    outputs = _as_tuple(outputs)
    single = not isinstance(inputs, (tuple, list))
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    go = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(go) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(go)} "
                           f"grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, go, create_graph)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                       allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from ..ops.creation import zeros_like
        res = tuple(zeros_like(i) if r is None else r for r, i in zip(res, inputs))
    del single
    return res


from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402

__all__ += ["gradcheck", "gradgradcheck", "GradcheckError"]
