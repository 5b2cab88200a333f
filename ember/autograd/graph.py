"""``ember.autograd.graph``: the graph's node type and saved-tensor hooks.

``saved_tensors_hooks(pack_hook, unpack_hook)``: while the context is active, every tensor an
op saves for backward is handed to ``pack_hook`` and only what it returns is kept; backward
gets the tensor back from ``unpack_hook(packed)`` (e.g. to compress, offload, or log what
the graph keeps alive).
"""
from .node import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

_hook_stack = []          # active (pack_hook, unpack_hook) pairs, innermost last
_disabled = []            # error messages of active disable_saved_tensors_hooks contexts


class saved_tensors_hooks:
    """Context manager that sets a pack/unpack hook pair for tensors saved for backward.

    >>> import ember
    >>> packed = []
    >>> def pack(t):
    ...     packed.append(t.shape)
    ...     return t
    >>> x = ember.ones(3, requires_grad=True)
    >>> with ember.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
    ...     y = (x * x).sum()
    >>> packed
    [ember.Size([3]), ember.Size([3])]
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        _hook_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _hook_stack.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Save tensors for backward on the CPU (ember's tensors already live there, so the
    hooks keep a reference; ``pin_memory`` is accepted and ignored)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: (t.device, t.cpu()), lambda p: p[1].to(p[0]))


class disable_saved_tensors_hooks:
    """Context manager under which setting saved-tensor hooks raises ``error_message``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _disabled.append(self.error_message)

    def __exit__(self, *exc):
        _disabled.pop()
        return False
