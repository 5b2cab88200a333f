"""ember.vision.models against torchvision: state_dict keys/shapes/dtypes, parameter counts,
default initialisation statistics, eval/train outputs and gradients with copied weights,
checkpoint files written by torch.save, the weights= machinery and error types."""
import math
import pathlib
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.vision.models as EM
from tests.tv_oracle import import_torchvision

torchvision = import_torchvision()
TM = torchvision.models


# ----------------------------------------------------------------------------- helpers


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


def assert_same_keys(tm, em):
    """Identical state_dict keys (in order), shapes and dtypes; returns the parameter count."""
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd.keys()) == list(tsd.keys())
    for k, tv in tsd.items():
        ev = esd[k]
        assert tuple(ev.shape) == tuple(tv.shape), k
        assert str(ev.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], k
    n_t = sum(p.numel() for p in tm.parameters())
    n_e = sum(p.numel() for p in em.parameters())
    assert n_e == n_t
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    return n_t


def copy_weights(tm, em, share=False):
    """Load torch's weights into ember; ``share`` assigns views of torch's memory instead of
    copying (only for eval-only checks of huge models: later in-place updates would alias)."""
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy())
                        for k, v in tm.state_dict().items()}, assign=share)


def randomize_bn(tm, seed=0):
    """Give batch norms non-trivial statistics so eval outputs exercise them."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in tm.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.rand(n, generator=g) * 0.2 - 0.1)
                m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.rand(n, generator=g) * 0.2 - 0.1)


def assert_close(e, t, rtol=1e-4, atol_rel=1e-4, what="output"):
    e, t = _np(e), _np(t)
    assert e.shape == t.shape, what
    assert e.dtype == t.dtype, what
    atol = atol_rel * max(float(np.abs(t).max()), 1e-30)
    np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=what)


def eval_parity(tm, em, x_np, **tol):
    tm.eval()
    em.eval()
    with torch.no_grad():
        t = tm(torch.from_numpy(x_np))
    with ember.no_grad():
        e = em(ember.from_numpy(x_np))
    assert float(np.abs(_np(t)).max()) > 0
    assert_close(e, t, **tol)


def image(n, size, c=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, size, size)).astype(np.float32)


def assert_init_like(tm, em, sample=100_000):
    """Every parameter/buffer of ember's default init has torchvision's distribution: constants
    equal, large tensors with matching mean and std (on their first ``sample`` entries, which
    are i.i.d. draws too), small ones in the same range."""
    esd = em.state_dict()
    for k, tv in tm.state_dict().items():
        t = tv.detach().reshape(-1)[:sample].double().numpy()
        e = np.asarray(_np(esd[k]).reshape(-1)[:sample], dtype=np.float64)
        if t.size and np.all(t == t[0]):
            assert np.all(e == t[0]), f"{k}: expected constant {t[0]}"
            continue
        ts, es = t.std(), e.std()
        if t.size >= 1000:
            assert abs(es - ts) <= 0.1 * ts, f"{k}: std {es} vs torch {ts}"
            assert abs(e.mean() - t.mean()) <= 6 * ts / math.sqrt(t.size), f"{k}: mean"
        elif t.size >= 100:
            assert 0.4 * ts <= es <= 2.0 * ts, f"{k}: std {es} vs torch {ts}"
            assert np.abs(e).max() <= 1.5 * np.abs(t).max() + 1e-12, f"{k}: range"
        else:   # a handful of draws (a 3-class bias): their spread says little
            assert np.isfinite(e).all() and len(np.unique(e)) > 1, f"{k}: not random"


@pytest.fixture
def no_init(monkeypatch):
    """Skip ember's random initialisation (for structure-only checks of huge models)."""
    monkeypatch.setattr(ember.nn.init, "uniform_", lambda t, *a, **k: t)
    monkeypatch.setattr(ember.nn.init, "normal_", lambda t, *a, **k: t)


def meta_model(name, **kw):
    with torch.device("meta"):
        return getattr(TM, name)(**kw)


# ----------------------------------------------------------------------------- LeNet-5


def test_lenet5_matches_plain_sequential():
    torch.manual_seed(0)
    nn = torch.nn
    tm = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 7))
    em = EM.lenet5(num_classes=7)
    assert isinstance(em, EM.LeNet5) and isinstance(em, ember.nn.Sequential)
    assert assert_same_keys(tm, em) == 61706 - 85 * 3   # 10 classes: 61706
    assert_init_like(tm, em)
    copy_weights(tm, em)
    eval_parity(tm, em, image(3, 32, c=1))
    assert sum(p.numel() for p in EM.LeNet5().parameters()) == 61706


# ----------------------------------------------------------------------------- ResNet


@pytest.fixture(scope="module")
def resnet18_pair():
    torch.manual_seed(0)
    tm = TM.resnet18(num_classes=10)
    em = EM.resnet18(num_classes=10)
    return tm, em


def test_resnet18_keys_init_and_eval(resnet18_pair):
    tm, em = resnet18_pair
    assert isinstance(em, EM.ResNet)
    assert isinstance(em.layer1[0], EM.BasicBlock)
    assert assert_same_keys(tm, em) == 11181642
    assert_init_like(tm, em)
    # kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = sqrt(2 / (out * k * k))
    w = _np(em.layer3[0].conv2.weight)
    assert abs(w.std() - math.sqrt(2.0 / (256 * 9))) < 0.03 * math.sqrt(2.0 / (256 * 9))
    randomize_bn(tm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 32))


def test_resnet18_train_forward_backward(resnet18_pair):
    tm, em = resnet18_pair
    copy_weights(tm, em)
    tm.train()
    em.train()
    x = image(4, 32, seed=1)
    up = np.random.default_rng(2).standard_normal((4, 10)).astype(np.float32)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    xe = ember.from_numpy(x.copy()).requires_grad_(True)
    tm.zero_grad()
    em.zero_grad()
    out_t, out_e = tm(xt), em(xe)
    assert_close(out_e, out_t, what="train output")
    (out_t * torch.from_numpy(up)).sum().backward()
    (out_e * ember.from_numpy(up)).sum().backward()
    assert_close(xe.grad, xt.grad, atol_rel=2e-4, what="input grad")
    for name in ["conv1.weight", "bn1.weight", "layer2.0.downsample.0.weight",
                 "layer4.1.bn2.bias", "fc.weight", "fc.bias"]:
        assert_close(em.get_parameter(name).grad, tm.get_parameter(name).grad, atol_rel=2e-4,
                     what=name + ".grad")
    for name in ["bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_var",
                 "bn1.num_batches_tracked"]:
        e, t = _np(em.get_buffer(name)), _np(tm.get_buffer(name))
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5, err_msg=name)
    tm.eval()
    em.eval()


def test_resnet18_checkpoint_file(resnet18_pair, tmp_path):
    tm, _ = resnet18_pair
    path = tmp_path / "resnet18.pth"
    torch.save(tm.state_dict(), path)
    em = EM.resnet18(num_classes=10)
    em.load_state_dict(ember.load(str(path)))
    eval_parity(tm, em, image(2, 32, seed=3))
    em2 = EM.resnet18(weights=str(path), num_classes=10)
    for k, v in em.state_dict().items():
        np.testing.assert_array_equal(_np(em2.state_dict()[k]), _np(v), err_msg=k)
    # an os.PathLike works too
    src = EM.lenet5()
    ember.save(src.state_dict(), tmp_path / "lenet.pt")
    got = EM.lenet5(weights=tmp_path / "lenet.pt")
    np.testing.assert_array_equal(_np(got[0].weight), _np(src[0].weight))


def test_resnet50_eval():
    torch.manual_seed(0)
    tm = TM.resnet50(num_classes=10)
    em = EM.resnet50(num_classes=10)
    assert isinstance(em.layer1[0], EM.Bottleneck)
    assert assert_same_keys(tm, em) == 23528522
    assert_init_like(tm, em)
    randomize_bn(tm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 32))


def test_resnet34_eval(no_init):
    torch.manual_seed(0)
    tm = TM.resnet34(num_classes=10)
    em = EM.resnet34(num_classes=10)
    assert isinstance(em.layer1[0], EM.BasicBlock) and len(em.layer3) == 6
    randomize_bn(tm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 32))


@pytest.mark.parametrize("name", ["resnet34", "resnet101", "resnet152", "resnext50_32x4d",
                                  "resnext101_32x8d",
                                  "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"])
def test_big_resnets_structure(name, no_init):
    tm = meta_model(name)
    em = getattr(EM, name)()
    n = assert_same_keys(tm, em)
    assert n == EM.get_model_weights(name).DEFAULT.meta["num_params"]


def test_resnet_options():
    nn = torch.nn
    # grouped (ResNeXt-style) and dilated bottlenecks, zero-initialised residual branches
    kw = dict(groups=4, width_per_group=8, replace_stride_with_dilation=[False, True, True],
              zero_init_residual=True)
    torch.manual_seed(0)
    tm = TM.ResNet(TM.resnet.Bottleneck, [1, 1, 1, 1], num_classes=3, **kw)
    em = EM.ResNet(EM.Bottleneck, [1, 1, 1, 1], num_classes=3, **kw)
    assert em.layer4[0].conv2.dilation == tm.layer4[0].conv2.dilation == (2, 2)
    assert_same_keys(tm, em)
    assert_init_like(tm, em)     # includes bn3.weight == 0 everywhere
    randomize_bn(tm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 16), atol_rel=2e-4)
    em = EM.ResNet(EM.BasicBlock, [1, 1, 1, 1], zero_init_residual=True)
    assert all(float(_np(b.bn2.weight).max()) == 0 for layer in
               (em.layer1, em.layer2, em.layer3, em.layer4) for b in layer)
    # a custom norm_layer (GroupNorm) reaches every block
    from functools import partial
    tm = TM.ResNet(TM.resnet.BasicBlock, [1, 1, 1, 1], num_classes=3,
                   norm_layer=partial(nn.GroupNorm, 4))
    em = EM.ResNet(EM.BasicBlock, [1, 1, 1, 1], num_classes=3,
                   norm_layer=partial(ember.nn.GroupNorm, 4))
    assert_same_keys(tm, em)
    assert isinstance(em.layer2[0].bn1, ember.nn.GroupNorm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 16))


@pytest.fixture(scope="module")
def tiny_resnet_pair():
    torch.manual_seed(0)
    tm = TM.ResNet(TM.resnet.BasicBlock, [1, 1, 1, 1], num_classes=5)
    em = EM.ResNet(EM.BasicBlock, [1, 1, 1, 1], num_classes=5)
    randomize_bn(tm)
    copy_weights(tm, em)
    return tm.eval(), em.eval()


@settings(max_examples=5, deadline=None)
@given(n=st.integers(1, 2), h=st.integers(1, 33), w=st.integers(1, 33))
def test_resnet_any_input_size(tiny_resnet_pair, n, h, w):
    tm, em = tiny_resnet_pair
    x = np.random.default_rng(h * 100 + w).standard_normal((n, 3, h, w)).astype(np.float32)
    eval_parity(tm, em, x)


def test_resnet_errors():
    for M, Basic in ((TM.resnet, TM.resnet.BasicBlock), (EM, EM.BasicBlock)):
        with pytest.raises(ValueError, match="groups=1"):
            Basic(8, 8, groups=2)
        with pytest.raises(ValueError, match="base_width=64"):
            Basic(8, 8, base_width=32)
        with pytest.raises(NotImplementedError, match="Dilation"):
            Basic(8, 8, dilation=2)
        with pytest.raises(ValueError, match="replace_stride_with_dilation"):
            M.ResNet(Basic, [1, 1, 1, 1], replace_stride_with_dilation=[True, False])
        with pytest.raises(NotImplementedError):
            M.ResNet(Basic, [1, 1, 1, 1], replace_stride_with_dilation=[False, True, False])
    for M in (TM, EM):
        with pytest.raises(ValueError, match="groups"):
            M.resnext50_32x4d(groups=2)
        with pytest.raises(IndexError):
            M.ResNet(M.resnet.BasicBlock, [1, 1])


# ----------------------------------------------------------------------------- AlexNet


def test_alexnet_eval():
    torch.manual_seed(0)
    tm = TM.alexnet(num_classes=10, dropout=0.3)
    em = EM.alexnet(num_classes=10, dropout=0.3)
    assert em.classifier[0].p == 0.3 and em.classifier[3].p == 0.3
    assert assert_same_keys(tm, em) == 57044810
    assert_init_like(tm, em)
    copy_weights(tm, em, share=True)
    eval_parity(tm, em, image(1, 63))   # batch 1: keeps the 100M-weight classifier cheap


# ----------------------------------------------------------------------------- VGG


@pytest.fixture(scope="module")
def ember_vgg11():
    return EM.vgg11(num_classes=10)


def torch_twin(name, em, **kw):
    """torchvision's ``name`` built on the meta device, then given ember model ``em``'s
    tensors (shared memory, no copy): for eval-only parity checks of huge models."""
    tm = meta_model(name, **kw)
    tm.load_state_dict({k: torch.from_numpy(_np(v)) for k, v in em.state_dict().items()},
                       assign=True)
    return tm


def test_vgg11_keys_init_eval(ember_vgg11):
    """ember's VGG init against torchvision's documented scheme (torch's own init of 129M
    values would double the cost), then outputs against torchvision with the same weights."""
    em = ember_vgg11
    assert isinstance(em, EM.VGG)
    tm = torch_twin("vgg11", em, num_classes=10)
    assert assert_same_keys(tm, em) == 128807306
    for name, p in em.named_parameters():
        a = _np(p).reshape(-1)[:100_000].astype(np.float64)
        if name.endswith("bias"):
            assert np.all(a == 0), name
        elif name.startswith("features"):    # kaiming_normal_, fan_out, relu gain
            std = math.sqrt(2.0 / (p.shape[0] * 9))
            assert abs(a.std() - std) < 0.1 * std and abs(a.mean()) < 6 * std / a.size ** .5
        else:                                 # normal_(0, 0.01)
            assert abs(a.std() - 0.01) < 0.001 and abs(a.mean()) < 6 * 0.01 / a.size ** .5
    randomize_bn(tm)
    eval_parity(tm, em, image(1, 32))   # batch 1: keeps the 100M-weight classifier cheap


@pytest.mark.parametrize("name", ["vgg11_bn", "vgg16", "vgg16_bn"])
def test_vgg_eval(name, ember_vgg11, no_init):
    """features get fresh random weights, the (identically shaped) classifier is vgg11's, so
    no 100M-element init is paid again on either side."""
    em = getattr(EM, name)(num_classes=10)
    g = np.random.default_rng(1)
    sd = {}
    for k, v in em.state_dict().items():
        if k.startswith("classifier"):
            sd[k] = ember_vgg11.state_dict()[k]
        elif k.endswith("num_batches_tracked"):
            sd[k] = v
        elif k.endswith("running_var") or (v.dim() == 1 and "weight" in k):
            sd[k] = ember.from_numpy(g.uniform(0.5, 1.5, v.shape).astype(np.float32))
        elif v.dim() == 1:
            sd[k] = ember.from_numpy(g.uniform(-0.1, 0.1, v.shape).astype(np.float32))
        else:
            std = math.sqrt(2.0 / (v.shape[0] * 9))
            sd[k] = ember.from_numpy((g.standard_normal(v.shape) * std).astype(np.float32))
    em.load_state_dict(sd, assign=True)
    tm = torch_twin(name, em, num_classes=10)
    assert_same_keys(tm, em)
    eval_parity(tm, em, image(1, 32))


@pytest.mark.parametrize("name", ["vgg13", "vgg13_bn", "vgg19", "vgg19_bn"])
def test_big_vggs_structure(name, no_init):
    n = assert_same_keys(meta_model(name), getattr(EM, name)())
    assert n == EM.get_model_weights(name).DEFAULT.meta["num_params"]


def test_vgg_init_weights_false_and_make_layers():
    tm = TM.vgg.make_layers([8, "M", 16], batch_norm=True)
    em = EM.vgg.make_layers([8, "M", 16], batch_norm=True)
    assert [type(m).__name__ for m in em] == [type(m).__name__ for m in tm]
    assert_same_keys(tm, em)
    assert EM.vgg.cfgs == TM.vgg.cfgs


# ----------------------------------------------------------------------------- MobileNetV2


def test_mobilenet_v2_eval():
    torch.manual_seed(0)
    tm = TM.mobilenet_v2(num_classes=10)
    em = EM.mobilenet_v2(num_classes=10)
    assert isinstance(em.features[1], EM.InvertedResidual)
    assert assert_same_keys(tm, em) == 2236682
    assert_init_like(tm, em)
    randomize_bn(tm)
    with torch.no_grad():
        tm.classifier[1].weight.mul_(100)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 32))
    assert [b.use_res_connect for b in em.features[1:-1]] == \
        [b.use_res_connect for b in tm.features[1:-1]]


@settings(max_examples=5, deadline=None)
@given(width=st.sampled_from([0.25, 0.35, 0.5, 0.75, 1.3]),
       rn=st.sampled_from([1, 4, 8]))
def test_mobilenet_v2_width_mult(width, rn):
    tm = meta_model("mobilenet_v2", width_mult=width, round_nearest=rn, num_classes=3)
    em = EM.MobileNetV2(width_mult=width, round_nearest=rn, num_classes=3)
    assert em.last_channel == tm.last_channel
    assert_same_keys(tm, em)


@settings(max_examples=40, deadline=None)
@given(v=st.floats(0.1, 5000.0), divisor=st.sampled_from([1, 2, 3, 4, 8, 16]),
       min_value=st.one_of(st.none(), st.integers(1, 64)))
def test_make_divisible(v, divisor, min_value):
    from torchvision.models._utils import _make_divisible
    assert EM._utils._make_divisible(v, divisor, min_value) == \
        _make_divisible(v, divisor, min_value)


def test_mobilenet_v2_custom_setting_and_errors():
    setting = [[1, 8, 1, 1], [2, 16, 2, 2]]
    torch.manual_seed(0)
    tm = TM.MobileNetV2(num_classes=4, inverted_residual_setting=setting, dropout=0.1)
    em = EM.MobileNetV2(num_classes=4, inverted_residual_setting=setting, dropout=0.1)
    assert em.classifier[0].p == 0.1
    assert_same_keys(tm, em)
    randomize_bn(tm)
    copy_weights(tm, em)
    eval_parity(tm, em, image(2, 16))
    for M in (TM.mobilenetv2, EM):
        with pytest.raises(ValueError, match="stride should be 1 or 2"):
            M.InvertedResidual(8, 8, stride=3, expand_ratio=2)
        with pytest.raises(ValueError, match="inverted_residual_setting"):
            M.MobileNetV2(inverted_residual_setting=[])
        with pytest.raises(ValueError, match="inverted_residual_setting"):
            M.MobileNetV2(inverted_residual_setting=[[1, 2, 3]])


# ----------------------------------------------------------------------------- registry


def test_list_and_get_model():
    ours = EM.list_models()
    assert ours == sorted(ours)
    theirs = set(TM.list_models(module=TM))
    assert set(ours) - {"lenet5"} <= theirs
    for pat in ("resnet*", ["vgg1*", "alex*"]):
        assert EM.list_models(include=pat) == [n for n in TM.list_models(
            module=TM, include=pat) if n in ours]
    assert EM.list_models(include="vgg*", exclude="*_bn") == \
        TM.list_models(module=TM, include="vgg*", exclude="*_bn")
    assert EM.list_models(module=EM) == ours
    assert EM.list_models(module=ember) == []
    m = EM.get_model("ResNet18", num_classes=4)
    assert isinstance(m, EM.ResNet) and m.fc.out_features == 4
    assert EM.get_model_builder("mobilenet_v2") is EM.mobilenet_v2
    for M in (TM, EM):
        with pytest.raises(ValueError, match="Unknown model"):
            M.get_model("resnet7")


def test_weights_enums_match_torchvision():
    for name in EM.list_models(exclude="lenet5"):
        ours, theirs = EM.get_model_weights(name), TM.get_model_weights(name)
        assert ours.__name__ == theirs.__name__
        assert list(ours.__members__) == list(theirs.__members__)
        assert ours.DEFAULT.name == theirs.DEFAULT.name
        for w in ours:
            t = theirs[w.name]
            assert w.url == t.url
            assert w.meta["num_params"] == t.meta["num_params"]
            assert tuple(w.meta["min_size"]) == tuple(t.meta["min_size"])
            assert repr(w) == repr(t)
        assert EM.get_model_weights(getattr(EM, name)) is ours
        with pytest.raises(KeyError, match="categories"):
            ours.DEFAULT.meta["categories"]
        assert getattr(EM, ours.__name__) is ours
    assert EM.get_weight("ResNet50_Weights.IMAGENET1K_V2") is EM.ResNet50_Weights.IMAGENET1K_V2
    for M in (TM, EM):
        with pytest.raises(ValueError):
            M.get_weight("ResNet50_Weights")
        with pytest.raises(ValueError):
            M.get_weight("NoSuch_Weights.IMAGENET1K_V1")
    with pytest.raises(ValueError):
        EM.get_model_weights("lenet5")


# ----------------------------------------------------------------------------- weights=


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    return tmp_path / "torch_home" / "hub" / "checkpoints"


@pytest.mark.parametrize("weights", ["IMAGENET1K_V1", "DEFAULT", "ResNet18_Weights.DEFAULT",
                                     EM.ResNet18_Weights.IMAGENET1K_V1])
def test_weights_not_downloadable(weights, empty_hub):
    with pytest.raises(RuntimeError) as info:
        EM.resnet18(weights=weights)
    msg = str(info.value)
    assert "cannot download" in msg
    assert "https://download.pytorch.org/models/resnet18-f37072fd.pth" in msg
    assert "model.load_state_dict(ember.load('resnet18-f37072fd.pth'))" in msg
    with pytest.raises(RuntimeError, match="cannot download"):
        EM.ResNet18_Weights.DEFAULT.get_state_dict(progress=False)


def test_weights_bad_values(empty_hub, tmp_path):
    for M in (TM, EM):
        with pytest.raises(KeyError):
            M.resnet18(weights="IMAGENET_V9")
        with pytest.raises(TypeError):
            M.resnet18(weights=M.ResNet50_Weights.DEFAULT)
        with pytest.raises(ValueError, match="num_classes"):
            M.resnet18(weights="DEFAULT", num_classes=10)
        with pytest.raises(ValueError, match="num_classes"):
            M.mobilenet_v2(weights=M.MobileNet_V2_Weights.IMAGENET1K_V1, num_classes=10)
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        EM.resnet18(weights=str(tmp_path / "missing.pth"))
    with pytest.raises(FileNotFoundError):
        EM.vgg11(weights="no_such_file.pth")
    with pytest.raises(RuntimeError, match="no published pretrained weights"):
        EM.lenet5(weights="DEFAULT")
    # a checkpoint of another architecture fails in load_state_dict, as in torch
    torch.save(torch.nn.Linear(2, 2).state_dict(), tmp_path / "lin.pt")
    with pytest.raises(RuntimeError, match="Missing key"):
        EM.lenet5(weights=tmp_path / "lin.pt")


@pytest.mark.filterwarnings("ignore:Arguments other than a weight enum")
def test_pretrained_legacy_kwarg(empty_hub):
    for M in (TM, EM):
        with pytest.warns(UserWarning, match="pretrained"):
            m = M.mobilenet_v2(pretrained=False, num_classes=3)
        assert m.classifier[1].out_features == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="cannot download"):
            EM.resnet18(pretrained=True)


def test_weights_from_hub_cache(empty_hub):
    """A checkpoint torchvision finds in the torch hub cache is what ember loads too."""
    torch.manual_seed(0)
    src = TM.mobilenet_v2()
    randomize_bn(src)
    empty_hub.mkdir(parents=True)
    torch.save(src.state_dict(), empty_hub / "mobilenet_v2-b0353104.pth")
    tm = TM.mobilenet_v2(weights="IMAGENET1K_V1")
    em = EM.mobilenet_v2(weights="IMAGENET1K_V1")
    assert em.classifier[1].out_features == 1000
    eval_parity(tm, em, image(1, 32))
    sd = EM.MobileNet_V2_Weights.IMAGENET1K_V1.get_state_dict()
    assert list(sd) == list(src.state_dict())


def test_weights_transforms_preset():
    pil = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (40, 52, 3), dtype=np.uint8)
    for enum_name in ("ResNet50_Weights", "MobileNet_V2_Weights"):
        for member in ("IMAGENET1K_V1", "IMAGENET1K_V2"):
            kw = {}
            tt = getattr(TM, enum_name)[member].transforms(**kw)
            et = getattr(EM, enum_name)[member].transforms(**kw)
            tt.crop_size, tt.resize_size = [24], [30]
            et.crop_size, et.resize_size = [24], [30]
            # PIL input: resized by Pillow on both sides
            img = pil.fromarray(arr)
            assert_close(et(img), tt(img), rtol=1e-6, atol_rel=1e-6)
            # float tensor input: antialiased bilinear
            x = rng.random((2, 3, 37, 45), dtype=np.float32)
            assert_close(et(ember.from_numpy(x)), tt(torch.from_numpy(x)), rtol=1e-5,
                         atol_rel=1e-5)
    # uint8 tensors may differ by one grey level from torch's fixed-point kernel
    t8 = torch.from_numpy(arr.transpose(2, 0, 1).copy())
    e, t = EM.ResNet18_Weights.DEFAULT.transforms()(ember.from_numpy(t8.numpy())), \
        TM.ResNet18_Weights.DEFAULT.transforms()(t8)
    assert tuple(e.shape) == tuple(t.shape) == (3, 224, 224)
    assert np.abs(_np(e) - _np(t)).max() <= 1.5 / 255 / 0.224
    # numpy HxWxC uint8 (ember's 'numpy' image backend) is treated like the PIL image
    et = EM.ResNet18_Weights.DEFAULT.transforms()
    tt = TM.ResNet18_Weights.DEFAULT.transforms()
    assert np.abs(_np(et(arr)) - _np(tt(pil.fromarray(arr)))).max() <= 1.5 / 255 / 0.224
    vf = EM.VGG16_Weights.IMAGENET1K_FEATURES.transforms()
    assert vf.std == list(TM.VGG16_Weights.IMAGENET1K_FEATURES.transforms().std)


def test_module_paths():
    assert pathlib.Path(EM.__file__).parent.name == "models"
    assert EM.resnet18.__module__ == "ember.vision.models.resnet"
    assert EM.vgg16.__name__ == "vgg16" and "VGG-16" in EM.vgg16.__doc__
