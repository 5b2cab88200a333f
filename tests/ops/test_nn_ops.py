"""Parity of ember.ops.nn (convolution, pooling, softmax) with torch.nn.functional."""
import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.ops import nn as N
from tests.helpers import check, check_raises, gradcheck, randn

TOL = {"rtol": 1e-4, "atol": 1e-5}


def fn(name):
    """``name`` from torch.nn.functional on torch, from ember.ops.nn on ember."""
    def f(M, *a, **k):
        return getattr(N if M is ember else F, name)(*a, **k)
    return f


# --- convolution ------------------------------------------------------------------------------
CONV2D = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(stride=(2, 1), padding=(0, 2), dilation=(2, 1)),
    dict(groups=2),
    dict(groups=4, padding=1, stride=2),
    dict(padding="same", dilation=2),
    dict(padding="valid"),
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
@pytest.mark.parametrize("bias", [False, True])
def test_conv2d(kw, bias):
    g = kw.get("groups", 1)
    args = [randn(2, 4, 7, 6), randn(4, 4 // g, 3, 2)] + ([randn(4)] if bias else [])
    check(lambda M, *a: fn("conv2d")(M, *a, **kw), *args, **TOL)


@pytest.mark.parametrize("cin,groups", [(1, 1), (3, 1), (16, 1), (32, 2), (16, 16)])
def test_conv2d_channel_layouts(cin, groups):
    # few and many channels per group take different column layouts inside
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, stride=(1, 2), padding=1, groups=groups),
          randn(2, cin, 6, 5), randn(2 * groups, cin // groups, 3, 3), randn(2 * groups), **TOL)
    check(lambda M, x, w: fn("conv_transpose2d")(M, x, w, stride=2, groups=groups),
          randn(2, cin, 3, 4), randn(cin, 16, 3, 2), **TOL)


def test_integer_inputs():
    x = np.random.default_rng(3).integers(-9, 9, (2, 3, 6, 5))
    check(lambda M, x, w: fn("conv2d")(M, x, w, padding=1, stride=2), x,
          np.random.default_rng(4).integers(-3, 3, (4, 3, 3, 2)))
    check(lambda M, x: fn("max_pool2d")(M, x, 2, padding=1), x)
    check(lambda M, x: fn("max_pool2d")(M, x, 3, 2, return_indices=True), x)
    for kw in AVGPOOL:
        check(lambda M, x, kw=kw: fn("avg_pool2d")(M, x, **kw), x)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 2), st.sampled_from([(1, 1), (2, 1), (2, 2), (1, 3)]),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2),
       st.integers(1, 3), st.integers(0, 2))
def test_conv2d_fuzz(n, cg, kh, kw, pad, dil, stride, extra):
    ci, g = cg
    h, w = dil * (kh - 1) + 1 + extra, dil * (kw - 1) + 1 + 2 - extra
    check(lambda M, x, w_: fn("conv2d")(M, x, w_, stride=stride, padding=pad, dilation=dil,
                                         groups=g),
          randn(n, ci * g, h, w), randn(2 * g, ci, kh, kw), **TOL)
    check(lambda M, x, w_: fn("conv_transpose2d")(M, x, w_, stride=stride, padding=0,
                                                   dilation=dil, groups=g),
          randn(n, ci * g, h, w), randn(ci * g, 2, kh, kw), **TOL)


def test_zero_batch():
    x = np.zeros((0, 3, 5, 5), np.float32)
    check(lambda M, x, w: fn("conv2d")(M, x, w, padding=1), x, randn(4, 3, 3, 3), **TOL)
    check(lambda M, x: fn("max_pool2d")(M, x, 2), x)
    check(lambda M, x: fn("avg_pool2d")(M, x, 2), x)


def test_conv2d_unbatched_and_float64():
    check(lambda M, x, w: fn("conv2d")(M, x, w, padding=1), randn(3, 5, 5), randn(2, 3, 3, 3),
          **TOL)
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, stride=2), randn(2, 3, 5, 5,
          dtype=np.float64), randn(2, 3, 3, 3, dtype=np.float64), randn(2, dtype=np.float64))


@pytest.mark.parametrize("kw", [dict(), dict(stride=3, padding=2), dict(dilation=2, groups=2),
                                dict(padding="same")], ids=str)
def test_conv1d(kw):
    g = kw.get("groups", 1)
    check(lambda M, x, w, b: fn("conv1d")(M, x, w, b, **kw), randn(2, 4, 9), randn(6, 4 // g, 3),
          randn(6), **TOL)
    check(lambda M, x, w: fn("conv1d")(M, x, w, **kw), randn(4, 9), randn(6, 4 // g, 3), **TOL)


@pytest.mark.parametrize("kw", [dict(), dict(stride=(1, 2, 1), padding=1),
                                dict(groups=2, dilation=(1, 1, 2))], ids=str)
def test_conv3d(kw):
    g = kw.get("groups", 1)
    check(lambda M, x, w, b: fn("conv3d")(M, x, w, b, **kw), randn(1, 2, 4, 5, 6),
          randn(4, 2 // g, 2, 3, 2), randn(4), **TOL)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2), dict(stride=2, padding=1,
                                output_padding=1), dict(groups=2, dilation=2),
                                dict(stride=3, output_padding=(2, 1), padding=(1, 0))], ids=str)
def test_conv_transpose2d(kw):
    g = kw.get("groups", 1)
    check(lambda M, x, w, b: fn("conv_transpose2d")(M, x, w, b, **kw), randn(2, 4, 4, 3),
          randn(4, 6 // g, 3, 3), randn(6), **TOL)


@pytest.mark.parametrize("kw", [dict(), dict(stride=3, dilation=2), dict(padding=1, stride=2,
                                output_padding=1)], ids=str)
def test_conv_transpose1d(kw):
    check(lambda M, x, w, b: fn("conv_transpose1d")(M, x, w, b, **kw), randn(2, 4, 5),
          randn(4, 3, 3), randn(3), **TOL)
    check(lambda M, x, w: fn("conv_transpose1d")(M, x, w, **kw), randn(4, 5), randn(4, 3, 3),
          **TOL)


def test_conv_top_level_names():
    for name in N.__all__:
        assert getattr(ember, name) is getattr(N, name)
    for name in N._NN_ONLY:
        assert not hasattr(ember, name)


def test_conv_gradgrad():
    gradcheck(lambda M, x, w, b: N.conv2d(x, w, b, stride=2, padding=1, groups=2),
              randn(1, 2, 5, 4), randn(4, 1, 3, 2), randn(4), gradgrad=True)
    gradcheck(lambda M, x, w: N.conv1d(x, w, padding="same", dilation=2), randn(2, 2, 5),
              randn(3, 2, 2), gradgrad=True)
    gradcheck(lambda M, x, w: N.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
              randn(1, 2, 3, 3), randn(2, 3, 3, 2), gradgrad=True)
    gradcheck(lambda M, x, w: N.conv3d(x, w, padding=1), randn(1, 1, 3, 2, 3),
              randn(2, 1, 2, 2, 2), gradgrad=True)


def test_conv_double_backward_parity():
    def f(M, x, w):
        y = fn("conv2d")(M, x, w, stride=2, padding=1)
        gx, gw = M.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return gx, gw
    check(f, randn(2, 2, 5, 5), randn(3, 2, 3, 3), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", [
    ("conv2d", (randn(2, 3), randn(4, 3, 3, 3)), {}),
    ("conv2d", (randn(1, 4, 5, 5), randn(4, 3, 3, 3)), {}),
    ("conv2d", (randn(1, 3, 2, 2), randn(4, 3, 3, 3)), {}),
    ("conv2d", (randn(1, 4, 5, 5), randn(3, 2, 3, 3)), dict(groups=2)),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3)), {}),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3)), dict(padding="same", stride=2)),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3)), dict(stride=0)),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3)), dict(padding=-1)),
    ("conv1d", (randn(1, 3, 5, 5), randn(4, 3, 3)), {}),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3, dtype=np.float64)), {}),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3), randn(3)), {}),
    ("conv2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3)), dict(padding="foo")),
    ("conv2d", (np.ones((1, 3, 5, 5), bool), np.ones((4, 3, 3, 3), bool)), {}),
    ("conv2d", (np.ones((1, 3, 5, 5), np.int64), randn(4, 3, 3, 3)), {}),
    ("conv_transpose2d", (randn(1, 3, 5, 5), randn(4, 3, 3, 3)), {}),
    ("conv_transpose2d", (randn(1, 4, 5, 5), randn(4, 3, 3, 3)), dict(output_padding=1)),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_conv_errors(case):
    name, arrays, kw = case
    check_raises(lambda M, *a: fn(name)(M, *a, **kw), *arrays)


def test_conv_error_messages():
    x, w = ember.from_numpy(randn(1, 4, 5, 5)), ember.from_numpy(randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match=r"expected input\[1, 4, 5, 5\] to have 3 channels"):
        N.conv2d(x, w)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input "
                                           r"to conv2d, but got input of size: \[5, 5\]"):
        N.conv2d(x[0, 0], w)


# --- pooling ----------------------------------------------------------------------------------
MAXPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=1, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kw", MAXPOOL, ids=str)
def test_max_pool2d(kw):
    x = randn(2, 3, 7, 8)
    check(lambda M, x: fn("max_pool2d")(M, x, **kw), x)
    check(lambda M, x: fn("max_pool2d")(M, x, return_indices=True, **kw), x[0])


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1,
                                ceil_mode=True), dict(kernel_size=2, dilation=3)], ids=str)
def test_max_pool1d(kw):
    check(lambda M, x: fn("max_pool1d")(M, x, return_indices=True, **kw), randn(2, 3, 11))
    check(lambda M, x: fn("max_pool1d")(M, x, **kw), randn(3, 11, dtype=np.float64))


AVGPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(2, 1), divisor_override=5),
]


@pytest.mark.parametrize("kw", AVGPOOL, ids=str)
def test_avg_pool2d(kw):
    check(lambda M, x: fn("avg_pool2d")(M, x, **kw), randn(2, 3, 7, 8))
    check(lambda M, x: fn("avg_pool2d")(M, x, **kw), randn(3, 7, 8, dtype=np.float64))


@pytest.mark.parametrize("kw", [k for k in AVGPOOL if "divisor_override" not in k
                                and not isinstance(k["kernel_size"], tuple)], ids=str)
def test_avg_pool1d(kw):
    check(lambda M, x: fn("avg_pool1d")(M, x, **kw), randn(2, 3, 9))


@pytest.mark.parametrize("out", [1, 3, 4, (2, 5), (None, 3)], ids=str)
def test_adaptive_pool2d(out):
    x = randn(2, 3, 8, 7)
    check(lambda M, x: fn("adaptive_avg_pool2d")(M, x, out), x)
    check(lambda M, x: fn("adaptive_max_pool2d")(M, x, out, return_indices=True), x)
    check(lambda M, x: fn("adaptive_max_pool2d")(M, x, out), x[0])


@pytest.mark.parametrize("out", [1, 3, 5])
def test_adaptive_pool1d(out):
    x = randn(2, 3, 10)
    check(lambda M, x: fn("adaptive_avg_pool1d")(M, x, out), x)
    check(lambda M, x: fn("adaptive_max_pool1d")(M, x, out, return_indices=True), x)


def test_pool_gradgrad():
    x = randn(1, 2, 5, 6)
    gradcheck(lambda M, x: N.max_pool2d(x, 3, 2, 1, ceil_mode=True), x, gradgrad=True)
    gradcheck(lambda M, x: N.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
              x, gradgrad=True)
    gradcheck(lambda M, x: N.adaptive_avg_pool2d(x, (3, 4)), x, gradgrad=True)
    gradcheck(lambda M, x: N.adaptive_max_pool2d(x, (2, 4)), x, gradgrad=True)


@pytest.mark.parametrize("case", [
    ("max_pool2d", randn(2, 3), dict(kernel_size=2)),
    ("max_pool2d", randn(1, 3, 4, 4), dict(kernel_size=2, padding=2)),
    ("max_pool2d", randn(1, 3, 2, 2), dict(kernel_size=3)),
    ("max_pool2d", randn(1, 3, 4, 4), dict(kernel_size=0)),
    ("avg_pool2d", randn(1, 3, 4, 4), dict(kernel_size=2, padding=2)),
    ("avg_pool2d", randn(1, 3, 4, 4), dict(kernel_size=2, divisor_override=0)),
    ("max_pool1d", randn(1, 3, 4, 4, 4), dict(kernel_size=2)),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_pool_errors(case):
    name, x, kw = case
    check_raises(lambda M, x: fn(name)(M, x, **kw), x)


def test_max_unpool2d():
    def f(M, x, **kw):
        v, i = fn("max_pool2d")(M, x, 2, return_indices=True, **kw)
        return fn("max_unpool2d")(M, v, i, 2, **kw)
    check(f, randn(2, 3, 6, 4))
    check(lambda M, x: f(M, x, stride=1), randn(3, 5, 5))
    check(lambda M, x: fn("max_unpool2d")(M, *fn("max_pool2d")(M, x, 2, return_indices=True),
                                          2, output_size=(7, 5)), randn(2, 3, 7, 5))
    gradcheck(lambda M, x: f(M, x), randn(1, 2, 4, 4), gradgrad=True)
    check_raises(lambda M, x, i: fn("max_unpool2d")(M, x, i, 2), randn(1, 2, 2, 2),
                 np.full((1, 2, 2, 2), 99))


# --- softmax ----------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Implicit dimension")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 3, 4), 1),
                                       ((), 0), ((0, 3), 1), ((2, 3, 4), None)], ids=str)
def test_softmax(name, shape, dim):
    x = np.asarray(randn(*shape) * 5, dtype=np.float32)
    check(lambda M, x: fn(name)(M, x, dim), x)
    check(lambda M, x: fn(name)(M, x, dim, dtype=M.float64), x)
    if dim is not None:
        check(lambda M, x: getattr(x, name)(dim), x.astype(np.float64))
        check(lambda M, x: getattr(M, name)(x, dim), x)


def test_softmax_extreme_and_gradgrad():
    x = np.array([[1000., 0., -1000.], [-np.inf, 0., 1.]], dtype=np.float32)
    check(fn("softmax"), x, 1, grad=False)
    check(fn("log_softmax"), x[:1], 1)
    gradcheck(lambda M, x: N.softmax(x, 1), randn(2, 3), gradgrad=True)
    gradcheck(lambda M, x: N.log_softmax(x, 0), randn(2, 3), gradgrad=True)


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        N.softmax(ember.zeros(2, 3))


def test_softmax_errors():
    check_raises(lambda M, x: fn("softmax")(M, x, 2), randn(2, 3))
    check_raises(lambda M, x: fn("log_softmax")(M, x, 0), np.arange(3))


def test_pixel_shuffle():
    check(lambda M, x: M.pixel_shuffle(x, 2), randn(2, 8, 3, 2))
    check(lambda M, x: M.pixel_shuffle(x, 3), randn(9, 2, 2))
    check_raises(lambda M, x: M.pixel_shuffle(x, 2), randn(2, 6, 3, 2))
