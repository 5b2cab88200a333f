"""``ember.autograd.functional`` against ``torch.autograd.functional``: values, dtypes, the
tuple-or-Tensor structure of results, requires_grad, second derivatives through
``create_graph=True``, strict-mode and argument errors."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from ember.autograd import functional as F
from tests.helpers import assert_same, check_raises, randn

NAMES = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# --- harness --------------------------------------------------------------------------------

def tensors(M, arrays, requires_grad=False):
    """A tuple of arrays becomes a tuple of tensors, one array a single tensor."""
    def one(a):
        t = M.from_numpy(a.copy()) if a.ndim else M.tensor(a.item(), dtype=getattr(
            M, str(a.dtype)))
        return t.requires_grad_(requires_grad and a.dtype.kind == "f")
    if isinstance(arrays, tuple):
        return tuple(one(a) for a in arrays)
    return one(arrays)


def leaves(x):
    return list(x) if isinstance(x, tuple) else [x]


def same_structure(e, t, what="result", rtol=1e-5, atol=1e-6, check_rg=True):
    """Same nesting of tuples and Tensors, same values/dtypes/shapes and requires_grad."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e)}"
        assert_same(e, t, rtol, atol, what=what)
        assert not check_rg or e.requires_grad == t.requires_grad, \
            f"{what}: requires_grad {e.requires_grad} != {t.requires_grad}"
    else:
        assert type(t) in (tuple, list), f"{what}: torch gave {type(t)}"
        assert type(e) is type(t), f"{what}: expected a {type(t)}, got {type(e)}"
        assert len(e) == len(t), f"{what}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            same_structure(a, b, f"{what}[{i}]", rtol, atol, check_rg)


def flat(x):
    if isinstance(x, tuple):
        return [y for el in x for y in flat(el)]
    return [x]


def run(name, func, inputs, v=None, requires_grad=False, check_rg=True, **kw):
    """Call ``name`` on ember and torch with the same inputs (NumPy arrays) and compare.

    With ``create_graph=True`` the results are differentiated again (a seeded random
    weighting of every result that requires grad) and the gradients of the inputs and of
    ``v`` compared.
    """
    outs = {}
    for M, mod in ((ember, F), (torch, torch.autograd.functional)):
        ins = tensors(M, inputs, requires_grad)
        args = (functools.partial(func, M), ins)
        vs = None
        if v is not None:
            vs = tensors(M, v, requires_grad)
            args += (vs,)
        res = getattr(mod, name)(*args, **kw)
        outs[M] = (res, ins, vs)
    (re, ie, ve), (rt, it, vt) = outs[ember], outs[torch]
    same_structure(re, rt, name, check_rg=check_rg)
    if kw.get("create_graph") and requires_grad:
        rng = np.random.default_rng(3)
        le, lt = 0, 0
        for e, t in zip(flat(re), flat(rt)):
            if t.requires_grad:
                w = rng.standard_normal(tuple(t.shape)).astype(to_np_dtype(t))
                le = le + (e * ember.from_numpy(w.copy())).sum()
                lt = lt + (t * torch.from_numpy(w.copy())).sum()
        if isinstance(lt, torch.Tensor):
            lt.backward()
            le.backward()
            src_e = leaves(ie) + (leaves(ve) if ve is not None else [])
            src_t = leaves(it) + (leaves(vt) if vt is not None else [])
            for i, (e, t) in enumerate(zip(src_e, src_t)):
                if t.grad is None:
                    assert e.grad is None or not np.any(e.grad.numpy()), f"grad {i}"
                else:
                    assert e.grad is not None, f"grad of input {i} is None, torch has one"
                    assert_same(e.grad, t.grad, 1e-4, 1e-5, what=f"grad of input {i}")
    return re, rt


def to_np_dtype(t):
    return t.detach().numpy().dtype


# --- functions (each takes the framework module first) ----------------------------------

def f_exp_sin_sum(M, x):                      # scalar out
    return (x.exp() * x.sin()).sum()


def f_cube(M, x):                             # vector out, elementwise
    return x.pow(3) * 2 - x


def f_matmul_sin(M, x):                       # (2, 3) -> (2, 4)
    w = M.from_numpy(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4).copy())
    return M.matmul(x, w.to(x.dtype)).sin()


def f_two_in(M, x, y):                        # two inputs, one vector output
    return x.exp() * y.sum() + M.mul(x, y[0])


def f_two_out(M, x, y):                       # two inputs, two outputs
    return x * y[1], (x.sum() + y).cos()


def f_seed(M, x):                             # the seed's Jacobian example
    return M.stack([x[0] ** 2 + 3 * x[1], x[1] ** 2 + 2 * x[0]])


def f_scalar_two(M, x, y):                    # scalar of two inputs, mixed second derivatives
    return (x.pow(2) * y[:3]).sum() + (y.exp() * x.sum()).sum()


def f_ignores_y(M, x, y):                     # independent of input 1
    return x.exp()


def f_const(M, x):                            # no graph at all
    return M.ones(2)


def f_linear(M, x):                           # zero second derivatives
    return (3 * x).sum()


def f_zero_d(M, x):
    return x * x * 3 + x.exp()


def f_tuple_of_one(M, x):
    return (x.sin(),)


X3 = randn(3, seed=10)
Y2 = randn(2, seed=11)
Y5 = randn(5, seed=12)
X23 = randn(2, 3, seed=13)
S = np.array(0.7, np.float32)

# (name, func, inputs, v)
VJP_CASES = [
    ("scalar", f_exp_sin_sum, X3, None),
    ("scalar_v", f_exp_sin_sum, X3, np.array(2.5, np.float32)),
    ("vector", f_cube, X3, randn(3, seed=1)),
    ("matrix", f_matmul_sin, X23, randn(2, 4, seed=2)),
    ("two_in", f_two_in, (X3, Y2), randn(3, seed=3)),
    ("two_out", f_two_out, (X3, Y2), (randn(3, seed=4), randn(2, seed=5))),
    ("seed", f_seed, np.array([2., 3.], np.float32), randn(2, seed=6)),
    ("independent", f_ignores_y, (X3, Y2), randn(3, seed=7)),
    ("const", f_const, X3, randn(2, seed=8)),
    ("zero_d", f_zero_d, S, None),
    ("tuple_of_one", f_tuple_of_one, (X3,), (randn(3, seed=9),)),
]

JVP_CASES = [
    ("scalar", f_exp_sin_sum, X3, randn(3, seed=1)),
    ("vector", f_cube, X3, randn(3, seed=2)),
    ("matrix", f_matmul_sin, X23, randn(2, 3, seed=3)),
    ("two_in", f_two_in, (X3, Y2), (randn(3, seed=4), randn(2, seed=5))),
    ("two_out", f_two_out, (X3, Y2), (randn(3, seed=6), randn(2, seed=7))),
    ("seed", f_seed, np.array([2., 3.], np.float32), np.array([1., 0.], np.float32)),
    ("independent", f_ignores_y, (X3, Y2), (randn(3, seed=8), randn(2, seed=9))),
    ("const", f_const, X3, randn(3, seed=10)),
    ("zero_d", f_zero_d, S, None),
    ("tuple_of_one", f_tuple_of_one, (X3,), (randn(3, seed=11),)),
]

JAC_CASES = [
    ("scalar", f_exp_sin_sum, X3),
    ("vector", f_cube, X3),
    ("matrix", f_matmul_sin, X23),
    ("two_in", f_two_in, (X3, Y2)),
    ("two_out", f_two_out, (X3, Y2)),
    ("seed", f_seed, np.array([2., 3.], np.float32)),
    ("independent", f_ignores_y, (X3, Y2)),
    ("const", f_const, X3),
    ("zero_d", f_zero_d, S),
    ("tuple_of_one", f_tuple_of_one, (X3,)),
]

HESS_CASES = [
    ("scalar", f_exp_sin_sum, X3, randn(3, seed=1)),
    ("two_in", f_scalar_two, (X3, Y5), (randn(3, seed=2), randn(5, seed=3))),
    ("matrix", lambda M, x: f_matmul_sin(M, x).sum(), X23, randn(2, 3, seed=4)),
    ("linear", f_linear, X3, randn(3, seed=5)),
    ("zero_d", f_zero_d, S, None),
    ("partly_independent", lambda M, x, y: (x ** 3).sum(), (X3, Y2),
     (randn(3, seed=6), randn(2, seed=7))),
    ("tuple_of_one", lambda M, x: (x ** 3).sum(), (X3,), (randn(3, seed=8),)),
]


def ids(cases):
    return [c[0] for c in cases]


# --- parity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", VJP_CASES, ids=ids(VJP_CASES))
def test_vjp(case, create_graph):
    _, func, inputs, v = case
    run("vjp", func, inputs, v, requires_grad=create_graph, create_graph=create_graph)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", JVP_CASES, ids=ids(JVP_CASES))
def test_jvp(case, create_graph):
    _, func, inputs, v = case
    run("jvp", func, inputs, v, requires_grad=create_graph, create_graph=create_graph)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", JAC_CASES, ids=ids(JAC_CASES))
def test_jacobian(case, create_graph):
    _, func, inputs = case
    run("jacobian", func, inputs, requires_grad=create_graph, create_graph=create_graph)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", HESS_CASES, ids=ids(HESS_CASES))
def test_hessian(case, create_graph):
    _, func, inputs, _ = case
    run("hessian", func, inputs, requires_grad=create_graph, create_graph=create_graph)


@pytest.mark.parametrize("name", ["vhp", "hvp"])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", HESS_CASES, ids=ids(HESS_CASES))
def test_vhp_hvp(case, create_graph, name):
    _, func, inputs, v = case
    run(name, func, inputs, v, requires_grad=create_graph, create_graph=create_graph)


@pytest.mark.parametrize("case", JAC_CASES, ids=ids(JAC_CASES))
def test_jacobian_vectorize_and_forward_mode(case):
    _, func, inputs = case
    run("jacobian", func, inputs, vectorize=True)
    run("jacobian", func, inputs, vectorize=True, strategy="forward-mode")
    # with inputs that require grad (PyTorch's forward-mode results then carry graphs that
    # depend on how vmap batched them: compare the numbers only)
    run("jacobian", func, inputs, requires_grad=True, check_rg=False, vectorize=True,
        strategy="forward-mode")


@pytest.mark.parametrize("case", HESS_CASES[:3], ids=ids(HESS_CASES[:3]))
def test_hessian_vectorize(case):
    _, func, inputs, _ = case
    run("hessian", func, inputs, vectorize=True)


def test_seed_jacobian_example():
    def f(x):
        return ember.stack([x[0] ** 2 + 3 * x[1], x[1] ** 2 + 2 * x[0]])
    j = F.jacobian(f, ember.tensor([2., 3.]))
    np.testing.assert_array_equal(j.numpy(), [[4., 3.], [2., 6.]])
    # the same with two scalar inputs and a tuple of outputs
    j = F.jacobian(lambda x1, x2: (x1 ** 2 + 3 * x2, x2 ** 2 + 2 * x1),
                   (ember.tensor(2.), ember.tensor(3.)))
    assert [[float(a) for a in row] for row in j] == [[4., 3.], [2., 6.]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes(dtype):
    x, y = X3.astype(dtype), Y5.astype(dtype)
    run("jacobian", f_two_out, (x, Y2.astype(dtype)))
    run("hessian", f_scalar_two, (x, y))
    run("hvp", f_scalar_two, (x, y), (x * 2, y + 1))
    run("jvp", f_cube, x, x + 1)


def test_mixed_dtypes_jacobian_takes_input_dtype():
    run("jacobian", lambda M, x, y: x.double() * y, (X3, X3.astype(np.float64)))


def test_results_do_not_modify_inputs_or_leak_grads():
    x = ember.from_numpy(X3.copy()).requires_grad_(True)
    F.jacobian(lambda t: t.exp(), x)
    F.hessian(lambda t: t.exp().sum(), x)
    assert x.grad is None and x.requires_grad and x.grad_fn is None


def test_captured_input_is_a_constant():
    """``func`` that closes over the very tensor passed in: only the argument counts."""
    a = randn(3, seed=21)
    for M, mod in ((ember, F), (torch, torch.autograd.functional)):
        x = M.from_numpy(a.copy())
        j = mod.jacobian(lambda t, c=x: t * c, x)
        if M is ember:
            je = j
        else:
            assert_same(je, j)


def test_under_no_grad():
    for cg in (False, True):
        res = {}
        for M, mod in ((ember, F), (torch, torch.autograd.functional)):
            x = tensors(M, X3, True)
            with M.no_grad():
                res[M] = (mod.vjp(functools.partial(f_cube, M), x, tensors(M, X3),
                                  create_graph=cg),
                          mod.jvp(functools.partial(f_cube, M), x, tensors(M, X3),
                                  create_graph=cg),
                          mod.hvp(functools.partial(f_exp_sin_sum, M), x, tensors(M, X3),
                                  create_graph=cg))
        same_structure(res[ember], res[torch])


def test_identity_and_leaf_outputs():
    run("jvp", lambda M, x: x, X3, randn(3, seed=30))
    run("vjp", lambda M, x, y: (y, x), (X3, Y2), (Y2, X3))
    run("jacobian", lambda M, x: x, X3)
    run("jacobian", lambda M, x: x, X3, requires_grad=True, create_graph=True)


def test_third_derivative_through_hessian():
    """Differentiate ``hessian(create_graph=True)`` of x**4: the third derivative 24 x."""
    for M, mod in ((ember, F), (torch, torch.autograd.functional)):
        x = M.tensor([1.5, -2.0], requires_grad=True)
        h = mod.hessian(lambda t: (t ** 4).sum(), x, create_graph=True)
        h.sum().backward()
        if M is ember:
            ge = x.grad
        else:
            assert_same(ge, x.grad)
    np.testing.assert_allclose(ge.numpy(), [36., -48.], rtol=1e-6)


def test_gradcheck_of_vjp_and_jvp():
    """Finite differences of the products as functions of the point and of v."""
    x = ember.from_numpy(randn(3, seed=40, dtype=np.float64)).requires_grad_(True)
    v = ember.from_numpy(randn(3, seed=41, dtype=np.float64)).requires_grad_(True)
    f = lambda t: (t.exp() * t.sin()).cumsum(0)  # noqa: E731
    assert ember.autograd.gradcheck(lambda a, b: F.vjp(f, a, b, create_graph=True)[1], (x, v))
    assert ember.autograd.gradcheck(lambda a, b: F.jvp(f, a, b, create_graph=True)[1], (x, v))
    g = lambda t: (t.exp() * t.sin()).sum()  # noqa: E731
    assert ember.autograd.gradcheck(lambda a, b: F.hvp(g, a, b, create_graph=True)[1], (x, v))
    assert ember.autograd.gradcheck(lambda a: F.jacobian(f, a, create_graph=True), (x,))


@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3),
       n_out=st.integers(1, 2))
def test_jacobian_shapes_fuzz(shape, n_out):
    a = randn(*shape, seed=len(shape) * 7 + sum(shape))

    def func(M, x):
        outs = (x.exp() * 2, x.sum() * x.sin().sum())
        return outs[:n_out] if n_out > 1 else outs[0]
    run("jacobian", func, a)
    run("vjp", func, a, tuple(randn(*s, seed=1) for s in (shape, ()))[:n_out]
        if n_out > 1 else randn(*shape, seed=2))
    run("jvp", func, a, randn(*shape, seed=3))


# --- strict mode ------------------------------------------------------------------------------

def _raise(name, func, inputs, v=None, match=None, requires_grad=False, **kw):
    def call(M, *_):
        mod = F if M is ember else torch.autograd.functional
        args = (functools.partial(func, M), tensors(M, inputs, requires_grad))
        if v is not None:
            args += (tensors(M, v),)
        return getattr(mod, name)(*args, **dict(kw))
    return check_raises(call, match=match)


@pytest.mark.parametrize("name,func,inputs,v,match", [
    ("vjp", f_ignores_y, (X3, Y2), X3, "independent of input 1"),
    ("vjp", f_const, X3, Y2, "Output 0 of the user-provided function does not require"),
    ("jvp", f_ignores_y, (X3, Y2), (X3, Y2), "independent of input 1"),
    ("jvp", f_const, X3, X3, "Output 0 of the user-provided function does not require"),
    ("jacobian", f_ignores_y, (X3, Y2), None,
     "Output 0 of the user-provided function is independent of input 1. This is not "
     "allowed in strict mode."),
    ("jacobian", f_const, X3, None, "does not require gradients"),
    ("hessian", f_linear, X3, None, "jacobian of the user-provided function"),
    ("hessian", lambda M, x, y: (x ** 3).sum(), (X3, Y2), None, "respect to input 1"),
    ("vhp", f_linear, X3, X3, "jacobian of the user-provided function"),
    ("hvp", f_linear, X3, X3, "jacobian of the user-provided function"),
    ("vhp", lambda M, x, y: (x ** 3).sum(), (X3, Y2), (X3, Y2), "independent of input 1"),
    ("hvp", lambda M, x, y: (x ** 3).sum(), (X3, Y2), (X3, Y2), "independent of input 1"),
])
def test_strict_errors(name, func, inputs, v, match):
    e, t = _raise(name, func, inputs, v, match=match, strict=True)
    assert str(e) == str(t)     # the messages name no shapes: word for word PyTorch's
    # not strict: zeros, the mathematical value
    run(name, func, inputs, v)


@pytest.mark.parametrize("name,func,v", [
    ("vjp", lambda M, x: 3 * x, X3),
    ("jvp", lambda M, x: 3 * x, X3),
    ("jacobian", lambda M, x: 3 * x, None),
    ("vhp", lambda M, x: (x * x).sum(), X3),
    ("hvp", lambda M, x: (x * x).sum(), X3),
])
def test_strict_create_graph_constant_derivative(name, func, v):
    """A derivative that does not depend on the inputs has no graph: strict mode with
    create_graph=True refuses it."""
    _raise(name, func, X3, v, match="when create_graph=True", requires_grad=True, strict=True,
           create_graph=True)
    run(name, func, X3, v, requires_grad=True, create_graph=True)


def test_strict_ok_when_dependent():
    run("jacobian", f_cube, X3, strict=True)
    run("vjp", f_two_out, (X3, Y2), (X3, Y2), strict=True)
    run("jvp", f_two_out, (X3, Y2), (X3, Y2), strict=True)
    run("hessian", f_scalar_two, (X3, Y5), strict=True)
    run("hvp", f_scalar_two, (X3, Y5), (X3, Y5), strict=True)
    run("vhp", f_scalar_two, (X3, Y5), (X3, Y5), strict=True)
    run("jacobian", f_cube, X3, requires_grad=True, strict=True, create_graph=True)


# --- argument errors --------------------------------------------------------------------------

@pytest.mark.parametrize("name,func,inputs,v,match", [
    ("vjp", f_cube, X3, Y2, r"v has invalid size: should be ember.Size\(\[3\]\) but got "
                            r"ember.Size\(\[2\]\)"),
    ("vjp", f_two_out, (X3, Y2), (X3, X3), r"Entry 1 in v has invalid size"),
    ("vjp", f_two_out, (X3, Y2), (X3,), "v is a tuple of invalid length: should be 2 but got 1"),
    ("vjp", f_cube, X3, (X3, X3), "The given v should contain a single Tensor"),
    ("jvp", f_cube, X3, Y2, "v has invalid size"),
    ("jvp", f_two_in, (X3, Y2), (X3, X3), "Entry 1 in v has invalid size"),
    ("hvp", f_exp_sin_sum, X3, Y2, "v has invalid size"),
    ("vhp", f_exp_sin_sum, X3, Y2, "v has invalid size"),
    ("vjp", f_cube, X3, None, "v can only be None if"),
    ("jvp", f_cube, X3, None, "v can only be None if"),
    ("hvp", f_exp_sin_sum, X3, None, "v can only be None if"),
    ("vhp", f_exp_sin_sum, X3, None, "v can only be None if"),
    ("hessian", f_cube, X3, None, "should contain a single element"),
    ("hessian", lambda M, x: (x.sum(), x.sum()), X3, None, "should return a single Tensor"),
    ("hvp", lambda M, x: (x.sum(),), X3, X3, "should return a single Tensor"),
    ("vhp", f_cube, X3, X3, "should contain a single element"),
    ("jacobian", lambda M, x: x[:0] * 2, X3, None, "non-empty"),
])
def test_bad_arguments(name, func, inputs, v, match):
    _raise(name, func, inputs, v, match=match)


@pytest.mark.parametrize("name", NAMES)
def test_non_tensor_arguments(name):
    v = X3 if name in ("vjp", "jvp", "hvp", "vhp") else None
    _raise(name, lambda M, x: 3.0, X3, v, match="outputs of the user-provided function given "
                                               f"to {name} must be either a Tensor")
    _raise(name, lambda M, x: [x.sum()], X3, v, match="has type <class 'list'>")
    _raise(name, lambda M, x: (x.sum(), 2), X3, v, match="value at index 1")

    def call(M, *_):
        mod = F if M is ember else torch.autograd.functional
        x = M.ones(3)
        args = (lambda t: t.sum(), [x]) + ((x,) if v is not None else ())
        return getattr(mod, name)(*args)
    check_raises(call, match=f"The inputs given to {name} must be either a Tensor or a tuple "
                             "of Tensors but the given inputs has type <class 'list'>")


def test_bad_v_type():
    _raise("vjp", f_cube, X3, None)            # v None on a vector output
    for M_v in ([1.0, 2.0, 3.0], 3.0):
        def call(M, *_, vv=M_v):
            mod = F if M is ember else torch.autograd.functional
            return mod.vjp(lambda t: t * 2, M.ones(3), vv)
        check_raises(call, match="The v given to vjp must be either a Tensor")


def test_integer_inputs_refused():
    _raise("jacobian", lambda M, x: x * 2, np.arange(3))


def test_strategy_errors():
    def jac(**kw):
        def call(M, *_):
            mod = F if M is ember else torch.autograd.functional
            return mod.jacobian(lambda t: t * 2, M.ones(2), **kw)
        return call
    check_raises(jac(strategy="bogus"), match='Expected strategy to be either "forward-mode"')
    check_raises(jac(strategy="forward-mode", create_graph=True), match="create_graph=True")
    check_raises(jac(strategy="forward-mode", strict=True), match="strict=True")
    check_raises(jac(strategy="forward-mode"), match="only implemented for `vectorize=True`")
    check_raises(jac(strict=True, vectorize=True), match="not supported together")

    def hess(**kw):
        def call(M, *_):
            mod = F if M is ember else torch.autograd.functional
            return mod.hessian(lambda t: (t ** 3).sum(), M.ones(2), **kw)
        return call
    check_raises(hess(outer_jacobian_strategy="bogus"), match="Expected strategy")
    check_raises(hess(outer_jacobian_strategy="forward-mode"), match="vectorize=True")
    run("hessian", lambda M, x: (x ** 3).sum(), X3, vectorize=True,
        outer_jacobian_strategy="reverse-mode")
    e = F.hessian(lambda t: (t ** 3).sum(), ember.tensor([1., 2.]), vectorize=True,
                  outer_jacobian_strategy="forward-mode")
    np.testing.assert_allclose(e.detach().numpy(), [[6., 0.], [0., 12.]])


def test_vectorized_empty_outputs():
    run("jacobian", lambda M, x: (x[:0] * 2, x.exp()), X3, vectorize=True)
    # all outputs empty: PyTorch's batched gradient fails indexing its first row
    _raise("jacobian", lambda M, x: x[:0] * 2, X3, vectorize=True)
    run("jacobian", lambda M, x: x[:0].detach(), X3, vectorize=True)
