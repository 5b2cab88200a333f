"""ember.optim optimizers against the torch oracle.

Trajectory parity: from the same initial parameters, 50 steps on a fixed objective whose
gradient is computed by NumPy from each framework's current parameters (so the only
difference between the runs is the optimizer) end on the same parameters and the same
state, float32 within 1e-5 relative. Then the ``state_dict`` layout (keys, integer ids,
value types), round trips (ember -> ember mid-training, and torch's state into ember),
parameter groups, ``zero_grad``, closures, hooks, ``repr`` and error parity.
"""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim

RTOL, ATOL = 1e-5, 1e-6
NAMES = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
         "Adadelta", "Rprop", "ASGD"]

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.3, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, foreach=False, fused=False, capturable=False)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.5)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True,
                   momentum_decay=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.8, 0.9))),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, weight_decay=0.1, maximize=True, alpha=0.95)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=10, lambd=0.01, alpha=0.5, weight_decay=0.1)),
]

_rng = np.random.default_rng(1234)
_X = _rng.standard_normal((8, 4)).astype(np.float32)
_Y = _rng.standard_normal((8, 3)).astype(np.float32)
_W0 = _rng.standard_normal((3, 4)).astype(np.float32)
_B0 = _rng.standard_normal(3).astype(np.float32)
_V0 = _rng.standard_normal((2, 5)).astype(np.float32)


def _grads(W, b, v, sign=1.0):
    """Gradient of mean((tanh(x W^T + b) - y)^2) + 0.01 |W|^2 + sum(cos(v)) (NumPy, float32)."""
    W32, b32 = W.astype(np.float32), b.astype(np.float32)
    h = np.tanh(_X @ W32.T + b32)
    d = 2.0 * (h - _Y) / h.size * (1 - h * h)
    gW = d.T @ _X + 0.02 * W32
    gb = d.sum(0)
    gv = -np.sin(v.astype(np.float32))
    return [(sign * g).astype(W.dtype) for g in (gW, gb, gv)]


def _params(T, dtype=np.float32):
    return [T.tensor(a.astype(dtype), requires_grad=True) for a in (_W0, _B0, _V0)]


def _np(t):
    return t.detach().numpy()


def _set_grads(T, params, sign=1.0):
    for p, g in zip(params, _grads(*(_np(p) for p in params), sign=sign)):
        p.grad = T.tensor(g)


def _train(T, name, kw, steps, dtype=np.float32, params=None, opt=None):
    params = params if params is not None else _params(T, dtype)
    opt = opt if opt is not None else getattr(T.optim, name)(params, **kw)
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(steps):
        _set_grads(T, params, sign)
        opt.step()
    return params, opt


def _assert_values_close(e, t, what, rtol=RTOL, atol=ATOL):
    """An ember state value against torch's: the same kind of object, then the numbers."""
    if isinstance(t, (torch.Tensor, ember.Tensor)):
        assert isinstance(e, ember.Tensor), f"{what}: {type(e).__name__} is not a Tensor"
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1], \
            f"{what}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {e.shape} != {t.shape}"
        tn = _np(t)
        scale = float(np.max(np.abs(tn))) if tn.size else 0.0
        # absolute slack in proportion to the tensor's scale: accumulated state (momentum
        # of centered RMSprop, ...) has entries far smaller than the rest
        np.testing.assert_allclose(_np(e), tn, rtol=rtol, atol=max(atol, rtol * scale),
                                   err_msg=what)
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            _assert_values_close(a, b, f"{what}[{i}]", rtol, atol)
    elif isinstance(t, float):
        assert type(e) is float, f"{what}: {type(e).__name__} is not float"
        assert e == pytest.approx(t, rel=rtol, abs=atol), f"{what}: {e} != {t}"
    else:
        assert type(e) is type(t) and e == t, f"{what}: {e!r} != {t!r}"


def _assert_state_dicts_close(se, st, rtol=RTOL, atol=ATOL):
    assert se["param_groups"] == st["param_groups"]
    assert list(se["state"]) == list(st["state"])
    for pid, ts in st["state"].items():
        es = se["state"][pid]
        assert list(es) == list(ts), f"state[{pid}] keys {list(es)} != {list(ts)}"
        for k in ts:
            _assert_values_close(es[k], ts[k], f"state[{pid}][{k!r}]", rtol, atol)


# ---- trajectories --------------------------------------------------------------------------

@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                   enumerate(CONFIGS)])
def test_trajectory_matches_torch(name, kw):
    pe, oe = _train(ember, name, kw, 50)
    pt, ot = _train(torch, name, kw, 50)
    for i, (a, b) in enumerate(zip(pe, pt)):
        assert a.dtype == ember.float32
        np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL, err_msg=f"param {i}")
    _assert_state_dicts_close(oe.state_dict(), ot.state_dict())


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam", "ASGD"])
def test_trajectory_float64(name):
    kw = dict(lr=0.05, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.05)
    pe, oe = _train(ember, name, kw, 30, dtype=np.float64)
    pt, ot = _train(torch, name, kw, 30, dtype=np.float64)
    for a, b in zip(pe, pt):
        assert a.dtype == ember.float64
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)
    _assert_state_dicts_close(oe.state_dict(), ot.state_dict(), rtol=1e-12, atol=1e-12)


def test_step_counter_dtype_follows_default_dtype():
    for T in (ember, torch):
        T.set_default_dtype(T.float64)
        try:
            p = T.tensor([1.0, 2.0], requires_grad=True)
            opt = T.optim.Adam([p])
            p.grad = T.ones(2)
            opt.step()
            assert str(opt.state[p]["step"].dtype).endswith("float64")
        finally:
            T.set_default_dtype(T.float32)


def test_param_groups_with_different_options():
    def run(T):
        W, b, v = _params(T)
        opt = T.optim.SGD([{"params": [W]}, {"params": [b, v], "lr": 0.3, "momentum": 0.5,
                                             "nesterov": True}], lr=0.1, momentum=0.9)
        _train(T, "SGD", {}, 20, params=[W, b, v], opt=opt)
        # a group added mid-training, with its own options
        extra = T.tensor(_V0[0].copy(), requires_grad=True)
        opt.add_param_group({"params": extra, "lr": 0.05, "weight_decay": 0.1})
        for _ in range(10):
            _set_grads(T, [W, b, v])
            extra.grad = T.tensor(np.cos(_np(extra)))
            opt.step()
        return [W, b, v, extra], opt

    (pe, oe), (pt, ot) = run(ember), run(torch)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)
    assert [g["lr"] for g in oe.param_groups] == [0.1, 0.3, 0.05]
    _assert_state_dicts_close(oe.state_dict(), ot.state_dict())


def test_params_without_grad_are_skipped():
    for name in NAMES:
        a = ember.tensor([1.0, 2.0], requires_grad=True)
        b = ember.tensor([3.0], requires_grad=True)
        opt = getattr(ember.optim, name)([a, b], lr=0.1)
        a.grad = ember.tensor([0.5, -0.5])
        opt.step()
        assert b.tolist() == [3.0], name
        assert b not in opt.state or not opt.state[b] or name == "Adagrad", name
        assert a.tolist() != [1.0, 2.0], name


def test_step_bumps_version_so_saved_graphs_notice():
    for T in (ember, torch):
        p = T.tensor([1.0, 2.0], requires_grad=True)
        opt = T.optim.SGD([p], lr=0.1)
        loss = (p * p).sum()
        p.grad = T.ones(2)
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_tensor_lr_and_betas():
    for name, kw in [("SGD", dict(momentum=0.9)), ("Adam", dict(betas=(0.9, 0.99)))]:
        res = []
        for T in (ember, torch):
            kw2 = dict(kw)
            if "betas" in kw2:
                kw2["betas"] = tuple(T.tensor(b) for b in kw2["betas"])
            res.append(_train(T, name, dict(lr=T.tensor(0.01), **kw2), 10)[0])
        for a, b in zip(*res):
            np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)


# ---- LBFGS ---------------------------------------------------------------------------------

_A = np.diag(np.linspace(1.0, 10.0, 6)).astype(np.float64)
_A[0, 1] = _A[1, 0] = 0.5
_C = np.linspace(-1.0, 2.0, 6)


def _rosenbrock(x):
    x = x.astype(np.float64)
    a, b = x[:-1], x[1:]
    f = (100 * (b - a * a) ** 2 + (1 - a) ** 2).sum()
    g = np.zeros_like(x)
    g[:-1] += -400 * a * (b - a * a) - 2 * (1 - a)
    g[1:] += 200 * (b - a * a)
    return f, g


def _quadratic(x):
    x = x.astype(np.float64)
    return 0.5 * x @ _A @ x - _C @ x + 0.1 * (x ** 4).sum(), _A @ x - _C + 0.4 * x ** 3


def _lbfgs(T, fn, x0, kw, steps):
    x = T.tensor(x0.copy(), requires_grad=True)
    opt = T.optim.LBFGS([x], **kw)
    evals = []

    def closure():
        f, g = fn(_np(x))
        x.grad = T.tensor(g.astype(np.float32))
        evals.append(f)
        return T.tensor(np.float32(f))

    losses = [float(opt.step(closure)) for _ in range(steps)]
    return x, opt, losses, evals


@pytest.mark.parametrize("fn,x0,kw", [
    (_rosenbrock, [-1.5, 2.0, 0.5, -0.7], dict()),
    (_rosenbrock, [-1.5, 2.0, 0.5, -0.7], dict(line_search_fn="strong_wolfe")),
    (_rosenbrock, [-1.5, 2.0, 0.5, -0.7], dict(line_search_fn="strong_wolfe", history_size=2,
                                               max_iter=30)),
    (_quadratic, [1.0, -2.0, 0.5, 3.0, -1.0, 0.0], dict(lr=0.5, history_size=3, max_iter=7)),
    (_quadratic, [1.0, -2.0, 0.5, 3.0, -1.0, 0.0], dict(line_search_fn="strong_wolfe",
                                                        max_eval=8, tolerance_change=1e-5)),
], ids=["rosen-fixed", "rosen-wolfe", "rosen-wolfe-h2", "quad-h3", "quad-wolfe"])
def test_lbfgs_matches_torch(fn, x0, kw):
    x0 = np.array(x0, np.float32)
    xe, oe, le, ee = _lbfgs(ember, fn, x0, kw, 4)
    xt, ot, lt, et = _lbfgs(torch, fn, x0, kw, 4)
    assert len(ee) == len(et)
    np.testing.assert_allclose(le, lt, rtol=1e-4)
    np.testing.assert_allclose(_np(xe), _np(xt), rtol=1e-4, atol=1e-5)
    # the curvature history itself (ro, al) is ill-conditioned: compare the counters
    se, st = oe.state_dict()["state"][0], ot.state_dict()["state"][0]
    assert [se[k] for k in ("func_evals", "n_iter")] == [st[k] for k in ("func_evals", "n_iter")]
    assert len(se["old_dirs"]) == len(st["old_dirs"])


@pytest.mark.parametrize("T", [ember, torch], ids=["ember", "torch"])
def test_lbfgs_with_autograd_closure_and_early_exit(T):
    x = T.tensor([3.0, -1.0], requires_grad=True)
    opt = T.optim.LBFGS([x], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - T.tensor([1.0, 2.0])) ** 2).sum()
        loss.backward()
        return loss

    first = opt.step(closure)
    assert first.item() == 13.0
    np.testing.assert_allclose(_np(x), [1.0, 2.0], atol=1e-5)
    # at the optimum the gradient test stops after one evaluation
    n = opt.state[x]["func_evals"]
    opt.step(closure)
    assert opt.state[x]["func_evals"] == n + 1


def test_lbfgs_errors():
    a = ember.tensor([1.0], requires_grad=True)
    b = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = ember.optim.LBFGS([a], line_search_fn="backtracking")

    def closure():
        a.grad = ember.tensor([1.0])
        return ember.tensor(1.0)

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# ---- state_dict ----------------------------------------------------------------------------

def _layout(sd):
    def kind(v):
        if isinstance(v, (torch.Tensor, ember.Tensor)):
            return ("Tensor", str(v.dtype).split(".")[1], tuple(v.shape))
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [kind(x) for x in v])
        return type(v).__name__
    return ({pid: {k: kind(v) for k, v in s.items()} for pid, s in sd["state"].items()},
            sd["param_groups"])


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_state_dict_layout_matches_torch(name):
    def build(T):
        W, b, v = _params(T)
        groups = [{"params": [W, v]}, {"params": [b], "lr": 0.05}]
        if name == "LBFGS":
            opt = T.optim.LBFGS([W, b, v], history_size=3, max_iter=3)

            def closure():
                _set_grads(T, [W, b, v])
                return T.tensor(1.0)
            for _ in range(2):
                opt.step(closure)
        else:
            opt = getattr(T.optim, name)(groups, lr=0.01)
            _train(T, name, {}, 3, params=[W, b, v], opt=opt)
        return opt.state_dict()

    assert _layout(build(ember)) == _layout(build(torch))


def _clone_params(params):
    return [ember.tensor(_np(p).copy(), requires_grad=True) for p in params]


@pytest.mark.parametrize("name,kw", [c for i, c in enumerate(CONFIGS) if i % 2 == 1]
                         + [("LBFGS", dict(history_size=3, max_iter=4))])
def test_state_dict_round_trip_mid_training(name, kw):
    if name == "LBFGS":
        def run(params, opt, steps):
            def closure():
                _set_grads(ember, params)
                return ember.tensor(1.0)
            for _ in range(steps):
                opt.step(closure)
            return params, opt
    else:
        def run(params, opt, steps):
            return _train(ember, name, kw, steps, params=params, opt=opt)

    make = getattr(ember.optim, name)
    full = _params(ember)
    run(full, make(full, **kw), 20)

    half = _params(ember)
    _, opt = run(half, make(half, **kw), 10)
    saved = copy.deepcopy(opt.state_dict())
    resumed = _clone_params(half)
    opt2 = make(resumed, **kw)
    opt2.load_state_dict(saved)
    run(resumed, opt2, 10)
    for a, b in zip(resumed, full):
        np.testing.assert_array_equal(_np(a), _np(b))


def _to_ember(v):
    if isinstance(v, torch.Tensor):
        return ember.tensor(v.detach().numpy().copy())
    if isinstance(v, dict):
        return {k: _to_ember(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_to_ember(x) for x in v)
    return v


@pytest.mark.parametrize("name,kw", [c for i, c in enumerate(CONFIGS) if i % 2 == 0])
def test_load_torch_state_dict_and_continue(name, kw):
    pt, ot = _train(torch, name, kw, 10)
    pe = [ember.tensor(_np(p).copy(), requires_grad=True) for p in pt]
    oe = getattr(ember.optim, name)(pe, **kw)
    oe.load_state_dict(_to_ember(ot.state_dict()))
    _train(ember, name, kw, 10, params=pe, opt=oe)
    _train(torch, name, kw, 10, params=pt, opt=ot)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)


def test_load_state_dict_casts_state_to_param_dtype_but_not_step():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].double()
    sd["state"][0]["step"] = sd["state"][0]["step"].double()
    opt.load_state_dict(sd)
    assert opt.state[p]["exp_avg"].dtype == ember.float32
    assert opt.state[p]["step"].dtype == ember.float64


def test_load_state_dict_errors():
    a, b = (ember.tensor([1.0], requires_grad=True) for _ in range(2))
    opt = ember.optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(ember.optim.SGD([a], lr=0.1).state_dict())


def test_state_dict_and_load_hooks():
    p = ember.tensor([1.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_state_dict_pre_hook(lambda o: calls.append("first"), prepend=True)
    sd = opt.state_dict()
    assert calls == ["first", "pre"] and sd["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, s: seen.append(sorted(s)))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    sd["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(sd)
    assert seen == [["extra", "param_groups", "state"], "post"]
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [p]


def test_named_parameters():
    for T in (ember, torch):
        a = T.tensor([1.0], requires_grad=True)
        b = T.tensor([2.0], requires_grad=True)
        opt = T.optim.Adam([("a", a), ("b", b)])
        sd = opt.state_dict()
        assert sd["param_groups"][0]["param_names"] == ["a", "b"]
        assert sd["param_groups"][0]["params"] == [0, 1]
        with pytest.raises(ValueError, match="with/without names"):
            opt.add_param_group({"params": [T.tensor([3.0], requires_grad=True)]})


# ---- zero_grad, closure, hooks, repr -------------------------------------------------------

def test_zero_grad():
    for T in (ember, torch):
        p = T.tensor([1.0, 2.0], requires_grad=True)
        q = T.tensor([3.0], requires_grad=True)
        opt = T.optim.SGD([p, q], lr=0.1)
        (p * p).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=False)
        assert p.grad is g and p.grad.tolist() == [0.0, 0.0] and q.grad is None
        assert not p.grad.requires_grad
        opt.zero_grad()
        assert p.grad is None


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_zero_grad_detaches_a_grad_with_history():
    for T in (ember, torch):
        p = T.tensor([1.0, 2.0], requires_grad=True)
        (p * p).sum().backward(create_graph=True)
        assert p.grad.grad_fn is not None
        T.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
        assert p.grad.grad_fn is None and p.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("T", [ember, torch], ids=["ember", "torch"])
@pytest.mark.parametrize("name", NAMES)
def test_closure_runs_with_grad_enabled_and_returns_loss(name, T):
    p = T.tensor([1.0, -2.0], requires_grad=True)
    opt = getattr(T.optim, name)([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    with T.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    assert opt.step() is None
    assert p.tolist() != [1.0, -2.0]


@pytest.mark.parametrize("T", [ember, torch], ids=["ember", "torch"])
def test_step_hooks(T):
    p = T.tensor([1.0], requires_grad=True)
    opt = T.optim.SGD([p], lr=0.1)
    log = []

    def pre(o, args, kwargs):
        log.append(("pre", o is opt, len(args), dict(kwargs)))

    def post(o, args, kwargs):
        log.append(("post", o is opt, p.detach().item()))

    h1 = opt.register_step_pre_hook(pre)
    opt.register_step_post_hook(post)
    p.grad = T.ones(1)
    opt.step()
    assert log == [("pre", True, 1, {}), ("post", True, pytest.approx(0.9))]
    h1.remove()
    log.clear()
    opt.step()
    assert [e[0] for e in log] == ["post"]

    # a pre-hook may replace the arguments: here it injects a closure
    def inject(o, args, kwargs):
        return args, {"closure": lambda: T.tensor(7.0)}

    opt.register_step_pre_hook(inject)
    assert float(opt.step()) == 7.0
    opt.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


@pytest.mark.parametrize("name", NAMES + ["LBFGS", "SparseAdam"])
def test_repr_and_defaults_match_torch(name):
    reps = []
    for T in (ember, torch):
        a, b = T.tensor([1.0], requires_grad=True), T.tensor([2.0], requires_grad=True)
        groups = [{"params": [a]}] if name == "LBFGS" else [{"params": [a]},
                                                             {"params": [b], "lr": 0.5}]
        opt = getattr(T.optim, name)(groups)
        reps.append((repr(opt), opt.defaults))
    assert reps[0] == reps[1]


def test_optimizer_pickles_and_deepcopies():
    import pickle
    params = _params(ember)
    _, opt = _train(ember, "Adam", {}, 3, params=params)
    opt.register_step_pre_hook(lambda *a: None)
    clone = copy.deepcopy(opt)
    assert clone.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert len(clone._optimizer_step_pre_hooks) == 0
    restored = pickle.loads(pickle.dumps(opt))
    _assert_state_dicts_close(restored.state_dict(), opt.state_dict(), rtol=0, atol=0)


def test_custom_optimizer_subclass_gets_hooks():
    class Sign(ember.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for g in self.param_groups:
                for p in g["params"]:
                    p.data.sub_(g["lr"] * p.grad.sign())

    p = ember.tensor([1.0, -1.0], requires_grad=True)
    opt = Sign([p])
    seen = []
    opt.register_step_post_hook(lambda *a: seen.append(1))
    p.grad = ember.tensor([2.0, -3.0])
    opt.step()
    assert seen == [1] and p.tolist() == [pytest.approx(0.9), pytest.approx(-0.9)]
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        class Req(ember.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, dict(lr=ember.optim.optimizer.required))
        Req([p])


# ---- errors --------------------------------------------------------------------------------

BAD = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(lr=0.1, momentum=-1)),
    ("SGD", dict(lr=0.1, weight_decay=-1)), ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, fused=True, foreach=True)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1.0)),
    ("Adam", dict(betas=(0, 0.9))), ("Adam", dict(fused=True, differentiable=True)),
    ("AdamW", dict(lr=-1.0)), ("Adamax", dict(betas=(0.9, 1.5))), ("Adamax", dict(eps=-1)),
    ("NAdam", dict(momentum_decay=-1)), ("NAdam", dict(lr=-1)), ("RAdam", dict(eps=-1)),
    ("RMSprop", dict(alpha=-1)), ("RMSprop", dict(momentum=-1)), ("RMSprop", dict(eps=-1)),
    ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
    ("Adagrad", dict(eps=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(lr=-1)),
    ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))), ("ASGD", dict(lr=-1)),
    ("ASGD", dict(weight_decay=-1)), ("LBFGS", dict(lr=-1)), ("SparseAdam", dict(lr=0.0)),
    ("SparseAdam", dict(eps=0.0)), ("Adam", dict(lr=[0.1])),
]

TENSOR_BAD = [
    ("Adam", lambda T: dict(lr=T.tensor([0.1, 0.2]))),
    ("Adam", lambda T: dict(lr=T.tensor(0.1), foreach=True)),
    ("Adam", lambda T: dict(betas=(T.tensor(0.9), 0.99))),
    ("Adam", lambda T: dict(betas=(T.tensor(0.9), T.tensor(0.99)), foreach=True)),
    ("Adam", lambda T: dict(betas=(T.tensor(0.9), T.tensor([0.99, 0.9])))),
    ("SGD", lambda T: dict(lr=T.tensor([0.1, 0.2]))),
    ("RMSprop", lambda T: dict(lr=T.tensor([0.1, 0.2]))),
]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_invalid_hyperparameters_raise_like_torch(name, kw):
    def make(T):
        return lambda: getattr(T.optim, name)([T.tensor([1.0], requires_grad=True)], **kw)
    e, t = _raised(make(ember)), _raised(make(torch))
    assert t is not None and e == t


@pytest.mark.parametrize("name,kw", TENSOR_BAD, ids=[n for n, _ in TENSOR_BAD])
def test_invalid_tensor_hyperparameters_raise_like_torch(name, kw):
    def make(T):
        return lambda: getattr(T.optim, name)([T.tensor([1.0], requires_grad=True)], **kw(T))
    e, t = _raised(make(ember)), _raised(make(torch))
    assert t is not None and e == t


def test_invalid_params_raise_like_torch():
    cases = [
        lambda T: T.optim.SGD(T.tensor([1.0], requires_grad=True), lr=0.1),
        lambda T: T.optim.SGD([], lr=0.1),
        lambda T: T.optim.SGD([1.0], lr=0.1),
        lambda T: T.optim.SGD([T.tensor([1.0], requires_grad=True) * 2], lr=0.1),
        lambda T: T.optim.SGD([{"params": {T.tensor([1.0], requires_grad=True)}}], lr=0.1),
        lambda T: T.optim.SGD([("a", T.tensor([1.0], requires_grad=True)),
                               T.tensor([1.0], requires_grad=True)], lr=0.1),
        lambda T: T.optim.SGD([T.tensor([1.0], requires_grad=True)], lr=0.1)
        .add_param_group([T.tensor([1.0], requires_grad=True)]),
    ]
    for make in cases:
        e, t = _raised(lambda m=make: m(ember)), _raised(lambda m=make: m(torch))
        assert t is not None and e[0] is t[0], (e, t)
        assert e[1] == t[1].replace("torch.", "ember."), (e, t)


def test_parameter_in_two_groups_and_duplicates():
    for T in (ember, torch):
        p = T.tensor([1.0], requires_grad=True)
        opt = T.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="more than one parameter group"):
            opt.add_param_group({"params": [p]})
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            T.optim.SGD([p, p], lr=0.1)
        assert any("duplicate parameters" in str(x.message) for x in w)


def test_sparse_adam_rejects_dense_gradients():
    for T in (ember, torch):
        p = T.tensor([1.0], requires_grad=True)
        opt = T.optim.SparseAdam([p])
        p.grad = T.ones(1)
        with pytest.raises(RuntimeError, match="does not support dense gradients"):
            opt.step()


def test_fused_and_foreach_flags_take_the_one_path():
    for kw in (dict(fused=True), dict(foreach=True), dict(capturable=True)):
        pe, _ = _train(ember, "Adam", dict(lr=0.01, **kw), 10)
        pt, _ = _train(torch, "Adam", dict(lr=0.01), 10)
        for a, b in zip(pe, pt):
            np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)


# ---- benchmark workloads -------------------------------------------------------------------

def test_benchmark_workloads_run_and_agree():
    import sys
    from pathlib import Path
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.optim_workloads import WORKLOADS

    assert {w.name for w in WORKLOADS} == {"optim_adam_step", "optim_sgd_momentum_step"}
    for wl in WORKLOADS:
        outs = []
        for T in (ember, torch):
            step = wl.build(T, wl.data(np.random.default_rng(0)))
            step()
            outs.append(_np(step()).copy())
        np.testing.assert_allclose(outs[0], outs[1], rtol=RTOL, atol=ATOL)
