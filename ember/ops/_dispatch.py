"""The one dispatch point every op goes through.

An op is a subclass of :class:`Op` that defines, side by side,

* ``forward(ctx, *arrays, **attrs) -> array | tuple of arrays`` on backend arrays
  (Python scalars arrive as they are), writing on ``ctx`` only what backward needs, and
* ``backward(ctx, *grads) -> grad | tuple of grads`` written with ember Tensor ops (so
  double backward works), one entry per input, ``None`` where an input gets no gradient.

Class attributes declare the rest: ``promote`` (``None``, ``COMMON`` or ``FLOAT``: PyTorch
type promotion applied to the inputs before forward), ``save`` (indices of inputs to save
for backward, ``OUT`` for the output; backward reads them from ``ctx.saved_tensors``),
``view`` (the output is a view of input 0 and shares its version counter),
``complex_autograd`` (the backward follows PyTorch's convention for complex values, the
conjugate Wirtinger derivative; an op without it refuses to record a call that involves
complex values instead of giving a wrong gradient).

:func:`apply` runs one op: promote, run forward, record a graph node only when grad mode
is on and some input requires grad, tell the tracers, wrap the outputs. Broadcasting in
backward is undone by the engine (``sum_to``), not by each op. In-place variants go
through :func:`inplace`, which bumps the version counter and rebases history.
"""
import numpy as np

from .._dtype import (_FROM_NP, _default, can_cast, float32, result_type_dtypes,
                      scalar_category)
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import _state
from ..backend.cpu import quiet
from ..autograd.node import Node, grad_accumulator
from ..autograd import anomaly_mode as _anomaly
from ..autograd.saved import SavedOutput, save_output, save_tensor

__all__ = ["Op", "apply", "binary", "inplace", "sum_to", "COMMON", "FLOAT", "OUT",
           "add_tracer", "remove_tracer", "recompute_backward"]

COMMON = 1       # promote all inputs to their common dtype
FLOAT = 2        # like COMMON, then integers/bool -> the default float dtype
OUT = -1         # in ``save``: the op's (first) output

_ndarray = np.ndarray
_new = object.__new__
_tracers = []


def add_tracer(fn):
    """Call ``fn(op, args, attrs, outputs)`` after every op (what ``jit.trace`` builds on)."""
    _tracers.append(fn)


def remove_tracer(fn):
    _tracers.remove(fn)


class _NullCtx:
    """The ``ctx`` forward gets when nothing is recorded: writes vanish."""
    __slots__ = ()
    needs_input_grad = ()

    def __setattr__(self, k, v):
        pass


_NULL = _NullCtx()


class Op(Node):
    """Base of built-in ops; an instance is the graph node of one recorded call."""

    __slots__ = ()
    opname = None
    promote = None
    save = ()
    save_needs = None     # per ``save`` entry: the input whose gradient needs it (or None)
    view = False
    differentiable = True
    complex_autograd = False

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.__dict__.get("opname") is None:
            cls.opname = cls.__name__.lower()
        cls._node_name = cls.__dict__.get("node_name") or cls.__name__ + "Backward0"

    @classmethod
    def apply(cls, *args, **attrs):
        return apply(cls, args, attrs)

    @staticmethod
    def forward(ctx, *arrays, **attrs):  # pragma: no cover - every op defines it
        raise NotImplementedError


def _edge(t):
    if t._base is not None:
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return (None, 0)


_NOEDGE = (None, 0)


def _record(op, args):
    """Make the node for one call of ``op`` whose inputs are ``args``."""
    ctx = _new(op)
    nexts = []
    metas = []
    needs = []
    cplx = False
    for a in args:
        if isinstance(a, Tensor):
            d = a._data
            if d.dtype.kind == "c":
                cplx = True
            if a._requires_grad:
                nexts.append(_edge(a))
                metas.append((d.shape, d.dtype))
                needs.append(True)
                continue
        elif type(a) is complex:
            cplx = True
        nexts.append(_NOEDGE)
        metas.append(None)
        needs.append(False)
    if cplx and not op.complex_autograd:
        raise NotImplementedError(f"ember: autograd of '{op.opname}' on complex tensors is not "
                                  "supported yet")
    ctx._init_node(tuple(nexts), tuple(needs))
    ctx._in_meta = metas
    if _anomaly._enabled:
        _anomaly.record_forward(ctx)
    return ctx


def _finish(op, ctx, args, out, t0):
    """Attach saved tensors to the node once the outputs exist."""
    saved = []
    needs = op.save_needs
    for k, i in enumerate(op.save):
        if needs is not None and needs[k] is not None and not ctx.needs_input_grad[needs[k]]:
            saved.append(None)       # only another input's gradient would use it
        elif i == OUT:
            saved.append(save_output(t0, 0))
        else:
            a = args[i]
            saved.append(save_tensor(a) if isinstance(a, Tensor) else a)
    ctx._saved = tuple(saved)


_KIND_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_PY_CAT = {bool: 0, int: 1, float: 2, complex: 3}


def _no_promotion_needed(op, args, arrays):
    """True when promotion cannot change anything: every tensor has one dtype and no
    Python scalar is of a higher category (the common case, decided without allocating)."""
    dt = None
    cat = -1
    for a, arr in zip(args, arrays):
        if isinstance(a, Tensor):
            if dt is None:
                dt = arr.dtype
            elif arr.dtype is not dt:
                return False
        else:
            c = _PY_CAT.get(type(arr))
            if c is None:
                if arr is None or isinstance(arr, (str, tuple, list)):
                    continue
                return False
            if c > cat:
                cat = c
    if dt is None:
        return False
    k = _KIND_CAT[dt.kind]
    return cat <= k and (k >= 2 or op.promote != FLOAT)


def _promote(op, args, arrays):
    if _no_promotion_needed(op, args, arrays):
        return arrays, None
    dims, zeros, cats = [], [], []
    for a, arr in zip(args, arrays):
        if isinstance(a, Tensor):
            (dims if arr.ndim else zeros).append(_FROM_NP[arr.dtype])
        elif a is not None and not isinstance(a, (_ndarray, str, tuple, list)):
            cats.append(scalar_category(a))
    rt = result_type_dtypes(dims, zeros, cats)
    if rt is None:
        return arrays, None
    if op.promote == FLOAT and not (rt.is_floating_point or rt.is_complex):
        rt = _default[0]
    npdt = rt.np
    return [arr.astype(npdt, copy=False) if isinstance(a, Tensor) else arr
            for a, arr in zip(args, arrays)], rt


def _scalar(x):
    """A Python scalar for a NumPy scalar (so it promotes as a weak Python number)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def _wrap_out(arr, ctx, nr):
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _new(Tensor)
    t._data = arr
    t._base = None
    t._ver = None
    if ctx is not None and arr.dtype.kind in "fc":
        t._grad_fn = ctx
        t._requires_grad = True
        t._out_nr = nr
    else:
        t._grad_fn = None
        t._requires_grad = False
    return t


def _as_view(t, base):
    """Mark ``t`` as a view of ``base``: same version counter, ``_base`` set, and the
    version the view's history was made at (see :func:`refresh_view`)."""
    v = base._ver
    if v is None:
        v = base._ver = [0]
    t._ver = v
    t._vstamp = v[0] if _state.enabled else None      # None: made under no_grad
    b = base._base
    t._base = base if b is None else b


def refresh_view(t):
    """If the memory of view ``t`` was written in place since its history was recorded (by
    an op on its base or on a sibling view), its ``grad_fn`` is stale: read the view again
    from its base's current history (PyTorch regenerates such views the same way)."""
    try:
        stamp = t._vstamp
    except AttributeError:
        return
    if stamp is None:           # made under no_grad: it has no history to refresh
        return
    now = t._ver[0]
    if stamp == now:
        return
    t._vstamp = now
    base = t._base
    if not base._requires_grad or not _state.enabled:
        return
    from .copy import AsStrided, view_geometry
    geom = view_geometry(t, base)
    node = _record(AsStrided, (base,))
    node.geom = (base._data.shape, geom["shape"], geom["strides"], geom["offset"])
    t._grad_fn = node
    t._out_nr = 0
    t._requires_grad = True


def apply(op, args, attrs):
    """Run ``op`` on ``args`` (Tensors and Python scalars) with keyword ``attrs``."""
    arrays = []
    req = False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._requires_grad:
                req = True
        else:
            arrays.append(_scalar(a))
    if op.promote is not None:
        arrays, _ = _promote(op, args, arrays)
    if req and _state.enabled and op.differentiable:
        ctx = _record(op, args)
        try:
            out = op.forward(ctx, *arrays, **attrs)
        except ValueError as e:
            raise _translate(op, args, e) from None
        if type(out) is tuple:
            outs = tuple(_wrap_out(o, ctx, i) for i, o in enumerate(out))
            ctx._out_meta = [(o._data.shape, o._data.dtype) for o in outs]
            t0 = outs[0] if outs else None
            result = outs
        else:
            t0 = result = _wrap_out(out, ctx, 0)
        if op.save:
            _finish(op, ctx, args, out, t0)
    else:
        try:
            out = op.forward(_NULL, *arrays, **attrs)
        except ValueError as e:
            raise _translate(op, args, e) from None
        if type(out) is tuple:
            result = tuple(_wrap_out(o, None, 0) for o in out)
            t0 = result[0] if result else None
        else:
            t0 = result = _wrap_out(out, None, 0)
    if op.view:
        if t0 is result:
            if t0._data.base is not None:
                _as_view(t0, args[0])
        else:
            for t in result:
                if t._data.base is not None:
                    _as_view(t, args[0])
    if _tracers:
        for tr in _tracers:
            tr(op, args, attrs, result)
    return result


def _shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def broadcast_error(sa, sb):
    """PyTorch's message for shapes that do not broadcast."""
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                                f"({pb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {_shape_str(sa)} and {_shape_str(sb)} are not broadcastable")


def _translate(op, args, e):
    """Turn a NumPy ValueError into PyTorch's error type, naming the operands."""
    tens = [a for a in args if isinstance(a, Tensor)]
    msg = str(e)
    if "broadcast" in msg and len(tens) >= 2:
        return broadcast_error(tens[0]._data.shape, tens[1]._data.shape)
    desc = ", ".join(f"{_shape_str(t._data.shape)} {_FROM_NP[t._data.dtype]}" for t in tens)
    return RuntimeError(f"{op.opname}: {msg} (inputs: {desc})")


def binary(op, a, b):
    """Fast path for two-operand element-wise ops (``a + b`` and friends)."""
    if isinstance(a, Tensor):
        ad = a._data
        ra = a._requires_grad
    else:
        ad = _scalar(a)
        ra = False
    if isinstance(b, Tensor):
        bd = b._data
        rb = b._requires_grad
    else:
        bd = _scalar(b)
        rb = False
    if op.promote is not None:
        ta = type(ad) is _ndarray
        tb = type(bd) is _ndarray
        if ta and tb:
            fast = ad.dtype is bd.dtype and (op.promote != FLOAT or ad.dtype.kind == "f")
        elif ta or tb:
            arr, sc = (ad, bd) if ta else (bd, ad)
            c = _PY_CAT.get(type(sc))
            if c is None:
                if not isinstance(sc, (int, float)):
                    return NotImplemented
                fast = False
            else:
                k = _KIND_CAT[arr.dtype.kind]
                fast = c <= k and (k >= 2 or op.promote != FLOAT)
        else:
            return NotImplemented
        if not fast:
            ad, bd = _promote(op, (a, b), (ad, bd))[0]
    if (ra or rb) and _state.enabled:
        ctx = _record(op, (a, b))
        try:
            out = op.forward(ctx, ad, bd)
        except ValueError as e:
            raise _translate(op, (a, b), e) from None
        t = _wrap_out(out, ctx, 0)
        if op.save:
            _finish(op, ctx, (a, b), out, t)
    else:
        try:
            out = op.forward(_NULL, ad, bd)
        except ValueError as e:
            raise _translate(op, (a, b), e) from None
        if type(out) is not _ndarray:
            out = np.asarray(out)
        t = _new(Tensor)
        t._data = out
        t._base = None
        t._ver = None
        t._grad_fn = None
        t._requires_grad = False
    if _tracers:
        for tr in _tracers:
            tr(op, (a, b), {}, t)
    return t


_LEGACY = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
           "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool",
           "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _cast_check(out_dtype, self_dtype):
    if not can_cast(out_dtype, self_dtype):
        raise RuntimeError(f"result type {_LEGACY[out_dtype.name]} can't be cast to the desired "
                           f"output type {_LEGACY[self_dtype.name]}")


def inplace(op, self, *args, **attrs):
    """Run ``op(self, *args)`` and write the result into ``self`` (``x.add_(y)``, ``x += y``).

    Without recording, the result is computed and copied into ``self``'s memory. Inside a
    graph, the op is recorded out of place on a snapshot of ``self`` (when backward needs
    the old value) and ``self``'s history is rebased onto the new node.
    """
    if not isinstance(self, Tensor):
        raise TypeError(f"{op.opname}_(): expected a Tensor, got {type(self).__name__}")
    sd = self._data
    for a in args if not attrs.get("inplace") else ():   # those ops check their own region
        if isinstance(a, Tensor):
            ad = a._data
            if ad is not sd and (ad.base is not None or sd.base is not None) \
                    and _partial_overlap(sd, ad):
                raise RuntimeError(_PARTIAL)
    rec = _state.enabled and op.differentiable and (
        self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args))
    if self._base is not None and _state.enabled and getattr(self, "_vstamp", 0) is None \
            and (rec or self._base._requires_grad):
        raise RuntimeError(_NO_GRAD_VIEW)
    if not rec:
        if not attrs and _inplace_fast(op, self, sd, args):
            return self
        res = apply(op, (self,) + args, attrs)
        rd = res._data
        _cast_check(_FROM_NP[rd.dtype], _FROM_NP[sd.dtype])
        if rd.shape != sd.shape:
            raise _inplace_shape_error(sd.shape, rd.shape)
        _write(sd, rd)
        _bump(self)
        return self
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = self._base
    if base is not None:
        fn = self._grad_fn
        if fn is not None and fn._out_meta is not None and getattr(fn, "view", False):
            raise RuntimeError(
                f"Output {self._out_nr} of {fn.name()} is a view and is being modified inplace. "
                "This view is the output of a function that returns multiple views. Such "
                "functions do not allow the output views to be modified inplace. You should "
                "replace the inplace operation by an out-of-place one.")
        refresh_view(self)
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    first = self
    if 0 in op.save:
        first = _snapshot(self)
    res = apply(op, (first,) + args, attrs)
    rd = res._data
    _cast_check(_FROM_NP[rd.dtype], _FROM_NP[sd.dtype])
    if rd.shape != sd.shape:
        raise _inplace_shape_error(sd.shape, rd.shape)
    _write(sd, rd)
    _bump(self)
    node = res._grad_fn
    if node is not None:
        # a result computed in a wider dtype was cast back on writing; the node stays the
        # op's own (as in PyTorch): the engine casts gradients to each input's dtype
        self._grad_fn = node
        self._out_nr = res._out_nr
        self._requires_grad = True
        saved = node._saved
        if saved:
            for s in saved:
                if type(s) is SavedOutput:
                    s.data, s.ver, s.version = sd, self._ver, self._ver[0]
        if base is not None:
            _rebase_view(self, base, res)
    return self


def _rebase_view(view, base, res):
    """``view`` (of ``base``) was written in place with value ``res``: give the base a
    node that puts ``res`` into its region and make the view read its region again,
    so gradients reach both the written values and the rest of the base."""
    from .copy import AsStrided, AsStridedScatter, view_geometry
    geom = view_geometry(view, base)
    node = _record(AsStridedScatter, (base, res))
    node.geom = (geom["shape"], geom["strides"], geom["offset"])
    base._grad_fn = node
    base._out_nr = 0
    base._requires_grad = True
    vnode = _record(AsStrided, (base,))
    vnode.geom = (base._data.shape, geom["shape"], geom["strides"], geom["offset"])
    view._grad_fn = vnode
    view._out_nr = 0
    view._vstamp = view._ver[0]


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to "
            "a single memory location. Please clone() the tensor before performing the "
            "operation.")


_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked).")
_PARTIAL = ("unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing "
            "the operation.")


def _partial_overlap(dst, src):
    """Whether ``src`` shares some (but not exactly the same) memory with ``dst``."""
    if not np.may_share_memory(dst, src):
        return False
    if (dst.__array_interface__["data"][0] == src.__array_interface__["data"][0]
            and dst.shape == src.shape and dst.strides == src.strides):
        return False          # the very same elements: an exact alias is fine (x.mul_(x))
    try:
        return bool(np.shares_memory(dst, src, max_work=100000))
    except np.exceptions.TooHardError:
        return False


def _write(dst, src):
    """Copy ``src`` into ``dst``'s memory (casting); a broadcast (expanded) destination is
    PyTorch's overlap error, not NumPy's read-only one."""
    if src is dst:          # the op already wrote in place (``inplace=True`` forwards)
        return
    if not dst.flags.writeable:
        raise RuntimeError(_OVERLAP)
    np.copyto(dst, src, casting="unsafe")


def _inplace_fast(op, self, sd, args):
    """Write ``op(self, *args)`` straight into ``self``'s memory with the op's NumPy ufunc
    when no promotion or cast can be involved (``p.mul_(0.9)``, ``x += y``, ``x.exp_()``);
    False means "take the general path" (which also produces any error)."""
    if not sd.flags.writeable:
        return False
    if len(args) == 1:
        uf = op.__dict__.get("ufunc")
        if uf is None:
            return False
        b = args[0]
        if isinstance(b, Tensor):
            bd = b._data
            if bd.dtype is not sd.dtype or (op.promote == FLOAT and sd.dtype.kind != "f"):
                return False
        else:
            c = _PY_CAT.get(type(b))
            k = _KIND_CAT[sd.dtype.kind]
            if c is None or c > k or (k < 2 and op.promote == FLOAT):
                return False
            bd = b
        try:
            uf(sd, bd, out=sd)
        except (ValueError, TypeError, OverflowError):
            return False
    elif not args:
        uf = op.__dict__.get("_ufunc1_quiet")
        if uf is None:
            uf = op.__dict__.get("ufunc1")
            if uf is None:
                return False
            uf = quiet(uf)
            op._ufunc1_quiet = uf
        if sd.dtype.kind != "f":
            return False
        uf(sd, out=sd)
    else:
        return False
    v = self._ver
    if v is None:
        self._ver = [1]
    else:
        v[0] += 1
    if _tracers:
        for tr in _tracers:
            tr(op, (self,) + tuple(args), {}, self)
    return True


def _snapshot(t):
    """A copy of ``t``'s current value that stands for ``t`` in the graph."""
    s = _wrap(t._data.copy())
    s._grad_fn = t._grad_fn
    s._requires_grad = t._requires_grad
    if t._grad_fn is not None:
        s._out_nr = t._out_nr
    return s


def _bump(t):
    v = t._ver
    if v is None:
        t._ver = [1]
    else:
        v[0] += 1


def _inplace_shape_error(self_shape, other_shape):
    n = max(len(self_shape), len(other_shape))
    try:
        bshape = np.broadcast_shapes(self_shape, other_shape)
    except ValueError:
        return broadcast_error(self_shape, other_shape)
    del n
    return RuntimeError(f"output with shape {_shape_str(self_shape)} doesn't match the broadcast "
                        f"shape {_shape_str(bshape)}")


def sum_to(g, shape):
    """Sum gradient ``g`` down to ``shape`` (undoing broadcasting); ember ops, so it is
    itself differentiable."""
    gs = g._data.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    if lead < 0:
        raise RuntimeError(f"sum_to: cannot sum {list(gs)} to {list(shape)}")
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gs[lead + i] != 1:
            dims.append(lead + i)
        elif s != gs[lead + i]:
            raise RuntimeError(f"sum_to: cannot sum {list(gs)} to {list(shape)}")
    if dims:
        g = g.sum(dim=tuple(dims), keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


float32 = float32  # re-exported for op modules' convenience


def recompute_backward(ctx, compose, grads):
    """Backward of a fused op for ``create_graph=True``: ``compose()`` recomputes the op's
    outputs from its saved inputs as a graph of ordinary ops, and that graph is
    differentiated, so the gradients are themselves differentiable (a fused op's own
    backward works on arrays). ``grads`` are the incoming gradients, one per output."""
    from ..autograd import grad as autograd_grad
    saved = ctx.saved_tensors
    outs = compose()
    if not isinstance(outs, tuple):
        outs = (outs,)
    pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
    need = ctx.needs_input_grad
    inputs = [t for t, n in zip(saved, need) if n]
    got = iter(autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                             create_graph=True, allow_unused=True))
    return tuple(next(got) if n else None for n in need)
