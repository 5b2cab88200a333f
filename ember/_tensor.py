"""The Tensor: a backend array plus what autograd needs.

A Tensor holds a NumPy array (``_data``). Views are NumPy views of the same memory and
share one version counter (``_ver``, a one-element list, made lazily) with their base;
``_base`` points at the tensor that owns the memory. Everything that computes goes
through ``ember.ops`` (the dispatch point); the methods defined here only describe the
tensor or hand over to autograd. Op methods (``x.exp()``, ``x + y`` ...) are attached
by the op families in ``ember/ops``.
"""
import numpy as np

from . import _dtype as D
from ._device import _CPU, as_device

__all__ = ["Tensor"]

_new = object.__new__


def _wrap(arr):
    """A fresh Tensor around ``arr`` (no copy, no history)."""
    t = _new(Tensor)
    t._data = arr
    t._grad_fn = None
    t._requires_grad = False
    t._ver = None
    t._base = None
    return t


def _type_desc(t):
    d = t._data
    return f"ember.{D._FROM_NP[d.dtype]._legacy} [{', '.join(str(s) for s in d.shape)}]"


def _size_arg(size, fname="size"):
    """Normalise ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(ember.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, (bool, float)) or not hasattr(s, "__index__"):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        s = s.__index__()
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(s)
    return tuple(out)


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``ember.Size([2, 3])``.

    >>> import ember
    >>> ember.zeros(2, 3).shape
    ember.Size([2, 3])
    """

    __slots__ = ()

    def __repr__(self):
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


def _norm_dim(dim, ndim, fname=None):
    """Wrap a possibly negative ``dim`` into range, with PyTorch's IndexError."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


class Tensor:
    """A multi-dimensional array with autograd, PyTorch's ``torch.Tensor``.

    ``ember.Tensor(data)`` and ``ember.Tensor(*sizes)`` follow PyTorch's legacy constructor
    (always the default float dtype; sizes give uninitialised memory); prefer
    :func:`ember.tensor`, which infers the dtype from the data.

    >>> import ember
    >>> ember.Tensor([1, 2]).dtype
    ember.float32
    >>> ember.Tensor(2, 3).shape
    ember.Size([2, 3])
    """

    __slots__ = ("_data", "_grad_fn", "_requires_grad", "_ver", "_base", "_vstamp", "_out_nr",
                 "_grad",
                 "_grad_acc", "_hooks", "_retains_grad", "__weakref__")

    __array_priority__ = 1000

    def __new__(cls, *args, device=None):
        as_device(device)
        dt = D._default[0]
        if not args:
            arr = np.empty((0,), dt.np)
        elif len(args) == 1 and not isinstance(args[0], (int, np.integer)) \
                and not isinstance(args[0], Size):
            a = args[0]
            if isinstance(a, Tensor):
                arr = a._data
            else:
                arr = np.array(a, dtype=dt.np)
        else:
            arr = np.empty(_size_arg(args, "Tensor"), dt.np)
        t = _new(cls)
        t._data = arr
        t._grad_fn = None
        t._requires_grad = False
        t._ver = None
        t._base = None
        return t

    # ---- description --------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_norm_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return D._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return False

    @property
    def layout(self):
        return "strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        """Strides in elements (PyTorch's convention), or the stride of ``dim``."""
        d = self._data
        isz = d.itemsize
        st = tuple(s // isz for s in d.strides)
        if d.size == 0:     # NumPy keeps no strides for empty arrays: report contiguous ones
            st = _contig_strides(d.shape)
        if dim is None:
            return st
        return st[_norm_dim(dim, d.ndim)]

    def storage_offset(self):
        """Offset of the first element from the start of the underlying allocation."""
        d = self._data
        root = d
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not root.size:
            return 0
        lo = root.__array_interface__["data"][0]
        return (d.__array_interface__["data"][0] - lo) // d.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None):
        d = self._data
        if memory_format is None or memory_format == "contiguous_format":
            return bool(d.flags.c_contiguous)
        if memory_format == "channels_last" and d.ndim == 4:
            return bool(d.transpose(0, 2, 3, 1).flags.c_contiguous)
        return bool(d.flags.c_contiguous)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    @property
    def _version(self):
        v = self._ver
        return v[0] if v is not None else 0

    # ---- autograd -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Set whether autograd records operations on this leaf tensor (in place)."""
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients (got {self.dtype})")
        self._requires_grad = bool(requires_grad)
        if requires_grad:
            _init_leaf(self)
        return self

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self):
        return self._out_nr if self._grad_fn is not None else 0

    @property
    def grad(self):
        try:
            return self._grad
        except AttributeError:
            return None

    @grad.setter
    def grad(self, g):
        if g is not None:
            if not isinstance(g, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(g).__name__}")
            if g._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if g._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = g

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._grad_fn is not None and getattr(self, "_retains_grad", False)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if getattr(self, "_retains_grad", False):
            return
        self._retains_grad = True
        self._grad_fn._retain(self._out_nr, self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the gradient of this tensor is computed; a non-None
        return value replaces the gradient. Returns a handle with ``remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_tensor_hook(self._out_nr, hook)
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = []
        hooks.append(hook)
        from .autograd.node import _RemovableHandle
        return _RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad`` (see
        :func:`ember.autograd.backward`)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing this one's memory and version counter, without history."""
        t = _wrap(self._data)
        if self._ver is None:
            self._ver = [0]
        t._ver = self._ver
        t._base = self._base if self._base is not None else None
        return t

    def detach_(self):
        """Detach this tensor from the graph that created it, in place."""
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """This tensor's values as a new tensor without history (not version-tracked)."""
        return _wrap(self._data)

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(other).__name__}")
        self._data = other._data

    # ---- conversion to Python / NumPy ---------------------------------------------------
    def item(self):
        """The single value of this tensor as a Python number."""
        d = self._data
        if d.size != 1:
            raise RuntimeError(f"a Tensor with {d.size} elements cannot be converted to Scalar")
        return d.reshape(()).item() if d.ndim else d.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind this tensor (shares memory)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        d = self._data
        return d if dtype is None else d.astype(dtype, copy=False)

    def __len__(self):
        d = self._data
        if d.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return d.shape[0]

    def __iter__(self):
        d = self._data
        if d.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        d = self._data
        if d.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(d.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        d = self._data
        if d.dtype.kind not in "iub" or d.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(d.reshape(()))

    def __complex__(self):
        return complex(self.item())

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        t = _new(type(self))
        t._data = self._data.copy()
        t._grad_fn = None
        t._requires_grad = self._requires_grad
        t._ver = None
        t._base = None
        g = self.grad
        if g is not None:
            t._grad = g.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    # ---- device -------------------------------------------------------------------------
    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        as_device("cuda" if device is None else device)

    @property
    def T(self):
        d = self._data.ndim
        if d > 2:
            pass  # PyTorch deprecates .T for ndim != 2 but still reverses the dims
        return self.permute(*range(d - 1, -1, -1)) if d >= 2 else self

    @property
    def mT(self):
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)


def _init_leaf(t):
    """Give a leaf that requires grad the slots autograd reads on it (so the hot path
    never pays for a missing-attribute lookup)."""
    for k in ("_grad", "_grad_acc", "_hooks"):
        try:
            getattr(t, k)
        except AttributeError:
            setattr(t, k, None)


def _contig_strides(shape):
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _rebuild(arr, requires_grad):
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t
