"""The safetensors format on NumPy: ``save_file`` / ``load_file`` / ``save`` / ``load``.

A safetensors file is an 8-byte little-endian header length ``N``, then ``N`` bytes of
JSON (``{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
"__metadata__": {"key": "value"}}``, padded with spaces to a multiple of 8), then the
tensors' raw little-endian bytes; ``data_offsets`` are relative to the start of that byte
buffer, which the tensors cover exactly, without overlap. Nothing in it is executable.
"""
import json
import os
import struct
import tempfile

import numpy as np

from .._dtype import _FROM_NP
from .._tensor import Tensor, _wrap

__all__ = ["save", "load", "save_file", "load_file"]

_CODES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16,
          "I32": np.int32, "U32": np.uint32, "I64": np.int64, "U64": np.uint64,
          "F16": np.float16, "F32": np.float32, "F64": np.float64, "C64": np.complex64}
_CODE_OF = {np.dtype(v): k for k, v in _CODES.items()}
_MAX_HEADER = 100_000_000


def _as_array(name, t):
    if isinstance(t, Tensor):
        arr = t._data
    elif isinstance(t, np.ndarray):
        arr = t
    else:
        raise TypeError(f"safetensors: value for {name!r} must be a Tensor, got "
                        f"{type(t).__name__}")
    code = _CODE_OF.get(arr.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"safetensors: tensor {name!r} has dtype {arr.dtype}, which the "
                         f"format does not support")
    return code, np.ascontiguousarray(arr, arr.dtype.newbyteorder("<"))


def _serialize(tensors, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"safetensors: expected a dict of tensors, got {type(tensors).__name__}")
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors: metadata must be a dict of str to str")
    items = []
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"safetensors: tensor names must be str, got {name!r}")
        if name == "__metadata__":
            raise ValueError("safetensors: '__metadata__' is reserved")
        code, arr = _as_array(name, t)
        items.append((-arr.itemsize, name, code, arr))
    items.sort(key=lambda x: (x[0], x[1]))      # largest alignment first, then by name
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    pos = 0
    for _, name, code, arr in items:
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [pos, pos + arr.nbytes]}
        pos += arr.nbytes
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    chunks = [struct.pack("<Q", len(h)), h]
    chunks += [memoryview(a.reshape(-1).view(np.uint8)) for _, _, _, a in items]
    return chunks


def save(tensors, metadata=None):
    """The safetensors bytes of a ``{name: tensor}`` dict."""
    return b"".join(bytes(c) if isinstance(c, memoryview) else c
                    for c in _serialize(tensors, metadata))


def save_file(tensors, filename, metadata=None):
    """Write ``{name: tensor}`` to ``filename`` in the safetensors format (atomically: a
    temporary file in the same directory, fsync, rename).

    >>> import ember, io, os, tempfile
    >>> from ember.utils.safetensors import save_file, load_file
    >>> p = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save_file({"w": ember.tensor([1., 2.])}, p)
    >>> load_file(p)["w"]
    tensor([1., 2.])
    """
    chunks = _serialize(tensors, metadata)
    path = os.fspath(filename)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        um = os.umask(0)
        os.umask(um)
        os.chmod(tmp, 0o666 & ~um)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _parse(buf, where):
    if len(buf) < 8:
        raise ValueError(f"safetensors: {where} is too short to hold a header")
    (n,) = struct.unpack("<Q", bytes(buf[:8]))
    if n > _MAX_HEADER or 8 + n > len(buf):
        raise ValueError(f"safetensors: {where} has a bad header length {n} (file is "
                         f"{len(buf)} bytes)")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"safetensors: {where} has an invalid JSON header ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"safetensors: {where}: header is not a JSON object")
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
        raise ValueError(f"safetensors: {where}: __metadata__ must map str to str")
    data = buf[8 + n:]
    spans = []
    out = {}
    for name, info in header.items():
        try:
            code = info["dtype"]
            shape = [int(s) for s in info["shape"]]
            begin, end = (int(x) for x in info["data_offsets"])
            npdt = np.dtype(_CODES[code]).newbyteorder("<")
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"safetensors: {where}: bad entry for tensor {name!r}: "
                             f"{info!r}") from None
        count = 1
        for s in shape:
            if s < 0:
                raise ValueError(f"safetensors: {where}: negative dimension in {name!r}")
            count *= s
        if not 0 <= begin <= end <= len(data) or end - begin != count * npdt.itemsize:
            raise ValueError(f"safetensors: {where}: tensor {name!r} of shape {shape} and "
                             f"dtype {code} does not match data_offsets [{begin}, {end}]")
        spans.append((begin, end))
        arr = np.frombuffer(data, npdt, count, begin).reshape(shape)
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        out[name] = arr
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError(f"safetensors: {where}: tensor data overlaps or leaves holes")
        pos = e
    if pos != len(data):
        raise ValueError(f"safetensors: {where}: {len(data) - pos} trailing bytes after the "
                         f"tensor data")
    return out, meta


def _to_tensors(arrays):
    out = {}
    for k, a in arrays.items():
        if a.dtype not in _FROM_NP:
            raise ValueError(f"safetensors: tensor {k!r} has dtype {a.dtype}, which ember "
                             f"does not support")
        out[k] = _wrap(a)
    return out


def load(data):
    """The ``{name: tensor}`` dict held in safetensors ``data`` (bytes)."""
    arrays, _ = _parse(bytearray(data), "data")
    return _to_tensors(arrays)


def load_file(filename, device="cpu"):
    """Read a safetensors file into a ``{name: tensor}`` dict."""
    with open(filename, "rb") as f:
        buf = bytearray(f.read())
    arrays, _ = _parse(buf, repr(os.fspath(filename)))
    return _to_tensors(arrays)


def load_metadata(filename):
    """The ``__metadata__`` dict of a safetensors file (or None)."""
    with open(filename, "rb") as f:
        buf = bytearray(f.read())
    return _parse(buf, repr(os.fspath(filename)))[1]
