"""``nn.Parameter``: a Tensor that a Module registers as one of its parameters."""
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers
    it in ``parameters()``. It requires grad by default and shares memory with ``data``.

    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(2))
    >>> p.requires_grad
    True
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        d = data.detach()
        p = object.__new__(cls)
        p._data = d._data
        p._grad_fn = None
        p._requires_grad = False
        p._ver = d._ver
        p._base = None
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = type(self)(Tensor.__deepcopy__(self.detach(), {}), self._requires_grad)
        g = self.grad
        if g is not None:
            p.grad = g.detach().clone()
        memo[id(self)] = p
        return p

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach(), self._requires_grad, self.__dict__))


def _rebuild_parameter(data, requires_grad, state):
    p = Parameter(data, requires_grad)
    p.__dict__.update(state)
    return p


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute
    (``persistent=False`` keeps it out of ``state_dict``)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .. import empty
            data = empty(0)
        d = data.detach()
        b = object.__new__(cls)
        b._data = d._data
        b._grad_fn = None
        b._requires_grad = False
        b._ver = d._ver
        b._base = None
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass
