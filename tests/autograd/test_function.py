"""Custom autograd Functions, saved-tensor hooks and anomaly mode, against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same, randn


def make_fns(M):
    class Exp(M.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class ScaleShift(M.autograd.Function):
        """Non-tensor arguments and needs_input_grad."""

        @staticmethod
        def forward(ctx, x, scale, w):
            ctx.scale = scale
            ctx.save_for_backward(x, w)
            return x * scale + w

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            gx = g * ctx.scale if ctx.needs_input_grad[0] else None
            gw = g if ctx.needs_input_grad[2] else None
            return gx, None, gw

    class SortWithIdx(M.autograd.Function):
        """Two outputs, one non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i

        @staticmethod
        def backward(ctx, gv, gi):
            (i,) = ctx.saved_tensors
            out = M.zeros_like(gv)
            out[i] = gv
            return out

    class MulAdd(M.autograd.Function):
        """Several differentiable outputs; unused output gradients materialise as zeros."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g1, g2):
            a, b = ctx.saved_tensors
            return g1 * b + g2, g1 * a + g2

    class Square(M.autograd.Function):
        """Backward written with tensor ops: differentiable twice."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class AddOneInPlace(M.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class NewStyle(M.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    return dict(Exp=Exp, ScaleShift=ScaleShift, SortWithIdx=SortWithIdx, MulAdd=MulAdd,
                Square=Square, AddOneInPlace=AddOneInPlace, NewStyle=NewStyle)


def run(fn):
    return fn(ember, make_fns(ember)), fn(torch, make_fns(torch))


def leaf(M, a):
    return M.from_numpy(a.copy()).requires_grad_(True)


A, B = randn(5), randn(5)


@pytest.mark.parametrize("body", [
    lambda M, F: (F["Exp"].apply(leaf(M, A)),),
    lambda M, F: (F["ScaleShift"].apply(leaf(M, A), 2.5, leaf(M, B)),),
    lambda M, F: (F["ScaleShift"].apply(leaf(M, A), 2.5, M.from_numpy(B.copy())),),
    lambda M, F: F["SortWithIdx"].apply(leaf(M, A) * 1),
    lambda M, F: F["MulAdd"].apply(leaf(M, A), leaf(M, B)),
    lambda M, F: (F["MulAdd"].apply(leaf(M, A), leaf(M, B))[0],),
    lambda M, F: (F["NewStyle"].apply(leaf(M, A), 3.0),),
])
def test_custom_function_values_and_grads(body):
    def f(M, F):
        outs = body(M, F)
        leaves = []
        for o in outs:
            stack = [o.grad_fn] if o.grad_fn is not None else []
            while stack:
                n = stack.pop()
                for c, _ in n.next_functions:
                    if c is None:
                        continue
                    if hasattr(c, "variable"):
                        leaves.append(c.variable)
                    else:
                        stack.append(c)
        loss = sum((o * (i + 1.5)).sum() for i, o in enumerate(outs)
                   if o.dtype.is_floating_point)
        loss.backward()
        seen = []
        for t in leaves:
            if all(t is not s for s in seen):
                seen.append(t)
        return list(outs) + [t.grad for t in seen]
    e, t = run(f)
    assert len(e) == len(t)
    for a, b in zip(e, t):
        assert_same(a, b)


def test_names_and_requires_grad():
    def f(M, F):
        x = leaf(M, A)
        y = F["Exp"].apply(x)
        v, i = F["SortWithIdx"].apply(x * 1)
        return y.grad_fn.name(), y.requires_grad, i.requires_grad, v.requires_grad
    e, t = run(f)
    assert e == t == ("ExpBackward", True, False, True)


def test_double_backward_through_custom_function():
    def f(M, F):
        x = leaf(M, A)
        y = F["Square"].apply(x).sum()
        (g,) = M.autograd.grad(y, x, create_graph=True)
        (gg,) = M.autograd.grad(g.sum(), x)
        return g, gg
    for a, b in zip(*run(f)):
        assert_same(a, b)


def test_mark_dirty():
    def f(M, F):
        x = leaf(M, A)
        y = x * 2
        z = F["AddOneInPlace"].apply(y)
        (z * z).sum().backward()
        return z, x.grad, z is y, y._version
    e, t = run(f)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert e[2] == t[2] and e[3] == t[3]


def test_mark_dirty_on_leaf_raises():
    for M in (ember, torch):
        F = make_fns(M)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            F["AddOneInPlace"].apply(M.ones(2, requires_grad=True))


def test_wrong_number_of_gradients():
    for M in (ember, torch):
        class Bad(M.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        x, y = M.ones(2, requires_grad=True), M.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            Bad.apply(x, y).sum().backward()


def test_materialize_grads_off():
    for M in (ember, torch):
        seen = []

        class Two(M.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 1, x * 2

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(g2 is None)  # noqa: B023 - used within the iteration
                return g1

        x = M.ones(2, requires_grad=True)
        Two.apply(x)[0].sum().backward()
        assert seen == [True]


def test_once_differentiable():
    for M in (ember, torch):
        class Sq(M.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @M.autograd.function.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = M.tensor([1., 2.], requires_grad=True)
        (g,) = M.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        assert g.tolist() == [2., 4.] and not g.requires_grad
        v = M.ones(2, requires_grad=True)      # an upstream gradient that needs its own grad
        (g,) = M.autograd.grad(Sq.apply(x), x, grad_outputs=v, create_graph=True)
        with pytest.raises(RuntimeError, match="once_differentiable"):
            g.sum().backward()


def test_no_grad_apply_records_nothing():
    F = make_fns(ember)
    with ember.no_grad():
        y = F["Exp"].apply(ember.ones(2, requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad


def test_saved_tensors_hooks_pack_unpack():
    def f(M):
        packed, unpacked = [], []

        def pack(t):
            packed.append(tuple(t.shape))
            return t.detach().clone() * 1

        def unpack(t):
            unpacked.append(tuple(t.shape))
            return t

        x = M.tensor([1., 2., 3.], requires_grad=True)
        with M.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x * x).exp().sum()
        y.backward()
        return packed, unpacked, x.grad
    (pe, ue, ge), (pt, ut, gt) = f(ember), f(torch)
    assert pe == pt and ue == ut
    assert_same(ge, gt)


def test_saved_tensors_hooks_only_inside_context():
    calls = []
    x = ember.ones(3, requires_grad=True)
    with ember.autograd.graph.saved_tensors_hooks(lambda t: calls.append(1) or t, lambda t: t):
        pass
    (x * x).sum().backward()
    assert calls == []


def test_detect_anomaly_names_op_and_user_line():
    x = ember.tensor([0., 1.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            y = x.sqrt()  # the line that creates the NaN gradient
            with pytest.raises(RuntimeError) as ei:
                (y * 0).sum().backward()
    msg = str(ei.value)
    assert "SqrtBackward0" in msg and "nan" in msg
    assert "y = x.sqrt()  # the line that creates the NaN gradient" in msg
    assert "test_function.py" in msg
    assert not ember.autograd.is_anomaly_enabled()


def test_anomaly_off_nan_passes_silently():
    for M in (ember, torch):
        x = M.tensor([0., 1.], requires_grad=True)
        (x.sqrt() * 0).sum().backward()
        assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_and_torch_parity():
    for M in (ember, torch):
        M.autograd.set_detect_anomaly(True)
        try:
            assert M.is_anomaly_enabled() if hasattr(M, "is_anomaly_enabled") else True
            x = M.tensor([0.], requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
                    (x.sqrt() * 0).sum().backward()
        finally:
            M.autograd.set_detect_anomaly(False)


def test_gradcheck_public():
    F = make_fns(ember)
    x = ember.tensor(randn(4).astype(np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(F["Square"].apply, (x,))
    assert ember.autograd.gradgradcheck(F["Square"].apply, (x,))
    bad_x = ember.tensor(randn(3).astype(np.float64), requires_grad=True)

    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(ember.autograd.GradcheckError):
        ember.autograd.gradcheck(Wrong.apply, (bad_x,))
    assert ember.autograd.gradcheck(Wrong.apply, (bad_x,), raise_exception=False) is False
