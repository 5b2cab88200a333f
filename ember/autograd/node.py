"""Graph nodes. Every recorded op result points at a :class:`Node` (its ``grad_fn``);
a node links to its inputs' nodes through ``next_functions`` and knows how to turn the
gradients of its outputs into gradients of its inputs.

Built-in ops (``ember/ops``) are subclasses of :class:`Node`: one instance per recorded
call, which doubles as the ``ctx`` the op's forward writes what backward needs into.
"""
import itertools
import weakref

__all__ = ["Node", "AccumulateGrad"]

_seq = itertools.count()

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Node:
    """A node of the autograd graph (``tensor.grad_fn``)."""

    __slots__ = ("next_functions", "_seq", "_saved", "_saved_ver", "_in_meta", "_out_meta",
                 "_hooks", "_pre_hooks", "_tensor_hooks", "_retained", "_freed",
                 "needs_input_grad", "__dict__", "__weakref__")

    _node_name = "Node"
    _materialize = True      # undefined output gradients reach backward as zeros

    def name(self):
        """The node's name, e.g. ``'MulBackward0'``."""
        return self._node_name

    def __repr__(self):
        return f"<{self._node_name} object at {id(self):#x}>"

    # --- the graph edges --------------------------------------------------------------
    def _init_node(self, next_functions, needs_input_grad):
        self.next_functions = next_functions
        self.needs_input_grad = needs_input_grad
        self._seq = next(_seq)
        self._saved = None
        self._freed = False
        self._hooks = None
        self._pre_hooks = None
        self._tensor_hooks = None
        self._retained = None
        self._out_meta = None

    # --- saved tensors ----------------------------------------------------------------
    @property
    def saved_tensors(self):
        """The tensors saved for backward, after checking none was modified in place."""
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(_FREED_MSG)
            return ()
        from .saved import unpack_all
        return unpack_all(self, saved)

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    # --- hooks --------------------------------------------------------------------------
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node computed its gradients;
        it may return replacement ``grad_inputs``."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; it may return replacement grads."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def _add_tensor_hook(self, out_nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        lst = self._tensor_hooks.setdefault(out_nr, [])
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    def _retain(self, out_nr, tensor):
        if self._retained is None:
            self._retained = {}
        self._retained[out_nr] = weakref.ref(tensor)

    # --- computing gradients ------------------------------------------------------------
    def _num_outputs(self):
        m = self._out_meta
        return 1 if m is None else len(m)

    def _apply(self, grads):
        """Gradients of the outputs in, gradients of the inputs out (a tuple)."""
        return self.backward(self, *grads)

    def backward(ctx, *grads):  # pragma: no cover - every op defines it
        raise NotImplementedError


class _RemovableHandle:
    __slots__ = ("_lst", "_fn")

    def __init__(self, lst, fn):
        self._lst, self._fn = lst, fn

    def remove(self):
        try:
            self._lst.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The sink of a leaf tensor that requires grad: adds incoming gradients to ``.grad``."""

    __slots__ = ("variable",)
    _node_name = "AccumulateGrad"

    def __init__(self, variable):
        self._init_node((), (True,))
        self.variable = variable

    def _apply(self, grads):
        from .engine import accumulate_into_leaf
        accumulate_into_leaf(self.variable, grads[0])
        return ()


def grad_accumulator(t):
    """The one AccumulateGrad node of leaf ``t`` (cached weakly, as PyTorch does)."""
    try:
        ref = t._grad_acc
    except AttributeError:
        ref = None
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._grad_acc = weakref.ref(acc)
    return acc
