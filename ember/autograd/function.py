"""Custom differentiable functions in Python: ``ember.autograd.Function``.

Subclass :class:`Function`, write ``forward`` and ``backward`` as static methods, and call
``YourFunction.apply(*args)``::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

``forward`` runs with grad mode off on the real arguments (tensors and anything else);
``backward`` gets one gradient per output and returns one per ``forward`` argument (None
for non-tensors and inputs that need none). The newer style with ``forward(*args)`` plus
``setup_context(ctx, inputs, output)`` works too.
"""
import functools

from .._tensor import Tensor, _wrap
from .grad_mode import _state, no_grad
from .node import Node, grad_accumulator
from .saved import save_output, save_tensor
from . import anomaly_mode as _anomaly

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]


class FunctionCtx:
    """The methods ``ctx`` offers inside a custom Function's forward and backward."""

    def save_for_backward(self, *tensors):
        """Save tensors (or None) for backward; read them back as ``ctx.saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{len(self._to_save)} is of type {type(t).__name__}")
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_fwd = tensors

    def mark_dirty(self, *tensors):
        """Declare the input tensors ``forward`` modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that get no gradient (e.g. indices)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        """Whether undefined output gradients reach backward as zeros (default) or None."""
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The graph node (and ``ctx``) of one call of a custom Function."""

    _fn = None

    def _apply(self, grads):
        outs = self._fn.backward(self, *grads)
        if not isinstance(outs, tuple):
            outs = (outs,)
        n = len(self.next_functions)
        if len(outs) != n:
            if len(outs) > n and all(o is None for o in outs[n:]):
                outs = outs[:n]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n}, got {len(outs)})")
        for i, (o, is_t) in enumerate(zip(outs, self._is_tensor)):
            if o is None:
                continue
            if not is_t:
                raise RuntimeError(f"function {self.name()} returned a gradient different than "
                                   f"None at position {i + 1}, but the corresponding forward "
                                   "input was not a Variable")
            if not isinstance(o, Tensor):
                raise TypeError(f"function {self.name()} returned a gradient of type "
                                f"{type(o).__name__} at position {i + 1}; expected a Tensor")
        return tuple(o if self.needs_input_grad[i] else None for i, o in enumerate(outs))


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_fn": cls, "_node_name": name + "Backward",
                                  "__module__": cls.__module__})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Base class of custom autograd functions (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("forward-mode AD is not supported by ember yet")

    @classmethod
    def apply(cls, *args, **kwargs):
        return _apply(cls, args, kwargs)


def _uses_setup_context(cls):
    return any("setup_context" in vars(k) for k in cls.__mro__
               if k not in (Function, FunctionCtx, object))


def _apply(cls, args, kwargs):
    is_tensor = tuple(isinstance(a, Tensor) for a in args)
    needs = tuple(t and a._requires_grad for a, t in zip(args, is_tensor))
    rec = _state.enabled and any(needs)
    ctx = object.__new__(cls._backward_cls)
    ctx._init_node(tuple(_edge(a) if n else (None, 0) for a, n in zip(args, needs)), needs)
    ctx._in_meta = [(a._data.shape, a._data.dtype) if n else None for a, n in zip(args, needs)]
    ctx._is_tensor = is_tensor
    ctx._to_save = ()
    ctx._dirty = ()
    ctx._non_diff = ()
    ctx._materialize = True
    if _anomaly._enabled:
        _anomaly.record_forward(ctx)
    with no_grad():
        if _uses_setup_context(cls):
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_diff}
    inputs_by_id = {id(a) for a, t in zip(args, is_tensor) if t}
    result = []
    for nr, o in enumerate(outs):
        if not isinstance(o, Tensor):
            result.append(o)
            continue
        if id(o) in inputs_by_id and id(o) not in dirty:
            # an input returned as it is: hand out an alias that can carry the new history
            o = _alias(o)
        if id(o) in dirty:
            if rec and o._grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            v = o._ver
            if v is None:
                o._ver = [1]
            else:
                v[0] += 1
        if rec and id(o) not in non_diff and o._data.dtype.kind in "fc":
            o._grad_fn = ctx
            o._out_nr = nr
            o._requires_grad = True
        elif rec and id(o) in dirty:
            o._grad_fn = None
        result.append(o)
    if not rec:
        # nothing recorded: non-differentiable marks still turn requires_grad off
        return out if single else tuple(result)
    if len(outs) > 1:
        ctx._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None)
                         for o in result]
        ctx._out_meta = [(s, d if d is not None else _f32()) for s, d in ctx._out_meta]
    out_ids = {id(o): i for i, o in enumerate(result) if isinstance(o, Tensor)}
    saved = []
    for t in ctx._to_save:
        if t is None:
            saved.append(None)
        elif id(t) in out_ids and t._grad_fn is ctx:
            saved.append(save_output(t, out_ids[id(t)]))
        else:
            saved.append(save_tensor(t))
    ctx._saved = tuple(saved)
    ctx._to_save = ()
    return result[0] if single else tuple(result)


def _f32():
    import numpy as np
    return np.dtype(np.float32)


def _edge(t):
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    return (grad_accumulator(t), 0)


def _alias(t):
    a = _wrap(t._data)
    if t._ver is None:
        t._ver = [0]
    a._ver = t._ver
    a._base = t._base if t._base is not None else t
    return a


class _DelayedError(Node):
    """Stands in for the graph of a gradient computed by a once-differentiable backward:
    differentiating through it again raises."""
    _node_name = "DelayedError"

    def __init__(self, msg, n):
        self._init_node(tuple((None, 0) for _ in range(n)), (False,) * n)
        self._in_meta = [None] * n
        self.msg = msg

    def _apply(self, grads):
        raise RuntimeError(self.msg)


def once_differentiable(fn):
    """Decorate a custom Function's ``backward`` that cannot itself be differentiated:
    it runs without recording, and a later attempt to differentiate its result raises."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outs = fn(ctx, *args)
        if not _state.enabled or not any(isinstance(a, Tensor) and a._requires_grad
                                         for a in args):
            return outs
        single = not isinstance(outs, tuple)
        seq = (outs,) if single else outs
        node = _DelayedError("trying to differentiate twice a function that was marked with "
                             "@once_differentiable", 1)
        res = []
        for o in seq:
            if isinstance(o, Tensor) and o._data.dtype.kind in "fc":
                o = _alias(o)
                o._grad_fn, o._out_nr, o._requires_grad = node, 0, True
            res.append(o)
        return res[0] if single else tuple(res)
    return wrapper
