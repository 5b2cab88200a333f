"""Device objects. ``cpu`` is the NumPy backend; ``cuda`` needs a CUDA backend ember
does not have yet, so asking for it raises a clear error."""

__all__ = ["device"]


class device:
    """A device a tensor lives on: ``ember.device('cpu')``, ``ember.device('cuda', 0)``.

    >>> import ember
    >>> ember.device('cpu')
    device(type='cpu')
    >>> ember.device('cuda:1').index
    1
    """

    __slots__ = ("type", "index")

    def __new__(cls, type, index=None):
        if isinstance(type, device):
            return type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string or device, got {type!r}")
        name = type
        if ":" in name:
            name, _, idx = name.partition(":")
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if name not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError("Expected one of cpu, cuda, meta, mps device type at start of "
                               f"device string: {type}")
        if name == "cpu" and index is None and _CPU is not None:
            return _CPU
        self = object.__new__(cls)
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)
        return self

    def __setattr__(self, k, v):
        raise AttributeError("device objects are immutable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_CPU = None
_CPU = device("cpu")


def as_device(d):
    """Normalise a device-like (None, str, int, device) and check it is usable."""
    if d is None or d is _CPU:
        return _CPU
    if isinstance(d, int):
        d = device("cuda", d)
    d = device(d)
    if d.type != "cpu":
        from . import cuda
        cuda._lazy_init(d)
    return d
