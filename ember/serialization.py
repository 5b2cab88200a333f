"""``ember.save`` / ``ember.load``: PyTorch's checkpoint format, safe by default.

A checkpoint is PyTorch's zip archive (format of ``torch.save`` since 1.6)::

    archive/data.pkl                  the object, pickled (protocol 2); every tensor is
                                      ``torch._utils._rebuild_tensor_v2(storage, offset,
                                      size, stride, requires_grad, backward_hooks)``
    archive/data/<key>                the raw bytes of one storage (stored, 64-byte aligned)
    archive/byteorder                 ``little``
    archive/version                   ``3``
    archive/.data/serialization_id    a random id

Storages are referenced from the pickle by persistent ids
``('storage', torch.<Type>Storage, key, location, numel)``, so tensors that view one
storage stay views of one NumPy buffer after loading.

Loading never imports torch. With ``weights_only=True`` (the default) the unpickler admits
only tensors, storages, dtypes, sizes, devices and plain containers/primitives (plus what
:func:`add_safe_globals` allows); any other global raises ``pickle.UnpicklingError`` naming
it, before anything runs. Saving to a path writes a temporary file in the same directory,
fsyncs it and renames it over the target, so an interrupted save leaves the old file.
"""
import collections
import io
import mmap as _mmap
import os
import pickle
import secrets
import struct
import sys
import tempfile
import zipfile
import zlib

import numpy as np

from . import _dtype as D
from ._device import device as _device
from ._tensor import Size, Tensor, _wrap

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

_ALIGN = 64

# dtype name -> (torch storage class name, numpy dtype)
_STORAGE = {
    "bool": "BoolStorage", "uint8": "ByteStorage", "int8": "CharStorage",
    "int16": "ShortStorage", "int32": "IntStorage", "int64": "LongStorage",
    "float16": "HalfStorage", "float32": "FloatStorage", "float64": "DoubleStorage",
    "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage",
}
_STORAGE_DTYPE = {v: D._FROM_NP[np.dtype(k)] for k, v in _STORAGE.items()}
_DTYPE_NAMES = {d.np: n for n, d in ((str(np.dtype(k)), D._FROM_NP[np.dtype(k)])
                                     for k in _STORAGE)}
_TORCH_DTYPE = {  # torch.<name> globals that are dtypes
    "bool": "bool", "uint8": "uint8", "int8": "int8", "int16": "int16", "short": "int16",
    "int32": "int32", "int": "int32", "int64": "int64", "long": "int64",
    "float16": "float16", "half": "float16", "float32": "float32", "float": "float32",
    "float64": "float64", "double": "float64", "complex64": "complex64",
    "cfloat": "complex64", "complex128": "complex128", "cdouble": "complex128",
}


# ---------------------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------------------
class _Global:
    """A stand-in for a torch global (``torch._utils._rebuild_tensor_v2``, ...) that the
    pickler writes as a GLOBAL opcode without importing torch."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pragma: no cover - never called, pickle wants a callable
        raise TypeError(f"{self.module}.{self.name} is a pickling stand-in")


_G_REBUILD = _Global("torch._utils", "_rebuild_tensor_v2")
_G_REBUILD_PARAM = _Global("torch._utils", "_rebuild_parameter")
_G_SIZE = _Global("torch", "Size")
_G_DEVICE = _Global("torch", "device")
_G_STORAGE = {v: _Global("torch", v) for v in _STORAGE.values()}
_G_DTYPE = {d: _Global("torch", str(np.dtype(k))) for k, d in
            ((k, D._FROM_NP[np.dtype(k)]) for k in _STORAGE)}


class _StorageRef:
    __slots__ = ("key", "cls", "numel")

    def __init__(self, key, cls, numel):
        self.key = key
        self.cls = cls
        self.numel = numel


def _root(arr):
    r = arr
    while isinstance(r.base, np.ndarray):
        r = r.base
    return r


class _Pickler(pickle._Pickler):
    """The pure-Python pickler (it lets us write torch's globals by name); tensor data
    never goes through it, only the small object graph."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = []          # (key, contiguous byte array)
        self._by_root = {}          # id(root) -> (root, _StorageRef)

    def save_torch_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = save_torch_global

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _G_STORAGE_CLS(obj.cls), obj.key, "cpu", obj.numel)
        return None

    def _new_storage(self, flat):
        key = str(len(self.storages))
        self.storages.append((key, flat))
        cls = _STORAGE[str(flat.dtype)]
        return _StorageRef(key, cls, int(flat.size))

    def _storage_for(self, arr):
        """(storage ref, offset, stride) for ``arr``: a view of a contiguous root keeps
        sharing the root's storage; anything else gets its own contiguous copy."""
        isz = arr.itemsize
        root = _root(arr)
        if (root is not arr or arr.flags.c_contiguous) and root.dtype == arr.dtype \
                and root.flags.c_contiguous and arr.size and root.size \
                and all(s >= 0 and s % isz == 0 for s in arr.strides):
            ent = self._by_root.get(id(root))
            if ent is None:
                ref = self._new_storage(root.reshape(-1))
                self._by_root[id(root)] = (root, ref)
            else:
                ref = ent[1]
            off = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            if off % isz == 0:
                return ref, off // isz, tuple(s // isz for s in arr.strides)
        flat = np.ascontiguousarray(arr)
        ref = self._new_storage(flat.reshape(-1))
        st = []
        acc = 1
        for s in reversed(arr.shape):
            st.append(acc)
            acc *= max(s, 1)
        return ref, 0, tuple(reversed(st))

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            arr = obj._data
            if not isinstance(arr, np.ndarray):
                arr = np.asarray(arr)
            if arr.dtype not in _DTYPE_NAMES:
                raise RuntimeError(f"ember.save: cannot serialize a tensor of dtype {arr.dtype}")
            ref, off, stride = self._storage_for(arr)
            hooks = collections.OrderedDict()
            args = (ref, off, tuple(arr.shape), stride, bool(obj._requires_grad), hooks)
            # a non-leaf tensor is saved as its data, like PyTorch does
            if type(obj).__name__ == "Parameter" \
                    and type(obj).__module__.startswith("ember.nn"):
                inner = _wrap(arr)
                return (_G_REBUILD_PARAM, (inner, bool(obj._requires_grad), hooks))
            return (_G_REBUILD, args)
        if isinstance(obj, Size):
            return (_G_SIZE, (tuple(obj),))
        if isinstance(obj, _device):
            return (_G_DEVICE, (str(obj),))
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        # dtypes are globals (``torch.float32``), which reducer_override cannot express
        if type(obj) is D.dtype:
            g = _G_DTYPE.get(obj)
            if g is None:
                raise RuntimeError(f"ember.save: cannot serialize dtype {obj}")
            obj = g
        return super().save(obj, save_persistent_id)


def _G_STORAGE_CLS(name):
    return _G_STORAGE[name]


def _aligned_info(zf, name, size):
    """A ZipInfo for a stored member whose data starts on a 64-byte boundary."""
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    zi.create_system = 0
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    start = zf.fp.tell() + 30 + len(name.encode("utf-8")) + (20 if zip64 else 0)
    pad = (-(start + 4)) % _ALIGN
    zi.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad     # "FB" padding field
    return zi


def _write_member(zf, name, data):
    if isinstance(data, np.ndarray):
        data = memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
    zf.writestr(_aligned_info(zf, name, len(data)), data)


def _write_archive(obj, fp):
    buf = io.BytesIO()
    p = _Pickler(buf)
    p.dump(obj)
    with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        pre = "archive/"
        _write_member(zf, pre + "data.pkl", buf.getvalue())
        _write_member(zf, pre + ".format_version", b"1")
        _write_member(zf, pre + ".storage_alignment", b"64")
        _write_member(zf, pre + "byteorder", sys.byteorder.encode())
        for key, flat in p.storages:
            _write_member(zf, pre + "data/" + key, flat)
        _write_member(zf, pre + "version", b"3\n")
        sid = "".join(str(secrets.randbelow(10)) for _ in range(40))
        _write_member(zf, pre + ".data/serialization_id", sid.encode())


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, containers of them, state dicts...) to ``f`` in PyTorch's
    checkpoint format: real ``torch.load`` reads it.

    ``f`` is a path (written atomically: a temporary file in the same directory, fsync,
    rename, so an interrupted save leaves the previous file intact) or a binary file
    object.

    >>> import ember, io
    >>> from ember.serialization import save, load
    >>> buf = io.BytesIO()
    >>> save({"w": ember.tensor([1., 2.])}, buf)
    >>> _ = buf.seek(0)
    >>> load(buf)["w"]
    tensor([1., 2.])
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("ember.save: only the default pickle module is supported")
    if not _use_new_zipfile_serialization:
        raise RuntimeError("ember.save: the legacy (pre-1.6) format is not supported")
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                   dir=d)
        try:
            with os.fdopen(fd, "wb") as fp:
                _write_archive(obj, fp)
                fp.flush()
                os.fsync(fp.fileno())
            try:
                mode = os.stat(path).st_mode & 0o7777
            except OSError:
                mode = 0o666 & ~_umask()
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:   # make the rename itself durable
            dfd = os.open(d, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"ember.save: expected a path or a writable binary file object, "
                             f"got {type(f).__name__}")
    try:
        seekable = f.seekable() and f.tell() >= 0
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable:
        _write_archive(obj, f)
    else:
        buf = io.BytesIO()
        _write_archive(obj, buf)
        f.write(buf.getvalue())
    if hasattr(f, "flush"):
        f.flush()


# ---------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------
_safe_user = {}   # "module.name" -> object, from add_safe_globals


def add_safe_globals(safe_globals):
    """Allow-list globals for ``weights_only=True`` loads: a list of objects (classes,
    functions) or ``(obj, "module.name")`` pairs."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj = g
            name = f"{g.__module__}.{g.__qualname__}"
        _safe_user[name] = obj


def get_safe_globals():
    """The globals added with :func:`add_safe_globals`."""
    return list(_safe_user.values())


def clear_safe_globals():
    """Forget every global added with :func:`add_safe_globals`."""
    _safe_user.clear()


class safe_globals:
    """Context manager that allow-lists globals for the duration of a ``with`` block."""

    def __init__(self, safe_globals):
        self._g = safe_globals

    def __enter__(self):
        self._saved = dict(_safe_user)
        add_safe_globals(self._g)

    def __exit__(self, *exc):
        _safe_user.clear()
        _safe_user.update(self._saved)


class _StorageType:
    """What ``torch.<Type>Storage`` unpickles to: it only names a dtype."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


class _Storage:
    """A loaded storage: a flat NumPy array that every tensor viewing it shares."""

    __slots__ = ("array", "location")

    def __init__(self, array, location):
        self.array = array
        self.location = location


def _check_int(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise pickle.UnpicklingError(f"bad tensor {what}: {v!r}")
    return v


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError(f"bad tensor storage: {type(storage).__name__}")
    arr = storage.array
    off = _check_int(storage_offset, "storage offset")
    size = tuple(_check_int(s, "size") for s in size)
    stride = tuple(_check_int(s, "stride") for s in stride)
    if len(size) != len(stride) or off < 0 or any(s < 0 for s in size) \
            or any(s < 0 for s in stride):
        raise pickle.UnpicklingError(f"bad tensor geometry: size {size}, stride {stride}, "
                                     f"offset {off}")
    n = 1
    for s in size:
        n *= s
    if n == 0:
        out = np.empty(size, arr.dtype)
    else:
        last = off + sum((s - 1) * st for s, st in zip(size, stride))
        if last >= arr.size:
            raise pickle.UnpicklingError(
                f"tensor of size {list(size)}, stride {list(stride)} at offset {off} does not "
                f"fit in a storage of {arr.size} elements")
        isz = arr.itemsize
        out = np.lib.stride_tricks.as_strided(arr[off:], size, tuple(s * isz for s in stride))
    t = _wrap(out)
    if requires_grad:
        if not t.is_floating_point() and not t.is_complex():
            raise pickle.UnpicklingError("only floating point tensors can require grad")
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *extra):
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("bad parameter data")
    try:
        from .nn.parameter import Parameter
    except ImportError:  # pragma: no cover - nn unavailable: a plain leaf tensor
        t = _wrap(data._data)
        return t.requires_grad_(True) if requires_grad else t
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in (_rebuild_tensor_v2, _rebuild_parameter, _rebuild_tensor):
        raise pickle.UnpicklingError("unsupported tensor rebuild function")
    return func(*args)


def _make_size(*args):
    return Size(tuple(_check_int(s, "size") for s in (args[0] if args else ())))


def _codecs_encode(obj, encoding="utf-8"):
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise pickle.UnpicklingError("unsupported _codecs.encode call")
    return obj.encode(encoding)


def _safe_table():
    # exactly what torch's weights-only unpickler admits (for the features ember has)
    t = {
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
        ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
        ("torch", "Size"): _make_size,
        ("torch", "device"): _device,
        ("torch", "Tensor"): Tensor,
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("collections", "Counter"): collections.Counter,
        ("builtins", "set"): set,
        ("builtins", "complex"): complex,
        ("builtins", "bytearray"): bytearray,
        ("_codecs", "encode"): _codecs_encode,
    }
    for name, st in _STORAGE_DTYPE.items():
        t[("torch", name)] = _StorageType(st)
    for tn, en in _TORCH_DTYPE.items():
        t[("torch", tn)] = getattr(D, "bool_" if en == "bool" else en)
    try:
        from .nn.parameter import Parameter
        t[("torch.nn.parameter", "Parameter")] = Parameter
    except Exception:  # pragma: no cover - nn not importable
        pass
    return t


_SAFE = None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, loader, weights_only):
        super().__init__(file, encoding="utf-8")
        self._loader = loader
        self._weights_only = weights_only

    def find_class(self, module, name):
        global _SAFE
        if module == "__builtin__":     # protocol-2 pickles name builtins the Python 2 way
            module = "builtins"
        if _SAFE is None:
            _SAFE = _safe_table()
        obj = _SAFE.get((module, name))
        if obj is not None:
            return obj
        user = _safe_user.get(f"{module}.{name}")
        if user is not None:
            return user
        if self._weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed: unsupported global {module}.{name} in "
                f"{self._loader.name}. Load with weights_only=False only if you trust the "
                f"file, or allow-list it with ember.serialization.add_safe_globals"
                f"([{name}]).")
        if module.split(".")[0] == "torch":
            raise pickle.UnpicklingError(f"{self._loader.name}: torch global {module}.{name} "
                                         f"has no ember equivalent")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, stype, key, location, numel = pid
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {stype!r}")
        if not isinstance(key, str) or not isinstance(location, str):
            raise pickle.UnpicklingError(f"bad storage reference {pid!r}")
        return self._loader.storage(key, stype.dtype, _check_int(numel, "numel"), location)


class _Loader:
    def __init__(self, zf, name, prefix, map_location, mm):
        self.zf = zf
        self.name = name
        self.prefix = prefix
        self.map_location = map_location
        self.mm = mm
        self.cache = {}
        try:
            bo = zf.read(prefix + "byteorder").decode().strip()
        except KeyError:
            bo = "little"
        if bo not in ("little", "big"):
            raise RuntimeError(f"{name}: bad byteorder record {bo!r}")
        self.swap = bo != sys.byteorder

    def _data(self, member, nbytes, npdt):
        try:
            info = self.zf.getinfo(member)
        except KeyError:
            raise RuntimeError(f"{self.name}: storage record {member} is missing") from None
        if info.file_size != nbytes:
            raise RuntimeError(f"{self.name}: storage record {member} holds {info.file_size} "
                               f"bytes, expected {nbytes}")
        if info.compress_type == zipfile.ZIP_STORED:
            fp = self.zf.fp
            if self.mm is not None:
                hdr = self.mm[info.header_offset:info.header_offset + 30]
            else:
                fp.seek(info.header_offset)
                hdr = fp.read(30)
            if len(hdr) != 30 or hdr[:4] != b"PK\x03\x04":
                raise RuntimeError(f"{self.name}: corrupt zip header for {member}")
            n, m = struct.unpack("<HH", hdr[26:30])
            start = info.header_offset + 30 + n + m
            if self.mm is not None:
                if start + nbytes > len(self.mm):
                    raise RuntimeError(f"{self.name}: storage record {member} is truncated")
                return np.frombuffer(self.mm, npdt, nbytes // npdt.itemsize, start)
            raw = np.empty(nbytes, np.uint8)     # no zero-fill: readinto overwrites it
            fp.seek(start)
            if fp.readinto(memoryview(raw)) != nbytes:
                raise RuntimeError(f"{self.name}: storage record {member} is truncated")
            if zlib.crc32(raw) != info.CRC:
                raise RuntimeError(f"{self.name}: storage record {member} is corrupt (bad "
                                   f"CRC-32)")
            return raw.view(npdt)
        if self.mm is not None:
            raise RuntimeError(f"{self.name}: mmap=True needs uncompressed storages")
        raw = bytearray(nbytes)
        with self.zf.open(info) as src:
            got = src.readinto(raw)
            if got != nbytes:
                raise RuntimeError(f"{self.name}: storage record {member} is truncated")
        return np.frombuffer(raw, npdt)

    def storage(self, key, dtype, numel, location):
        st = self.cache.get(key)
        if st is not None:
            if st.array.dtype != dtype.np:
                st = _Storage(st.array.view(dtype.np), st.location)
            return st
        npdt = dtype.np
        if numel < 0:
            raise pickle.UnpicklingError(f"bad storage size {numel}")
        arr = self._data(self.prefix + "data/" + key, numel * npdt.itemsize, npdt)
        if self.swap:
            arr = arr.byteswap()
        if npdt == np.bool_ and arr.size and arr.view(np.uint8).max() > 1:
            arr = arr.view(np.uint8) != 0
        st = _Storage(arr, location)
        st = self._map(st, location)
        self.cache[key] = st
        return st

    def _map(self, st, location):
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, _device)):
            r = ml(st, location)
            if r is not None:
                st = r if isinstance(r, _Storage) else st
            return st
        if isinstance(ml, dict):
            location = ml.get(location, location)
        elif ml is not None:
            location = str(ml)
        loc = str(location)
        if loc.startswith("cuda"):
            from . import cuda
            if not cuda.is_available():
                raise RuntimeError(
                    f"Attempting to deserialize object on a CUDA device but "
                    f"ember.cuda.is_available() is False ({self.name}). Use "
                    f"map_location='cpu' to load on the CPU.")
        elif loc not in ("cpu",) and not loc.startswith("cpu:"):
            raise RuntimeError(f"{self.name}: don't know how to restore a storage on "
                               f"location {loc!r}")
        st.location = loc
        return st


def _load_archive(zf, name, prefix, map_location, mm, weights_only):
    loader = _Loader(zf, name, prefix, map_location, mm)
    data = zf.read(prefix + "data.pkl")
    up = _Unpickler(io.BytesIO(data), loader, weights_only)
    try:
        return up.load()
    except pickle.UnpicklingError as e:
        msg = str(e)
        if name not in msg:
            msg = f"{msg} (while loading {name})"
        raise pickle.UnpicklingError(msg) from e
    except (RuntimeError, zipfile.BadZipFile, EOFError, struct.error, zlib.error):
        raise
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            OverflowError, MemoryError, RecursionError, UnicodeDecodeError) as e:
        if not weights_only:
            raise
        raise pickle.UnpicklingError(f"{name}: corrupt checkpoint, the pickle could not be "
                                     f"read ({type(e).__name__}: {e})") from e


def _open_zip(fp, name):
    try:
        zf = zipfile.ZipFile(fp)
        names = zf.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            struct.error, KeyError, IndexError, UnicodeDecodeError, NotImplementedError) as e:
        raise RuntimeError(f"{name}: not a valid ember/PyTorch checkpoint (the zip archive "
                           f"cannot be read: {e}). The file may be truncated or "
                           f"corrupt.") from e
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise RuntimeError(f"{name}: not a PyTorch checkpoint archive (no unique "
                           f"'<name>/data.pkl' record)")
    return zf, pkl[0][:-len("data.pkl")]


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=False,
         **pickle_load_args):
    """Load an object saved by :func:`save` or by PyTorch's ``torch.save`` (zip format).

    ``weights_only=True`` (the default) admits only tensors, containers and primitives:
    any other global raises ``pickle.UnpicklingError`` naming it, and nothing from the
    file runs. ``weights_only=False`` unpickles arbitrary objects: only for trusted files.
    ``map_location`` may be ``'cpu'``, a device, a dict of locations or a callable
    ``(storage, location)``. ``mmap=True`` maps the storages from the file (copy on
    write) instead of reading them.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("ember.load: only the default pickle module is supported")
    if weights_only is None:
        weights_only = True
    close = []
    mm = None
    try:
        if isinstance(f, (str, bytes, os.PathLike)):
            name = os.fsdecode(os.fspath(f))
            fp = open(name, "rb")
            close.append(fp)
        elif hasattr(f, "read"):
            fp = f
            name = getattr(f, "name", None)
            name = repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"
        else:
            raise AttributeError(f"ember.load: expected a path or a readable binary file "
                                 f"object, got {type(f).__name__}")
        try:
            seekable = fp.seekable()
        except (AttributeError, OSError, ValueError):
            seekable = False
        if not seekable:
            fp = io.BytesIO(fp.read())
        if mmap:
            if not hasattr(fp, "fileno"):
                raise ValueError("ember.load(mmap=True) needs a file path or a real file")
            try:
                fileno = fp.fileno()
            except (OSError, io.UnsupportedOperation):
                raise ValueError("ember.load(mmap=True) needs a file path or a real file") \
                    from None
            try:
                mm = _mmap.mmap(fileno, 0, access=_mmap.ACCESS_COPY)
            except (OSError, ValueError) as e:
                raise RuntimeError(f"{name}: cannot map the file: {e}") from e
        head = fp.read(4)
        fp.seek(-len(head), 1)
        if head[:2] != b"PK":
            if head[:1] == b"\x80":
                raise RuntimeError(f"{name}: the legacy (pre-1.6, non-zip) PyTorch format is "
                                   f"not supported; re-save the file with a recent torch")
            raise RuntimeError(f"{name}: not a valid ember/PyTorch checkpoint (no zip "
                               f"signature); the file may be truncated or corrupt")
        zf, prefix = _open_zip(fp, name)
        close.insert(0, zf)
        try:
            return _load_archive(zf, name, prefix, map_location, mm, weights_only)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error,
                zlib.error, NotImplementedError) as e:
            raise RuntimeError(f"{name}: corrupt checkpoint, the file may be truncated or "
                               f"damaged ({type(e).__name__}: {e})") from e
    finally:
        for c in close:
            try:
                c.close()
            except Exception:  # pragma: no cover
                pass
