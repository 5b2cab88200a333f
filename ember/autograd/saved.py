"""Saved tensors: what a node keeps for backward, with the version each had when saved,
so that an in-place change in between is caught instead of giving a wrong gradient."""

from . import graph

__all__ = ["SavedOutput", "SavedHooked", "save_tensor", "save_output", "unpack_all"]


class SavedOutput:
    """An op's own output, saved as its array (not the Tensor, which would make a cycle
    output -> grad_fn -> output); unpacking rebuilds a Tensor whose grad_fn is the node."""

    __slots__ = ("data", "ver", "version", "nr")

    def __init__(self, t, nr):
        if t._ver is None:
            t._ver = [0]
        self.data, self.ver, self.version, self.nr = t._data, t._ver, t._ver[0], nr


class SavedHooked:
    """What ``saved_tensors_hooks``' pack hook returned, with the unpack hook to undo it."""

    __slots__ = ("packed", "unpack")

    def __init__(self, packed, unpack):
        self.packed, self.unpack = packed, unpack


def save_tensor(t):
    """The saved-tensor entry of input ``t``: ``(t, version)`` or its packed form."""
    if graph._hook_stack:
        pack, unpack = graph._hook_stack[-1]
        return SavedHooked(pack(t), unpack)
    v = t._ver
    if v is None:
        v = t._ver = [0]
    return (t, v[0])


def save_output(t, nr):
    """The saved-tensor entry of an op's own output ``t`` (output number ``nr``)."""
    if graph._hook_stack:
        pack, unpack = graph._hook_stack[-1]
        return SavedHooked(pack(t.detach()), unpack)
    return SavedOutput(t, nr)


def _modified(desc_tensor, node_name, nr, now, then):
    from .._tensor import _type_desc
    where = f", which is output {nr} of {node_name}," if node_name else ""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{_type_desc(desc_tensor)}]{where} is at version {now}; expected version "
        f"{then} instead. Hint: enable anomaly detection to find the operation that failed to "
        "compute its gradient, with ember.autograd.set_detect_anomaly(True).")


def unpack_all(node, saved):
    from .._tensor import _wrap
    out = []
    for s in saved:
        if type(s) is SavedOutput:
            if s.ver[0] != s.version:
                t = _wrap(s.data)
                raise _modified(t, node._node_name, s.nr, s.ver[0], s.version)
            t = _wrap(s.data)
            t._ver = s.ver
            t._grad_fn = node
            t._requires_grad = True
            t._out_nr = s.nr
            out.append(t)
        elif type(s) is SavedHooked:
            t = s.unpack(s.packed)
            from .._tensor import Tensor
            if not isinstance(t, Tensor):
                raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but "
                                f"got result of type {type(t).__name__}")
            out.append(t)
        elif type(s) is not tuple:
            out.append(s)          # a Python scalar input, saved as it is
        else:
            t, v = s
            if t._ver[0] != v:
                fn = t._grad_fn
                name = fn._node_name if fn is not None else None
                if t._base is not None and t._base._requires_grad \
                        and getattr(t, "_vstamp", None) not in (None, t._ver[0]):
                    name = "AsStridedBackward0"   # the view's history would be read again
                raise _modified(t, name, getattr(t, "_out_nr", 0), t._ver[0], v)
            out.append(t)
    return tuple(out)
