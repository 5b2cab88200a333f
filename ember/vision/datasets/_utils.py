"""Helpers shared by the dataset readers: the image hand-out (PIL or NumPy by backend), the
IDX (MNIST) parser, a restricted unpickler for the CIFAR batches and a safe tar extractor."""
import gzip
import io
import operator
import os
import pickle
import struct
import tarfile
import zlib

import numpy as np

from .._backend import get_image_backend

NO_NETWORK = ("ember has no network access and never downloads: fetch the files yourself "
              "and put them there")


def to_image(array):
    """A uint8 array H×W (grey) or H×W×C as the current image type: a PIL image when the
    backend is ``'PIL'``, else a fresh (owned, C-contiguous) NumPy array."""
    if get_image_backend() == "PIL":
        from PIL import Image

        return Image.fromarray(np.ascontiguousarray(array))
    return np.array(array, dtype=np.uint8, order="C", copy=True)


def check_index(index, length, name):
    """``index`` as a list index would take it: an int in ``[0, length)`` after wrapping a
    negative one; ``IndexError`` otherwise."""
    try:
        i = operator.index(index)
    except TypeError:
        raise TypeError(f"{name} indices must be integers, not {type(index).__name__}") from None
    if i < 0:
        i += length
    if not 0 <= i < length:
        raise IndexError(f"{name} index {index} out of range for a dataset of {length} "
                         f"samples")
    return i


# ---------------------------------------------------------------- IDX (MNIST) files

_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def _read_bytes(path):
    if str(path).endswith(".gz"):
        try:
            with gzip.open(path, "rb") as f:
                return bytearray(f.read())
        except (OSError, EOFError, zlib.error) as e:
            raise RuntimeError(f"{path}: not a readable gzip file ({e})") from e
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        buf = bytearray(size)
        n = f.readinto(buf)
    return buf[:n] if n != size else buf


def read_idx(path):
    """Parse an IDX file (the MNIST format; ``.gz`` compressed when the name says so) into a
    native-endian NumPy array. Bad magic, unknown type or a size that does not match the
    header give a ``RuntimeError`` naming the file."""
    data = _read_bytes(path)
    if len(data) < 4:
        raise RuntimeError(f"{path}: not an IDX file, only {len(data)} bytes long")
    zero, code, ndim = (data[0] << 8) | data[1], data[2], data[3]
    if zero != 0 or code not in _IDX_TYPES or not 1 <= ndim <= 3:
        raise RuntimeError(f"{path}: not an IDX file (magic number 0x{bytes(data[:4]).hex()}; "
                           f"expected 0x0000 then a type code in "
                           f"{{{', '.join(f'0x{c:02x}' for c in _IDX_TYPES)}}} and 1 to 3 "
                           f"dimensions)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise RuntimeError(f"{path}: truncated IDX file, {len(data)} bytes but the header "
                           f"alone takes {header}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_TYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "corrupt"
        raise RuntimeError(f"{path}: {what} IDX file, the header says shape "
                           f"{list(shape)} of {dtype.name} ({expected} bytes) but the file has "
                           f"{len(data)} bytes")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    if dtype.itemsize > 1:
        arr = arr.astype(dtype.newbyteorder("="))
    return arr


# ---------------------------------------------------------------- restricted unpickling

def _latin1_encode(obj, encoding="utf-8", errors="strict"):
    # protocol-2 pickles written by Python 3 spell a bytes object as
    # _codecs.encode(text, 'latin1'); nothing else of the codecs module is let through
    if encoding not in ("latin1", "latin-1", "iso-8859-1") or not isinstance(obj, str):
        raise pickle.UnpicklingError(f"refused _codecs.encode(..., {encoding!r})")
    return obj.encode("latin1", errors)


def _allowed_globals():
    # take NumPy's own reconstruction helpers from its reduce results, so that old pickles
    # naming numpy.core.* and new ones naming numpy._core.* resolve without importing the
    # deprecated numpy.core shim
    reconstruct = np.zeros(1).__reduce__()[0]
    scalar = np.int64(0).__reduce__()[0]
    frombuffer = np.zeros(1).__reduce_ex__(5)[0]
    table = {("_codecs", "encode"): _latin1_encode,
             ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for core in ("numpy.core", "numpy._core"):
        table[(core + ".multiarray", "_reconstruct")] = reconstruct
        table[(core + ".multiarray", "scalar")] = scalar
        table[(core + ".numeric", "_frombuffer")] = frombuffer
    return table


_ALLOWED = None


class _RestrictedUnpickler(pickle.Unpickler):
    """Only plain containers, strings, numbers and NumPy arrays: every other global (and so
    every callable a malicious pickle could run) is refused."""

    def __init__(self, file, name):
        super().__init__(file, encoding="latin1")
        self._name = name

    def find_class(self, module, name):
        global _ALLOWED
        if _ALLOWED is None:
            _ALLOWED = _allowed_globals()
        obj = _ALLOWED.get((module, name))
        if obj is None:
            raise pickle.UnpicklingError(
                f"{self._name}: refused to unpickle the global {module}.{name}; only dicts, "
                f"lists, strings, numbers and NumPy arrays are allowed in a dataset file")
        return obj

    def persistent_load(self, pid):
        raise pickle.UnpicklingError(f"{self._name}: persistent ids are not allowed")


def restricted_load(path):
    """Unpickle the file at ``path`` allowing only data (see :class:`_RestrictedUnpickler`).
    ``pickle.UnpicklingError`` names the file on any failure."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return _RestrictedUnpickler(io.BytesIO(raw), str(path)).load()
    except pickle.UnpicklingError as e:
        if str(path) in str(e):
            raise
        raise pickle.UnpicklingError(f"{path}: corrupt pickle ({e})") from e
    except (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            UnicodeDecodeError, OverflowError, MemoryError, RecursionError,
            struct.error) as e:
        raise pickle.UnpicklingError(f"{path}: corrupt pickle ({type(e).__name__}: {e})") \
            from e


# ---------------------------------------------------------------- archives

def safe_extract(archive, dest):
    """Extract a tar archive into ``dest``, refusing links, devices and any member that
    would land outside ``dest`` (``tarfile``'s ``'data'`` filter plus our own check)."""
    dest_real = os.path.realpath(dest)
    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            for m in members:
                target = os.path.realpath(os.path.join(dest_real, m.name))
                if os.path.commonpath([dest_real, target]) != dest_real:
                    raise RuntimeError(f"{archive}: refusing member {m.name!r}, it would be "
                                       f"extracted outside {dest}")
                if not (m.isfile() or m.isdir()):
                    raise RuntimeError(f"{archive}: refusing member {m.name!r}, only plain "
                                       f"files and folders are extracted")
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest_real, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.10.12
                tf.extractall(dest_real, members=members)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise RuntimeError(f"{archive}: could not extract the archive ({e})") from e
