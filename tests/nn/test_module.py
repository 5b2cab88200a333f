"""Module system semantics against torch.nn: registration, iteration order, state_dict,
load_state_dict reports, repr, hooks, conversion."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import assert_same, randn

def _classes(M):
    nn = M.nn

    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.fc = nn.Linear(n, 4)
            self.register_buffer("steps", M.zeros(2))
            self.register_buffer("tmp", M.ones(1), persistent=False)
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(M.ones(1))
            self.blocks = nn.ModuleList([Block(3), Block(4)])
            self.head = nn.Sequential(OrderedDict([("lin", nn.Linear(4, 2, bias=False)),
                                                   ("bn", nn.BatchNorm1d(2))]))
            self.shared = self.head.lin
            self.empty = None
            self.register_parameter("nothing", None)

        def forward(self, x):
            for b in self.blocks:
                x = b(x)
            return self.head(x) * self.scale

    return Block, Net


EBlock, ENet = _classes(ember)
TBlock, TNet = _classes(torch)
EBlock.__qualname__ = "EBlock"
ENet.__qualname__ = "ENet"


def _net(M):
    return ENet() if M is ember else TNet()


def _to_ember_sd(sd):
    return OrderedDict((k, ember.from_numpy(v.detach().numpy().copy())) for k, v in sd.items())


def test_names_and_order():
    e, t = _net(ember), _net(torch)
    for meth in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [n for n, _ in getattr(e, meth)()] == [n for n, _ in getattr(t, meth)()], meth
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(prefix="p", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="p", recurse=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert list(e.state_dict()) == list(t.state_dict())
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.children())) == len(list(t.children()))
    assert len(list(e.modules())) == len(list(t.modules()))


def test_repr_matches_torch():
    e, t = _net(ember), _net(torch)
    assert repr(e).replace("ENet", "Net") == repr(t)
    e2 = ember.nn.ModuleList([ember.nn.Linear(2, 2) for _ in range(3)] + [ember.nn.ReLU()])
    t2 = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(e2) == repr(t2)
    assert repr(ember.nn.Sequential()) == repr(torch.nn.Sequential())
    pe = ember.nn.ParameterList([ember.nn.Parameter(ember.ones(2, 3))])
    pt = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3))])
    assert repr(pe).replace("ember.", "torch.") == repr(pt)
    de = ember.nn.ParameterDict({"a": ember.nn.Parameter(ember.ones(2))})
    dt = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(2))})
    assert repr(de).replace("ember.", "torch.") == repr(dt)
    assert repr(ember.nn.Parameter(ember.tensor([1.0, 2.0]))) == \
        repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))


def test_load_state_dict_roundtrip_and_forward():
    e, t = _net(ember), _net(torch)
    r = e.load_state_dict(_to_ember_sd(t.state_dict()))
    assert repr(r) == "<All keys matched successfully>"
    x = randn(5, 3)
    out_e = e(ember.from_numpy(x))
    out_t = t(torch.from_numpy(x))
    assert_same(out_e, out_t, rtol=1e-4, atol=1e-5)   # batch statistics of 5 samples
    # gradients in eval mode: in training, BatchNorm removes every shift that is the same for
    # the whole batch, so the first biases' exact gradients are 0 and only rounding noise
    # would be compared
    e.eval()
    t.eval()
    g = randn(5, 2)
    (e(ember.from_numpy(x)) * ember.from_numpy(g)).sum().backward()
    (t(torch.from_numpy(x)) * torch.from_numpy(g)).sum().backward()
    ge = dict(e.named_parameters())
    for n, p in t.named_parameters():
        assert_same(ge[n].grad, p.grad, rtol=1e-4, atol=1e-5, what=n)


def test_load_state_dict_reports_everything():
    e, t = _net(ember), _net(torch)
    sde, sdt = _to_ember_sd(t.state_dict()), t.state_dict()
    for sd in (sde, sdt):
        del sd["scale"]
        sd["blocks.0.fc.extra"] = sd["blocks.0.fc.bias"]
        sd["bogus"] = sd["blocks.0.fc.bias"]
    sde["blocks.1.fc.weight"] = ember.zeros(2, 2)
    sdt["blocks.1.fc.weight"] = torch.zeros(2, 2)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(sdt)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(sde)
    assert str(ee.value).replace("ember.", "torch.") == str(te.value)
    # non-strict: size mismatch still raises; without it keys are reported
    del sde["blocks.1.fc.weight"]
    del sdt["blocks.1.fc.weight"]
    re_ = e.load_state_dict(sde, strict=False)
    rt = t.load_state_dict(sdt, strict=False)
    assert re_.missing_keys == rt.missing_keys
    assert re_.unexpected_keys == rt.unexpected_keys
    assert repr(re_) == repr(rt)


def test_state_dict_values_detached_and_keep_vars():
    e = ember.nn.Linear(2, 2)
    sd = e.state_dict()
    assert not sd["weight"].requires_grad
    assert e.state_dict(keep_vars=True)["weight"] is e.weight
    assert sorted(e.state_dict(prefix="m.")) == ["m.bias", "m.weight"]


@pytest.mark.parametrize("M", [ember, torch], ids=["ember", "torch"])
def test_setattr_routing_and_errors(M):
    nn = M.nn
    m = nn.Module()
    m.w = nn.Parameter(M.ones(2))
    assert "w" in m._parameters and "w" not in m.__dict__
    m.sub = nn.Linear(1, 1)
    assert "sub" in m._modules
    m.register_buffer("b", M.zeros(1))
    m.b = M.ones(3)
    assert m._buffers["b"].shape == (3,)
    m.w = None
    assert m._parameters["w"] is None
    with pytest.raises(TypeError):
        m.w = M.ones(2)
    with pytest.raises(TypeError):
        m.sub = 3
    with pytest.raises(TypeError):
        m.b = 3
    with pytest.raises(KeyError):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError):
        m.register_buffer("", None)
    with pytest.raises(KeyError):
        m.add_module("sub.x", nn.ReLU())
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    with pytest.raises(TypeError):
        m.register_parameter("x", M.ones(1))
    with pytest.raises(KeyError):
        m.plain = 1
        m.register_buffer("plain", None)
    with pytest.raises(AttributeError):
        _ = m.missing
    del m.sub
    assert "sub" not in m._modules

    class Bad(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(M.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module"):
        Bad()

    class Bad2(nn.Module):
        def __init__(self):
            self.l = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="cannot assign module before Module"):
        Bad2()


def _error_messages(M):
    m = M.nn.Module()
    m.w = M.nn.Parameter(M.ones(2))
    m.sub = M.nn.Linear(1, 1)
    got = []
    for f in (lambda: setattr(m, "w", 3), lambda: setattr(m, "sub", 3),
              lambda: m.register_parameter("x", 3), lambda: m.get_submodule("sub.zz"),
              lambda: m.get_submodule("sub.weight"), lambda: m.get_parameter("sub.q"),
              lambda: m.missing, lambda: m.train("yes")):
        try:
            f()
        except Exception as ex:
            got.append((type(ex).__name__, str(ex)))
    return got


def test_errors_messages_equal_torch():
    assert _error_messages(ember) == _error_messages(torch)


def test_train_eval_zero_grad_requires_grad():
    e = _net(ember)
    assert e.training and e.head.bn.training
    e.eval()
    assert not e.training and not e.head.bn.training
    e.train()
    out = e(ember.randn(4, 3)).sum()
    out.backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())


def test_to_double_float_half_apply_type():
    e = _net(ember)
    w = e.blocks[0].fc.weight
    e.double()
    assert e.blocks[0].fc.weight is w and w.dtype == ember.float64
    assert e.head.bn.running_mean.dtype == ember.float64
    assert e.head.bn.num_batches_tracked.dtype == ember.int64
    e.to(ember.float32)
    assert w.dtype == ember.float32
    e.half()
    assert w.dtype == ember.float16
    e.float()
    e.to("cpu")
    e.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    with pytest.raises(TypeError):
        e.to(ember.int64)
    with pytest.raises(RuntimeError):
        e.cuda()
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"
    assert e.cpu() is e


def test_get_submodule_parameter_dir_getattr():
    e = _net(ember)
    assert e.get_submodule("blocks.1.fc") is e.blocks[1].fc
    assert e.get_parameter("head.lin.weight") is e.head.lin.weight
    assert e.get_submodule("") is e
    d = dir(e)
    assert "blocks" in d and "scale" in d and "forward" in d
    assert "fc" in dir(e.blocks[0]) and "steps" in dir(e.blocks[0])


@pytest.mark.parametrize("M", [ember, torch], ids=["ember", "torch"])
def test_hooks(M):
    m = M.nn.Linear(2, 2)
    log = []
    h1 = m.register_forward_pre_hook(lambda mod, a: log.append("pre") or (a[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, a, o: log.append("post") or o + 1)
    h3 = m.register_forward_pre_hook(lambda mod, a: log.append("first"), prepend=True)
    h4 = m.register_forward_hook(lambda mod, a, kw, o: log.append(("kw", sorted(kw))),
                                 with_kwargs=True)
    x = M.ones(1, 2)
    y = m(x)
    ref = M.nn.functional.linear(x * 2, m.weight, m.bias) + 1
    assert float((y - ref).abs().max().detach()) == 0
    assert log == ["first", "pre", "post", ("kw", [])]
    for h in (h1, h2, h3, h4):
        h.remove()
    log.clear()
    m(x)
    assert log == []

    def boom(x):
        raise ValueError("x")

    m.forward = boom
    called = []
    m.register_forward_hook(lambda mod, a, o: called.append(o), always_call=True)
    with pytest.raises(ValueError):
        m(x)
    assert called == [None]


@pytest.mark.parametrize("M", [ember, torch], ids=["ember", "torch"])
def test_pre_hook_with_kwargs(M):
    m = M.nn.Linear(2, 2)
    m.register_forward_pre_hook(lambda mod, a, kw: ((a[0] * 0,), kw), with_kwargs=True)
    y = m(M.ones(1, 2))
    assert float((y - m.bias).abs().max().detach()) == 0


def _backward_hook_run(M, x):
    m = M.nn.Linear(2, 2)
    with M.no_grad():
        m.weight.copy_(M.tensor([[1.0, 2.0], [3.0, 4.0]]))
    got = []

    def hook(mod, gi, go):
        got.append((tuple(None if g is None else g.detach().numpy().copy() for g in gi),
                    tuple(g.detach().numpy().copy() for g in go)))
        return (gi[0] * 2,)

    m.register_full_backward_hook(hook)
    xt = M.from_numpy(x.copy()).requires_grad_(True)
    m(xt).sum().backward()
    return got, xt.grad.numpy().copy()


def test_full_backward_hook():
    x = randn(3, 2)
    (ge, xe), (gt, xtg) = _backward_hook_run(ember, x), _backward_hook_run(torch, x)
    assert len(ge) == len(gt) == 1
    np.testing.assert_allclose(ge[0][0][0], gt[0][0][0], rtol=1e-6)
    np.testing.assert_allclose(ge[0][1][0], gt[0][1][0], rtol=1e-6)
    np.testing.assert_allclose(xe, xtg, rtol=1e-6)


def test_parameter_semantics():
    p = ember.nn.Parameter(ember.ones(2, 3))
    assert p.requires_grad and p.is_leaf and isinstance(p, ember.Tensor)
    assert not ember.nn.Parameter(ember.ones(2), requires_grad=False).requires_grad
    q = copy.deepcopy(p)
    assert isinstance(q, ember.nn.Parameter) and q.requires_grad and q is not p
    q.data.fill_(2)
    assert float(p.sum()) == 6
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, ember.nn.Parameter) and r.requires_grad and float(r.sum()) == 6
    assert type(p * 2) is ember.Tensor
    assert ember.nn.Parameter().shape == (0,)
    m = _net(ember)
    m2 = copy.deepcopy(m)
    assert m2.shared is m2.head.lin and m2.shared is not m.shared
    m3 = pickle.loads(pickle.dumps(m))
    assert list(m3.state_dict()) == list(m.state_dict())


def test_containers():
    nn = ember.nn
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[-1], nn.Linear) and isinstance(s[1:], nn.Sequential)
    assert len(s[1:]) == 2
    s.append(nn.Sigmoid())
    s.insert(0, nn.Identity())
    s.extend([nn.Identity()])
    assert [type(m).__name__ for m in s] == ["Identity", "Linear", "ReLU", "Linear", "Sigmoid",
                                             "Identity"]
    assert list(s.state_dict()) == ["1.weight", "1.bias", "3.weight", "3.bias"]
    del s[0]
    assert list(s._modules) == ["0", "1", "2", "3", "4"]
    with pytest.raises(IndexError):
        s[10]
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    ml += [nn.Sigmoid()]
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Identity", "Tanh", "Sigmoid"]
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)})
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    assert list(md.state_dict()) == ["b.weight", "b.bias"]
    pl = nn.ParameterList([nn.Parameter(ember.ones(1)), ember.zeros(2)])
    assert len(pl) == 2 and isinstance(pl[1], nn.Parameter)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"x": nn.Parameter(ember.ones(1))})
    pd["y"] = ember.zeros(1)
    assert list(pd.keys()) == ["x", "y"] and [n for n, _ in pd.named_parameters()] == ["x", "y"]
    f = nn.Flatten()
    assert f(ember.ones(2, 3, 4)).shape == (2, 12)
    u = nn.Unflatten(1, (3, 4))
    assert u(ember.ones(2, 12)).shape == (2, 3, 4)
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))


def test_buffers_persistent_and_none():
    m = ember.nn.Module()
    m.register_buffer("a", ember.ones(1))
    m.register_buffer("b", ember.ones(1), persistent=False)
    m.register_buffer("c", None)
    assert list(m.state_dict()) == ["a"]
    assert [n for n, _ in m.named_buffers()] == ["a", "b"]
    m.z = ember.nn.Buffer(ember.ones(2))
    assert "z" in m._buffers and list(m.state_dict()) == ["a", "z"]


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError):
        ember.nn.Module()(1)


class _WithExtra(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = ember.nn.Linear(2, 2)
        self.note = "a"

    def get_extra_state(self):
        return {"note": self.note}

    def set_extra_state(self, state):
        self.note = state["note"]


def test_extra_state_and_assign():
    m = _WithExtra()
    sd = m.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]
    sd["_extra_state"] = {"note": "b"}
    m.load_state_dict(sd)
    assert m.note == "b"
    with pytest.raises(RuntimeError, match="_extra_state"):
        m.load_state_dict({"lin.weight": sd["lin.weight"], "lin.bias": sd["lin.bias"]})
    lin = ember.nn.Linear(2, 2)
    w = ember.ones(2, 2)
    lin.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(lin.weight, ember.nn.Parameter) and lin.weight.requires_grad
    assert float(lin.weight.sum()) == 4
