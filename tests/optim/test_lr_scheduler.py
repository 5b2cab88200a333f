"""ember.optim.lr_scheduler against the torch oracle.

Every scheduler, under several settings, gives exactly torch's learning-rate sequence (and
momentum/betas where it cycles them) over 100 steps; state_dict round trips resume the
same sequence; the order warning, the epoch deprecation path and the errors match.
"""
import copy
import math
import warnings

import pytest
import torch

import ember
import ember.optim

# SequentialLR over a ChainedScheduler warns at construction in torch too
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step")


def _opt(T, kind="sgd", groups=1):
    ps = [T.tensor([1.0, 2.0], requires_grad=True) for _ in range(groups)]
    spec = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)]
    if kind == "adam":
        return T.optim.Adam(spec, lr=0.1), ps
    return T.optim.SGD(spec, lr=0.1, momentum=0.9), ps


def _sched(T, opt, name, kw):
    S = T.optim.lr_scheduler
    if name == "SequentialLR":
        subs = [S.LinearLR(opt, start_factor=0.2, total_iters=10),
                S.ExponentialLR(opt, gamma=0.97), S.StepLR(opt, step_size=7, gamma=0.5)]
        return S.SequentialLR(opt, subs, milestones=[10, 40])
    if name == "ChainedScheduler":
        subs = [S.ConstantLR(opt, factor=0.5, total_iters=20),
                S.ExponentialLR(opt, gamma=0.98), S.MultiStepLR(opt, [30, 60], 0.3)]
        return S.ChainedScheduler(subs)
    if name == "SequentialChained":
        inner = S.ChainedScheduler([S.LinearLR(opt, start_factor=0.5, total_iters=5),
                                    S.ExponentialLR(opt, gamma=0.9)])
        return S.SequentialLR(opt, [inner, S.CosineAnnealingLR(opt, T_max=20)],
                              milestones=[15])
    return getattr(S, name)(opt, **kw)


def _lambda(e):
    return 0.95 ** e + (e % 7) / 10


class _Warmup:
    """A callable object: its __dict__ goes into the state_dict."""

    def __init__(self, n):
        self.n = n

    def __call__(self, e):
        return min(1.0, (e + 1) / self.n)


CASES = [
    ("LambdaLR", dict(lr_lambda=_lambda)),
    ("LambdaLR", dict(lr_lambda=[_lambda, _Warmup(10)]), 2),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.97 if e % 3 else 1.01)),
    ("StepLR", dict(step_size=13, gamma=0.7)),
    ("MultiStepLR", dict(milestones=[5, 30, 30, 80], gamma=0.5)),
    ("ConstantLR", dict(factor=0.25, total_iters=17)),
    ("ConstantLR", dict()),
    ("LinearLR", dict(start_factor=0.05, end_factor=0.9, total_iters=40)),
    ("LinearLR", dict()),
    ("ExponentialLR", dict(gamma=0.96)),
    ("PolynomialLR", dict(total_iters=60, power=2.5)),
    ("PolynomialLR", dict()),
    ("CosineAnnealingLR", dict(T_max=30, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=2, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=7)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=10)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=7, step_size_down=13,
                      mode="triangular2"), 2),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range",
                      gamma=0.99), 1, "adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, scale_fn=lambda x: 0.9 ** x,
                      scale_mode="iterations", cycle_momentum=False)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=101)),
    ("OneCycleLR", dict(max_lr=[0.5, 1.0], epochs=10, steps_per_epoch=11, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True), 2),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=120, div_factor=10.0, final_div_factor=100.0),
     1, "adam"),
    ("SequentialLR", {}),
    ("ChainedScheduler", {}, 2),
    ("SequentialChained", {}),
]


def _case(c):
    name, kw = c[0], c[1]
    groups = c[2] if len(c) > 2 else 1
    kind = c[3] if len(c) > 3 else "sgd"
    return name, kw, groups, kind


def _momenta(opt):
    g = opt.param_groups
    return [x.get("momentum", x.get("betas", (None,))[0]) for x in g]


def _sequence(T, name, kw, groups, kind, steps=100, state=None):
    opt, ps = _opt(T, kind, groups)
    sched = _sched(T, opt, name, kw)
    seq = [(list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups], _momenta(opt))]
    for _ in range(steps):
        for p in ps:
            p.grad = T.ones(2)
        opt.step()
        sched.step()
        seq.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
                    _momenta(opt)))
    return seq, opt, sched


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_lr_sequence_matches_torch(case):
    name, kw, groups, kind = _case(case)
    out = []
    for T in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            seq, _, _ = _sequence(T, name, kw, groups, kind)
        out.append((seq, [str(x.message) for x in w]))
    assert out[0][0] == out[1][0]       # exactly: same formulas, same float operations
    assert out[0][1] == out[1][1]       # and the same warnings (none in correct use)
    assert out[0][1] == [] or name == "SequentialChained"


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8] * 8
    configs = [dict(), dict(patience=2, factor=0.5, cooldown=2),
               dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1,
                    min_lr=[0.02, 0.001]),
               dict(patience=0, factor=0.3, min_lr=0.005, eps=1e-3)]
    for kw in configs:
        out = []
        for T in (ember, torch):
            opt, _ = _opt(T, groups=2)
            sched = T.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
            seq = []
            for m in metrics:
                sched.step(m)
                seq.append((sched.get_last_lr(), sched.num_bad_epochs, sched.best,
                            sched.cooldown_counter))
            out.append(seq)
        assert out[0] == out[1], kw


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_state_dict_round_trip(case):
    name, kw, groups, kind = _case(case)
    full, _, _ = _sequence(ember, name, kw, groups, kind, steps=60)
    _, opt, sched = _sequence(ember, name, kw, groups, kind, steps=25)
    osd, ssd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    opt2, ps = _opt(ember, kind, groups)
    sched2 = _sched(ember, opt2, name, kw)
    opt2.load_state_dict(osd)
    sched2.load_state_dict(ssd)
    tail = []
    for _ in range(35):
        for p in ps:
            p.grad = ember.ones(2)
        opt2.step()
        sched2.step()
        tail.append(sched2.get_last_lr())
    assert tail == [lrs for lrs, _, _ in full[26:]]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_state_dict_keys_match_torch(case):
    name, kw, groups, kind = _case(case)

    def keys(sd):
        out = {k: v for k, v in sd.items() if k != "_schedulers"}
        subs = [keys(s) for s in sd.get("_schedulers", [])]
        return sorted(out), subs

    _, _, se = _sequence(ember, name, kw, groups, kind, steps=3)
    _, _, st = _sequence(torch, name, kw, groups, kind, steps=3)
    assert keys(se.state_dict()) == keys(st.state_dict())
    for k in ("last_epoch", "base_lrs", "_last_lr", "_step_count"):
        if k in st.state_dict():
            assert se.state_dict()[k] == st.state_dict()[k], k


def test_lambda_state_dict_saves_callable_objects_only():
    opt, _ = _opt(ember, groups=2)
    w = _Warmup(10)
    sched = ember.optim.lr_scheduler.LambdaLR(opt, [_lambda, w])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, {"n": 10}]
    sd["lr_lambdas"][1] = {"n": 3}
    sched.load_state_dict(sd)
    assert w.n == 3


def _warns(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [str(x.message) for x in w if issubclass(x.category, UserWarning)]


def test_warning_when_scheduler_steps_before_optimizer():
    msgs = []
    for T in (ember, torch):
        opt, _ = _opt(T)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2)
        msgs.append(_warns(sched.step))
        msgs.append(_warns(sched.step))     # only the first step is checked
    assert msgs[0] == msgs[2] and len(msgs[0]) == 1
    assert "`lr_scheduler.step()` before `optimizer.step()`" in msgs[0][0]
    assert msgs[1] == msgs[3] == []


def test_no_warning_when_optimizer_steps_first_and_step_before_scheduler_creation():
    for T in (ember, torch):
        opt, ps = _opt(T)
        ps[0].grad = T.ones(2)
        opt.step()                           # before the scheduler exists: does not count
        sched = T.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        assert len(_warns(sched.step)) == 1
        opt2, ps2 = _opt(T)
        sched2 = T.optim.lr_scheduler.ExponentialLR(opt2, gamma=0.5)
        ps2[0].grad = T.ones(2)
        opt2.step()
        assert _warns(sched2.step) == []


def test_warning_when_optimizer_step_is_overridden():
    for T in (ember, torch):
        opt, _ = _opt(T)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2)
        opt.step = lambda closure=None: None
        msgs = _warns(sched.step)
        assert len(msgs) == 1 and "has been overridden" in msgs[0]


def test_get_lr_outside_step_warns():
    for T in (ember, torch):
        opt, _ = _opt(T)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2)
        msgs = _warns(sched.get_lr)
        assert msgs == ["To get the last learning rate computed by the scheduler, please use "
                        "`get_last_lr()`."]


@pytest.mark.parametrize("name,kw,epochs", [
    ("StepLR", dict(step_size=3, gamma=0.5), [4, 1, 9, 9, 0]),
    ("MultiStepLR", dict(milestones=[2, 5, 5]), [6, 3, 1]),
    ("ConstantLR", dict(factor=0.3, total_iters=4), [2, 7, 0]),
    ("LinearLR", dict(start_factor=0.1, total_iters=6), [3, 10, 1]),
    ("ExponentialLR", dict(gamma=0.8), [5, 2]),
    ("PolynomialLR", dict(total_iters=8, power=3.0), [2, 9, 4]),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01), [3, 14, 7]),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2), [2.5, 5, 13.7, 1, 30]),
    ("CosineAnnealingWarmRestarts", dict(T_0=4), [2.5, 9, 0]),
    ("LambdaLR", dict(lr_lambda=_lambda), [4, 2]),
])
def test_step_with_epoch_uses_closed_form(name, kw, epochs):
    seqs, msgs = [], []
    for T in (ember, torch):
        opt, ps = _opt(T)
        sched = getattr(T.optim.lr_scheduler, name)(opt, **kw)
        ps[0].grad = T.ones(2)
        seq = []
        for e in epochs:
            opt.step()
            msgs.append(_warns(lambda s=sched, e=e: s.step(e)))
            seq.append((sched.get_last_lr(), sched.last_epoch))
        seqs.append(seq)
    assert seqs[0] == seqs[1]
    half = len(msgs) // 2
    assert msgs[:half] == msgs[half:]


def test_scheduler_with_tensor_lr_fills_in_place():
    for T in (ember, torch):
        p = T.tensor([1.0], requires_grad=True)
        lr = T.tensor(0.1)
        opt = T.optim.SGD([p], lr=lr)
        sched = T.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        p.grad = T.ones(1)
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr
        assert lr.item() == pytest.approx(0.05)
        assert isinstance(sched.get_last_lr()[0], T.Tensor)
        assert sched.get_last_lr()[0] is not lr


def test_resume_with_last_epoch():
    out = []
    for T in (ember, torch):
        opt, _ = _opt(T)
        with pytest.raises(KeyError, match="initial_lr"):
            T.optim.lr_scheduler.StepLR(opt, step_size=3, last_epoch=5)
        opt.param_groups[0]["initial_lr"] = 1.0
        s = T.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
        out.append((s.get_last_lr(), s.last_epoch))
    assert out[0] == out[1]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e), str(e)
    return None


BAD = [
    lambda T, o: T.optim.lr_scheduler.StepLR(object(), 3),
    lambda T, o: T.optim.lr_scheduler.ConstantLR(o, factor=1.5),
    lambda T, o: T.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda T, o: T.optim.lr_scheduler.LinearLR(o, end_factor=1.5),
    lambda T, o: T.optim.lr_scheduler.LambdaLR(o, [_lambda, _lambda]),
    lambda T, o: T.optim.lr_scheduler.MultiplicativeLR(o, 0.5),
    lambda T, o: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda T, o: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0),
    lambda T, o: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, eta_min="x"),
    lambda T, o: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5).step(-1),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=0),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, epochs=0, steps_per_epoch=2),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=0),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=1),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=5,
                                                 anneal_strategy="exp"),
    lambda T, o: T.optim.lr_scheduler.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=5),
    lambda T, o: _overstep(T.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=3)),
    lambda T, o: T.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="bad"),
    lambda T, o: T.optim.lr_scheduler.CyclicLR(
        T.optim.Adagrad([T.tensor([1.0], requires_grad=True)]), 0.1, 1.0),
    lambda T, o: T.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda T, o: T.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"),
    lambda T, o: T.optim.lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda T, o: T.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
    lambda T, o: T.optim.lr_scheduler.SequentialLR(o, [], []),
    lambda T, o: T.optim.lr_scheduler.SequentialLR(
        o, [T.optim.lr_scheduler.StepLR(o, 2)], [3]),
    lambda T, o: T.optim.lr_scheduler.SequentialLR(
        o, [T.optim.lr_scheduler.ReduceLROnPlateau(o)], []),
    lambda T, o: T.optim.lr_scheduler.ChainedScheduler([]),
    lambda T, o: T.optim.lr_scheduler.ChainedScheduler([object()]),
]


def _overstep(s):
    for _ in range(5):
        s.optimizer.step()
        s.step()


@pytest.mark.parametrize("i", range(len(BAD)))
def test_errors_match_torch(i):
    results = []
    for T in (ember, torch):
        opt, _ = _opt(T)
        results.append(_raised(lambda T=T, opt=opt: BAD[i](T, opt)))
    e, t = results
    assert t is not None and e[0] is t[0]
    if "which is different" not in t[1]:
        assert e[1] == t[1]


def test_chained_and_sequential_reject_foreign_optimizer():
    for T in (ember, torch):
        o1, _ = _opt(T)
        o2, _ = _opt(T)
        s1 = T.optim.lr_scheduler.StepLR(o1, 2)
        s2 = T.optim.lr_scheduler.StepLR(o2, 2)
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same"):
            T.optim.lr_scheduler.ChainedScheduler([s1, s2])
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same"):
            T.optim.lr_scheduler.SequentialLR(o1, [s1, s2], [3])


def test_cosine_annealing_long_run_stays_close_to_closed_form():
    opt, ps = _opt(ember)
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=25, eta_min=0.01)
    for e in range(1, 101):
        opt.step()
        sched.step()
        closed = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 25)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(closed, rel=1e-9, abs=1e-12)
