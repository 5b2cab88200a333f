"""The autograd engine and grad modes, against the torch oracle where it has one."""
import gc
import weakref

import pytest
import torch

import ember
from tests.helpers import assert_same, randn


def both(fn):
    """Run ``fn(M)`` for ember and torch; return both results."""
    return fn(ember), fn(torch)


def leaf(M, a):
    return M.from_numpy(a.copy()).requires_grad_(True)


def test_scalar_backward_accumulates():
    a = randn(3)

    def f(M):
        x = leaf(M, a)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    e, t = both(f)
    assert_same(e, t)


def test_diamond_graph_sums_paths():
    a = randn(4)

    def f(M):
        x = leaf(M, a)
        y = x * 2
        z = y * y + y * x - y
        z.sum().backward()
        return x.grad
    assert_same(*both(f))


def test_nonscalar_backward_needs_gradient():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    v = ember.tensor([1., 0.5, 2.])
    (x * 2).backward(v)
    assert_same(x.grad, torch.tensor([2., 1., 4.]))


def test_gradient_shape_mismatch():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(4))


def test_seed_jacobian_example():
    """Seed 004 §2.5.4: y1 = x1^2 + 3 x2, y2 = x2^2 + 2 x1 at x = (2, 3), one backward per
    row with retain_graph; the Jacobian comes out as [[4, 3], [2, 6]]."""
    x = ember.tensor([[2., 3.]], requires_grad=True)
    J = ember.zeros(2, 2)
    y = ember.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    y.backward(ember.tensor([[1., 0.]]), retain_graph=True)
    J[0] = x.grad
    x.grad = None
    y.backward(ember.tensor([[0., 1.]]))
    J[1] = x.grad
    assert J.tolist() == [[4., 3.], [2., 6.]]


def test_retain_graph_and_freed_graph_error():
    for M in (ember, torch):
        x = M.ones(3, requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()
        assert x.grad.sum().item() == 12.0


def test_graph_without_saved_tensors_can_run_twice():
    for M in (ember, torch):
        x = M.ones(3, requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        assert x.grad.sum().item() == 6.0


def test_nonleaf_grad_not_kept_and_retain_grad():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    z = y * 3
    y.retain_grad()
    z.sum().backward()
    assert z.grad is None
    assert_same(y.grad, torch.full((2,), 3.))
    assert not z.is_leaf and x.is_leaf and y.retains_grad


def test_requires_grad_propagation_and_leafness():
    x = ember.ones(2)
    w = ember.ones(2, requires_grad=True)
    y = x * w
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    assert x.grad_fn is None and x.is_leaf and not x.requires_grad
    z = x * 2
    assert not z.requires_grad and z.is_leaf


def test_requires_grad_only_float():
    for M in (ember, torch):
        with pytest.raises(RuntimeError, match="floating point"):
            M.ones(2, dtype=M.int64).requires_grad_()
    with pytest.raises(RuntimeError):
        (ember.ones(2, requires_grad=True) * 2).requires_grad_(False)


def test_no_grad_enable_grad_set_grad_enabled():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()

    @ember.no_grad()
    def f():
        return x * 2

    @ember.no_grad
    def g():
        return x * 2
    assert not f().requires_grad and not g().requires_grad
    assert ember.is_grad_enabled()
    with ember.inference_mode():
        assert not (x * 2).requires_grad


def test_detach_shares_memory_and_version():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.fill_(5.0)
    assert y.numpy(force=True)[0] == 5.0
    assert y._version == d._version == 1


def test_autograd_grad_basic_and_unused():
    a, b = randn(3), randn(3)

    def f(M):
        x, w = leaf(M, a), leaf(M, b)
        u = leaf(M, a)
        y = (x * w).sum()
        gx, gw = M.autograd.grad(y, (x, w), retain_graph=True)
        with pytest.raises(RuntimeError, match="not have been used"):
            M.autograd.grad(y, (x, u), retain_graph=True)
        gx2, gu = M.autograd.grad(y, (x, u), allow_unused=True)
        assert gu is None and x.grad is None
        return gx, gw, gx2
    e, t = both(f)
    for ee, tt in zip(e, t):
        assert_same(ee, tt)


def test_autograd_grad_materialize():
    x = ember.ones(2, requires_grad=True)
    u = ember.ones(3, requires_grad=True)
    g = ember.autograd.grad((x * 2).sum(), (x, u), materialize_grads=True)
    assert g[1].shape == (3,) and float(g[1].sum()) == 0


def test_grad_of_nonleaf_input():
    a = randn(3)

    def f(M):
        x = leaf(M, a)
        h = x * 3
        y = (h * h).sum()
        return M.autograd.grad(y, h)[0]
    assert_same(*both(f))


def test_higher_order_create_graph():
    def f(M):
        x = M.tensor([0.5, 1.5], requires_grad=True)
        y = (x * x * x).sum()
        (g,) = M.autograd.grad(y, x, create_graph=True)
        (gg,) = M.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = M.autograd.grad(gg.sum(), x)
        return g, gg, ggg
    for e, t in zip(*both(f)):
        assert_same(e, t)


def test_backward_create_graph_grad_has_graph():
    x = ember.tensor([2.0], requires_grad=True)
    (x * x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    assert_same(x.grad, torch.tensor([12.0]))


def test_backward_inputs_restricts_accumulation():
    x = ember.ones(2, requires_grad=True)
    w = ember.ones(2, requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert x.grad is not None and w.grad is None


def test_broadcast_gradient_reduced_by_engine():
    a, b = randn(4, 3), randn(3)

    def f(M):
        x, y = leaf(M, a), leaf(M, b)
        (x * y + y).sum().backward()
        return x.grad, y.grad
    for e, t in zip(*both(f)):
        assert_same(e, t)


def test_grad_dtype_matches_leaf():
    x = ember.ones(2, dtype=ember.float64, requires_grad=True)
    y = ember.ones(2, requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.dtype is ember.float64 and y.grad.dtype is ember.float32


def test_leaf_grads_do_not_alias():
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    (x + y).sum().backward()
    x.grad.mul_(5)
    assert float(y.grad.sum()) == 3.0
    v = ember.ones(3)
    z = ember.zeros(3, requires_grad=True)
    z.backward(v)
    z.grad.add_(1)
    assert float(v.sum()) == 3.0


def test_deep_graph_no_recursion():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.sum().backward()
    assert float(x.grad.sum()) == 1.0


def test_graph_freed_after_backward():
    x = ember.ones(1000, requires_grad=True)
    y = x.exp()
    ref = weakref.ref(y.grad_fn)
    z = y.sum()
    z.backward()
    del y, z
    gc.collect()
    assert ref() is None


def test_tensor_hooks_leaf_and_nonleaf():
    seen = []
    x = ember.ones(2, requires_grad=True)
    x.register_hook(lambda g: seen.append(("x", g.numpy().tolist())))
    y = x * 2
    h = y.register_hook(lambda g: g * 10)
    (y * 3).sum().backward(retain_graph=True)
    assert seen == [("x", [60.0, 60.0])]
    h.remove()
    x.grad = None
    (y * 3).sum().backward()
    assert x.grad.numpy().tolist() == [6.0, 6.0]


def test_node_hooks_and_next_functions():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).exp()
    assert y.grad_fn.name() == "ExpBackward0"
    nxt = y.grad_fn.next_functions
    assert nxt[0][0].name() == "MulBackward0"
    assert nxt[0][0].next_functions[0][0].name() == "AccumulateGrad"
    assert nxt[0][0].next_functions[0][0].variable is x
    assert nxt[0][0].next_functions[1] == (None, 0)


def test_inplace_modified_saved_tensor_raises():
    for M in (ember, torch):
        x = M.ones(3, requires_grad=True)
        y = x * 2
        z = y.exp()
        z.mul_(2) if M is torch else z.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_inplace_on_saved_input_raises_with_versions():
    x = ember.ones(3, requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        z.sum().backward()


def test_inplace_in_graph_rebases_history():
    a = randn(3)

    def f(M):
        x = leaf(M, a)
        y = x * 2
        y.mul_(x)
        y.add_(x)
        y.exp_()
        y.sum().backward()
        return y, x.grad
    for e, t in zip(*both(f)):
        assert_same(e, t)
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"


def test_inplace_on_leaf_requiring_grad_raises():
    for M in (ember, torch):
        x = M.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)
        with M.no_grad():
            x.add_(1)
        assert x._version == 1


def test_inplace_dtype_cast_error():
    for M in (ember, torch):
        x = M.ones(3, dtype=M.int64)
        with pytest.raises(RuntimeError, match="can't be cast"):
            x.add_(1.5)
        x.add_(2)
        assert x.dtype == M.int64


def test_inplace_broadcast_error():
    for M in (ember, torch):
        x = M.ones(3)
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            x.add_(M.ones(2, 3))


def test_custom_grad_assignment_checks():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = ember.ones(4)
    with pytest.raises(RuntimeError, match="different type"):
        x.grad = ember.ones(3, dtype=ember.float64)
    x.grad = ember.ones(3)
    del x.grad
    assert x.grad is None


def test_backward_on_tensor_without_grad():
    for M in (ember, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            M.ones(1).sum().backward()


def test_inplace_on_views_updates_base_history():
    a, b = randn(2, 3), randn(3, 1)

    def f(M):
        x, w = leaf(M, a), leaf(M, b)
        y = x * 1
        v = y.view(3, 2)
        v.add_(1)
        v2 = v.t()
        v2.mul_(w.squeeze(1).unsqueeze(0).expand(2, 3).t().t())
        y.transpose(0, 1).mul_(w)
        (y * y).sum().backward()
        return y, x.grad, w.grad
    for e, t in zip(*both(f)):
        assert_same(e, t)


def test_inplace_on_view_of_leaf_raises():
    for M in (ember, torch):
        x = M.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="view of a leaf Variable"):
            x.transpose(0, 1).mul_(2)
