"""Full backward hooks: identity functions around a module's tensor inputs and outputs
catch ``grad_output`` and ``grad_input`` and hand them to the module's hooks."""
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled


class _Identity(Function):
    @staticmethod
    def forward(ctx, cb, *xs):
        ctx.cb = cb
        return tuple(x.view_as(x) for x in xs)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.cb(grads))


class BackwardHook:
    """Per-call state joining the output-side and input-side identity functions."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.n_inputs = 0

    def _wrap(self, seq, cb):
        idx = [i for i, a in enumerate(seq) if isinstance(a, Tensor) and a.requires_grad]
        if not idx or not is_grad_enabled():
            return seq, False
        outs = _Identity.apply(cb, *[seq[i] for i in idx])
        seq = list(seq)
        for i, o in zip(idx, outs):
            seq[i] = o
        return seq, True

    def _on_grad_input(self, grads):
        m = self.module
        for hook in list(m._backward_hooks.values()):
            r = hook(m, grads, self.grad_output)
            if r is not None:
                r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
                if len(r) != len(grads):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(r)}, but expected {len(grads)}")
                grads = r
        return grads

    def _on_grad_output(self, grads):
        m = self.module
        for hook in list(m._backward_pre_hooks.values()):
            r = hook(m, grads)
            if r is not None:
                grads = tuple(r) if isinstance(r, (tuple, list)) else (r,)
        self.grad_output = grads
        if not self.n_inputs:
            self._on_grad_input((None,))
        return grads

    def setup_input(self, args):
        new, wrapped = self._wrap(args, self._on_grad_input)
        self.n_inputs = int(wrapped)
        return tuple(new)

    def setup_output(self, out):
        if isinstance(out, Tensor):
            new, _ = self._wrap((out,), self._on_grad_output)
            return new[0]
        if isinstance(out, tuple):
            new, _ = self._wrap(out, self._on_grad_output)
            return tuple(new)
        return out
