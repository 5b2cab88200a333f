"""The backward engine: walks the graph behind some root tensors in reverse topological
order (no recursion, so deep graphs are fine), sums gradients arriving at each node,
reduces broadcast gradients back to their input's shape, and accumulates into leaves.

Order: a node runs once every edge into it has delivered its gradient (dependency
counting); among ready nodes, the most recently created runs first, as in PyTorch.
"""
import heapq
import sys

from . import anomaly_mode as _anomaly
from .grad_mode import _state
from .node import AccumulateGrad, grad_accumulator

__all__ = ["run_backward", "accumulate_into_leaf"]

_getrc = sys.getrefcount


def _root_edge(t, i):
    if t._base is not None:
        from ..ops._dispatch import refresh_view
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return fn, t._out_nr
    if t._requires_grad:
        return grad_accumulator(t), 0
    raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def _input_edge(t):
    if t._base is not None:
        from ..ops._dispatch import refresh_view
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return fn, t._out_nr
    if t._requires_grad:
        return grad_accumulator(t), 0
    return None, 0


def _check_grad(node, i, g, meta):
    """Make gradient ``g`` for input ``i`` of ``node`` match that input's shape and dtype."""
    shape, npdt = meta
    arr = g._data
    if arr.shape != shape:
        from ..ops._dispatch import sum_to
        try:
            g = sum_to(g, shape)
        except RuntimeError:
            raise RuntimeError(
                f"Function {node._node_name} returned an invalid gradient at index {i} - got "
                f"{list(arr.shape)} but expected shape compatible with {list(shape)}") from None
        arr = g._data
    if arr.dtype is not npdt and arr.dtype != npdt:
        g = g.to(_np_to_dtype(npdt))
    return g


def _np_to_dtype(npdt):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(npdt)


def _zeros_for(meta):
    from .._tensor import _wrap
    import numpy as np
    shape, npdt = meta
    return _wrap(np.zeros(shape, npdt))


def accumulate_into_leaf(var, g, steal=False):
    """Add ``g`` into ``var.grad`` the way PyTorch's AccumulateGrad does."""
    if g is None:
        return
    try:
        old = var._grad
    except AttributeError:
        old = None
    if old is None:
        if _state.enabled:        # create_graph: keep the graph of the gradient
            var._grad = g
        elif steal:
            var._grad = g if g._grad_fn is None else g.detach()
        else:
            var._grad = g.detach().clone()
    elif _state.enabled:
        var._grad = old + g
    else:
        od = old._data
        try:
            od += g._data
        except (ValueError, TypeError):
            var._grad = old + g


def run_backward(tensors, grad_tensors, retain_graph=False, create_graph=False, inputs=None,
                 allow_unused=False, accumulate=True):
    """Backpropagate from ``tensors`` (with output gradients ``grad_tensors``).

    With ``accumulate=True`` gradients are added into the ``.grad`` of leaves (all of
    them, or only those in ``inputs``); with ``accumulate=False`` the gradients with
    respect to ``inputs`` are returned instead (``autograd.grad``).
    """
    # roots --------------------------------------------------------------------------
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        node, nr = _root_edge(t, i)
        roots.append((node, nr, g))

    # discovery: count the edges into every node -------------------------------------
    deps = {}
    seen = set()
    stack = []
    for node, _, _ in roots:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    while stack:
        n = stack.pop()
        for c, _ in n.next_functions:
            if c is None:
                continue
            deps[c] = deps.get(c, 0) + 1
            if c not in seen:
                seen.add(c)
                stack.append(c)

    # what to capture, and which nodes need to run ---------------------------------------
    captures = None
    needed = None
    if inputs is not None:
        captures = {}
        for idx, t in enumerate(inputs):
            node, nr = _input_edge(t)
            if node is None:
                if accumulate:
                    raise RuntimeError("One of the differentiated Tensors does not require grad")
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            captures.setdefault(node, []).append((nr, idx))
        needed = _needed_nodes(roots, deps, captures)

    results = [None] * (len(inputs) if inputs is not None else 0)

    # run ----------------------------------------------------------------------------------
    buffers = {}
    for node, nr, g in roots:
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs()
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    heap = []
    pushed = set()
    for node, _, _ in roots:
        if node not in pushed and deps.get(node, 0) == 0:
            pushed.add(node)
            heap.append((-node._seq, id(node), node))
    heapq.heapify(heap)

    prev = _state.enabled
    _state.enabled = bool(create_graph)
    pop, push = heapq.heappop, heapq.heappush
    try:
        while heap:
            n = pop(heap)[2]
            grads = buffers.pop(n, None) or [None]

            if type(n) is AccumulateGrad:
                var = n.variable
                g = grads[0]
                try:
                    hooks = var._hooks
                except AttributeError:
                    hooks = None
                if hooks and g is not None:
                    for h in list(hooks):
                        r = h(g)
                        if r is not None:
                            g = r
                if captures is not None and n in captures:
                    for _, idx in captures[n]:
                        results[idx] = g if results[idx] is None or g is None else results[idx] + g
                if accumulate and (needed is None or n in needed) and g is not None:
                    grads = None
                    # steal the buffer when nothing else refers to it (as PyTorch does)
                    steal = g._data.base is None and _getrc(g) <= 2 and _getrc(g._data) <= 2
                    accumulate_into_leaf(var, g, steal)
                g = None
                continue

            # tensor hooks, retain_grad, captures: all see the gradient of an output
            if n._tensor_hooks:
                _run_tensor_hooks(n, grads)
            if n._retained:
                _retain_grads(n, grads, create_graph)
            if captures is not None and n in captures:
                for nr, idx in captures[n]:
                    g = grads[nr]
                    results[idx] = g if results[idx] is None or g is None else results[idx] + g

            nexts = n.next_functions
            outs = None
            if needed is None or n in needed:
                live = False
                for g in grads:
                    if g is not None:
                        live = True
                        break
                if live:
                    outs = _call(n, grads)
            if not retain_graph:
                n._release()
            grads = g = None
            i = -1
            for c, nr in nexts:
                i += 1
                if c is None:
                    continue
                if outs is not None:
                    g = outs[i]
                    if g is not None:
                        shape, npdt = n._in_meta[i]
                        arr = g._data
                        if arr.shape != shape or arr.dtype != npdt:
                            g = _check_grad(n, i, g, (shape, npdt))
                        buf = buffers.get(c)
                        if buf is None:
                            if c._out_meta is None:
                                buffers[c] = [g]
                            else:
                                buf = buffers[c] = [None] * len(c._out_meta)
                                buf[nr] = g
                        elif buf[nr] is None:
                            buf[nr] = g
                        else:
                            buf[nr] = buf[nr] + g
                        g = None
                d = deps[c] - 1
                deps[c] = d
                if d == 0:
                    push(heap, (-c._seq, id(c), c))
            outs = None
    finally:
        _state.enabled = prev

    if inputs is not None and accumulate:
        for t, g in zip(inputs, results):
            if g is not None and t._grad_fn is not None:
                accumulate_into_leaf(t, g)
        return None
    if inputs is not None:
        for g in results:
            if g is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(results)
    return None


def _run_tensor_hooks(n, grads):
    for nr, hooks in n._tensor_hooks.items():
        g = grads[nr]
        if g is None:
            continue
        for h in list(hooks):
            r = h(g)
            if r is not None:
                g = r
        grads[nr] = g


def _retain_grads(n, grads, create_graph):
    for nr, ref in n._retained.items():
        t = ref()
        g = grads[nr]
        if t is not None and g is not None:
            old = getattr(t, "_grad", None)
            t._grad = (g.detach().clone() if not create_graph else g) if old is None else old + g


def _call(n, grads):
    """Run node ``n``'s backward on the gradients of its outputs."""
    if _anomaly._enabled:
        try:
            outs = _call_plain(n, grads)
        except Exception:
            _anomaly.note_failure(n)
            raise
        _anomaly.check_outputs(n, outs)
        return outs
    return _call_plain(n, grads)


def _call_plain(n, grads):
    if n._pre_hooks:
        for h in n._pre_hooks:
            r = h(tuple(grads))
            if r is not None:
                grads = list(r)
    if n._out_meta is not None and n._materialize and None in grads:
        grads = [g if g is not None else _zeros_for(m) for g, m in zip(grads, n._out_meta)]
    outs = n._apply(grads)
    if type(outs) is not tuple:
        outs = (outs,)
    if len(outs) != len(n.next_functions):
        raise RuntimeError(f"function {n._node_name} returned an incorrect number of "
                           f"gradients (expected {len(n.next_functions)}, got {len(outs)})")
    if n._hooks:
        for h in n._hooks:
            r = h(outs, tuple(grads))
            if r is not None:
                outs = tuple(r)
    return outs


def _needed_nodes(roots, deps, captures):
    """Nodes with a path to some captured node: only they need to run."""
    # topological order (parents before children) by a dependency-counting pass
    d = dict(deps)
    order = []
    ready = [n for n, _, _ in roots if d.get(n, 0) == 0]
    seen = set(ready)
    while ready:
        n = ready.pop()
        order.append(n)
        for c, _ in n.next_functions:
            if c is None:
                continue
            d[c] -= 1
            if d[c] == 0 and c not in seen:
                seen.add(c)
                ready.append(c)
    needed = set()
    for n in reversed(order):
        if n in captures and type(n) is AccumulateGrad:
            needed.add(n)
            continue
        for c, _ in n.next_functions:
            if c is not None and (c in needed or c in captures):
                needed.add(n)
                break
    return needed
