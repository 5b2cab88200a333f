"""The optimizer base class: PyTorch's ``param_groups`` / ``state`` / ``state_dict`` contract.

An optimizer holds a list of parameter groups (dicts with a ``"params"`` list and one
value per hyperparameter, defaults filled in from ``defaults``) and a per-parameter
``state`` (a ``defaultdict(dict)`` keyed by the parameter tensor itself). ``state_dict()``
replaces tensors by integer ids in group order, exactly as PyTorch lays it out, so
checkpoints move between ember and PyTorch programs unchanged.

The base ``step`` is the one plain loop over the parameters that have a gradient; each
optimizer only defines ``_hyper`` (its group options), ``_init_state`` (a parameter's
state) and ``_update`` (one parameter's in-place whole-array NumPy update, see
``_kernels``). The step pre/post hooks are wrapped around every ``step`` automatically,
a subclass's own included.
PyTorch's ``foreach``/``fused``/``capturable``/``differentiable`` flags are accepted and
kept in the groups (so ``state_dict`` matches) but select no other code path.
"""
import functools
import itertools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import enable_grad
from ..ops._dispatch import _bump

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton marking a hyperparameter every group must give (``optim.optimizer.required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class RemovableHandle:
    """What the ``register_*_hook`` methods return: ``handle.remove()`` unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = hooks_dict
        self.id = next(RemovableHandle._ids)

    def remove(self):
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    t = type(obj)
    mod = t.__module__
    return t.__qualname__ if mod in ("builtins", None) else f"{mod}.{t.__qualname__}"


def _to_scalar(x):
    """A hyperparameter as a Python number (1-element tensors are read out)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def _check_lr(lr, strict=False):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not (0.0 < lr if strict else 0.0 <= lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonneg(value, what):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what}: {value}")


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_fused(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _hooked(step):
    """Wrap a subclass's ``step`` so the registered pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True
        pre = self._optimizer_step_pre_hooks
        if pre:
            args = (self,) + args
            for hook in list(pre.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f"{step} must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
            out = step(*args, **kwargs)
        else:
            out = step(self, *args, **kwargs)
            args = (self,) + args
        post = self._optimizer_step_post_hooks
        if post:
            for hook in list(post.values()):
                hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers (PyTorch's ``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (one
    parameter group each, with per-group options); ``defaults`` fills the options a group
    does not give.

    >>> import ember
    >>> from ember.optim import SGD
    >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.5)
    >>> w.grad = ember.tensor([1.0, -1.0])
    >>> opt.step()
    >>> w
    tensor([0.5000, 2.5000], requires_grad=True)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _hooked(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._init_hooks()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def _init_hooks(self):
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_hooks()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

    # ---- hooks --------------------------------------------------------------------------
    @staticmethod
    def _register(hooks, hook, prepend=False):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before every ``step``; it may return
        ``(new_args, new_kwargs)``. Returns a handle with ``remove()``."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after every ``step``."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` before ``state_dict`` builds its result."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` on the result; a non-None return replaces it."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` before loading; a non-None return is loaded."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict ---------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as ``{"state": {id: {...}}, "param_groups": [...]}``, each
        parameter replaced by its position over all groups (PyTorch's layout). The state
        tensors are the optimizer's own (not copies), as in PyTorch."""
        for hook in list(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        ids = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            params = group["params"]
            for i, p in enumerate(params, start):
                ids.setdefault(id(p), i)
            packed["params"] = [ids[id(p)] for p in params]
            start += len(params)
            groups.append(packed)
        packed_state = {(ids[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": groups}
        for hook in list(self._optimizer_state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state(param, value, fused_or_capturable, key=None):
        """A loaded state value for ``param``: floating tensors take the parameter's dtype,
        ``step`` stays as saved (float32 when fused/capturable), containers recurse."""
        if isinstance(value, Tensor):
            if key == "step":
                if fused_or_capturable:
                    from .. import float32
                    return value.to(dtype=float32)
                return value
            if param.is_floating_point() and value.dtype != param.dtype:
                return value.to(dtype=param.dtype)
            return value
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, fused_or_capturable, k)
                    for k, v in value.items()}
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            return type(value)(Optimizer._cast_state(param, v, fused_or_capturable)
                               for v in value)
        return value

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict` (of this optimizer or of PyTorch's),
        matching parameters by position."""
        state_dict = state_dict.copy()
        for hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = {}
        flags = {}
        for g, s in zip(groups, saved_groups):
            special = bool(s.get("fused", False) or s.get("capturable", False))
            for saved_id, p in zip(s["params"], g["params"]):
                id_map[saved_id] = p
                flags.setdefault(saved_id, special)
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                state[p] = self._cast_state(p, v, flags[k])
            else:
                state[k] = v
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)

    # ---- gradients and groups -----------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    # ---- the step: one loop over the parameters, per-parameter work in the subclasses ----
    _counts_steps = True  # tick ``state["step"]`` before each update (SGD keeps no counter)

    def _hyper(self, group):
        """A group's options as the subclass's ``_update`` wants them (read once a group)."""
        raise NotImplementedError

    def _init_state(self, p, state, h):
        """Fill the empty ``state`` of ``p`` before its first update (``h``: ``_hyper``)."""

    def _param_state(self, p, h):
        """The state of ``p``, made on first use."""
        state = self.state[p]
        if not state:
            self._init_state(p, state, h)
        return state

    def _update(self, P, g, state, h, step):
        """Update the parameter array ``P`` in place from the gradient array ``g`` (already
        negated when maximizing); ``step`` is the new step count (None without one)."""
        raise NotImplementedError

    @_hooked
    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it.

        Maps the subclass's ``_init_state``/``_update`` over every parameter with a gradient.
        """
        if type(self)._update is Optimizer._update:
            raise NotImplementedError
        loss = _eval_closure(closure)
        counts = self._counts_steps
        for group in self.param_groups:
            h = self._hyper(group)
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._param_state(p, h)
                g = _grad_array(p, maximize)
                self._update(p._data, g, state, h, _tick(state) if counts else None)
                _bump(p)
        return loss

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``"params"`` and optional per-group options)
        to optimize from now on, e.g. layers unfrozen during fine tuning."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf
                                                                       or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _eval_closure(closure):
    """Run the closure (with gradients on, whatever the caller's mode) and return its loss."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _grad_array(p, maximize):
    """The gradient of ``p`` as an array (negated, as a new array, when maximizing)."""
    g = p.grad._data
    return np.negative(g) if maximize else g


def _step_tensor(value=0.0):
    """A per-parameter step counter as PyTorch keeps it: a 0-d tensor of the scalar
    dtype (float32, float64 when that is the default dtype)."""
    dt = np.float64 if D._default[0] is D.float64 else np.float32
    return _wrap(np.array(value, dt))


def _zeros(p):
    return _wrap(np.zeros_like(p._data))


def _tick(state):
    """Add one to ``state["step"]`` and return the new count as a Python float."""
    st = state["step"]
    if isinstance(st, Tensor):
        a = st._data
        a += 1
        return float(a)
    state["step"] = st = st + 1
    return float(st)
