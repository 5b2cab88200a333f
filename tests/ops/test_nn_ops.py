"""Parity of ember.ops.nn (convolution, pooling, softmax, hardtanh) with torch.nn.functional."""
import concurrent.futures

import numpy as np
import pytest
import torch
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


# --- depthwise, grouped and pointwise convolution ---------------------------------------------
# groups == in_channels (one or two outputs per channel) take the depthwise kernels, 1x1
# kernels without padding the pointwise ones, small channel groups channel-first columns
DW = [
    dict(padding=1),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(0, 2), dilation=(1, 2)),
    dict(stride=3, padding=2, dilation=2),
    dict(padding="same"),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kw", DW, ids=str)
@pytest.mark.parametrize("mult", [1, 2])
def test_depthwise_conv2d(kw, mult):
    c = 3
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, groups=c, **kw), randn(2, c, 9, 8),
          randn(c * mult, 1, 3, 3), randn(c * mult), **TOL)
    check(lambda M, x, w: fn("conv2d")(M, x, w, groups=c, **kw),
          randn(1, c, 7, 6, dtype=np.float64), randn(c * mult, 1, 2, 3, dtype=np.float64),
          rtol=1e-10, atol=1e-12)


def test_depthwise_conv_half():
    # float16 accumulates in float32 and rounds once, as torch
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, stride=2, padding=1, groups=4),
          randn(2, 4, 9, 9, dtype=np.float16), randn(4, 1, 3, 3, dtype=np.float16),
          randn(4, dtype=np.float16), rtol=2e-3, atol=2e-3)


def test_depthwise_conv1d_conv3d_and_transposed():
    check(lambda M, x, w, b: fn("conv1d")(M, x, w, b, stride=2, padding=1, groups=4),
          randn(2, 4, 11), randn(8, 1, 3), randn(8), **TOL)
    check(lambda M, x, w: fn("conv3d")(M, x, w, stride=(1, 2, 1), padding=1, groups=2),
          randn(1, 2, 4, 5, 3), randn(2, 1, 3, 2, 3), **TOL)
    check(lambda M, x, w: fn("conv_transpose2d")(M, x, w, stride=2, padding=1,
                                                  output_padding=1, groups=3),
          randn(2, 3, 4, 5), randn(3, 1, 3, 3), **TOL)
    check(lambda M, x, w: fn("conv_transpose1d")(M, x, w, stride=3, dilation=2, groups=4),
          randn(2, 4, 5), randn(4, 2, 2), **TOL)


def test_depthwise_blocks_and_unbuffered_rows(monkeypatch):
    # tiny blocks: several blocks of channels, and samples split when one channel is too
    # long; the rows (2 * 14 * 14) are long enough to run without NumPy's ufunc buffer,
    # which must be back to its size afterwards
    bufsize = np.getbufsize()
    x, w, b = randn(2, 5, 12, 12), randn(5, 1, 3, 3), randn(5)
    for block in (1 << 17, 400, 100):
        monkeypatch.setattr(N, "_DW_BLOCK", block)
        check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, padding=1, groups=5), x, w, b, **TOL)
        check(lambda M, x, w: fn("conv2d")(M, x, w, stride=2, groups=5), x, w, **TOL)
    assert np.getbufsize() == bufsize


def test_depthwise_threads():
    # the kernels' scratch buffers are per thread
    cases = [(randn(2, 6, 15, 13), randn(6, 1, 3, 3), 1),
             (randn(3, 4, 9, 20), randn(8, 1, 2, 3), 2)]
    want = [F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=s, padding=1,
                     groups=x.shape[1]).numpy() for x, w, s in cases]

    def run(i):
        x, w, s = cases[i % 2]
        return i % 2, N.conv2d(ember.from_numpy(x), ember.from_numpy(w), stride=s, padding=1,
                               groups=x.shape[1]).numpy()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for i, got in pool.map(run, range(16)):
            np.testing.assert_allclose(got, want[i], rtol=1e-5, atol=1e-5)


def test_depthwise_gradgrad():
    gradcheck(lambda M, x, w, b: N.conv2d(x, w, b, stride=2, padding=1, groups=2),
              randn(2, 2, 5, 4), randn(2, 1, 3, 2), randn(2), gradgrad=True)
    gradcheck(lambda M, x, w: N.conv2d(x, w, padding=(1, 0), dilation=(2, 1), groups=2),
              randn(1, 2, 5, 4), randn(4, 1, 2, 2), gradgrad=True)
    gradcheck(lambda M, x, w: N.conv_transpose1d(x, w, stride=2, padding=1, groups=3),
              randn(1, 3, 4), randn(3, 1, 3), gradgrad=True)

    def f(M, x, w):
        y = fn("conv2d")(M, x, w, stride=2, padding=1, groups=3)
        gx, gw = M.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return gx, gw
    check(f, randn(2, 3, 6, 5), randn(3, 1, 3, 3), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("where", ["x", "w"])
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_depthwise_non_finite(where, bad):
    # the grid's garbage positions never leak into results, whatever the input holds; a
    # non-finite weight times the zero padding is NaN, as in torch's general kernels (its
    # float32 3x3 depthwise kernel skips the padding instead: float64 goes the general way)
    x, w = randn(2, 3, 6, 7), randn(3, 1, 3, 3)
    if where == "x":
        x[0, 1, 2, 6] = bad
        x[1, 2, 5, 0] = -bad
    else:
        x, w = x.astype(np.float64), w.astype(np.float64)
        w[1, 0, 0, 2] = bad
    with np.errstate(all="ignore"):
        check(lambda M, x, w: fn("conv2d")(M, x, w, stride=(1, 2), padding=1, groups=3), x, w,
              **TOL)


@pytest.mark.parametrize("stride,groups", [(1, 1), (2, 1), ((1, 3), 2), (1, 4)], ids=str)
def test_pointwise_conv(stride, groups):
    cout = 8 if groups == 4 else 6
    kw = dict(stride=stride, groups=groups)
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, **kw), randn(2, 4, 7, 6),
          randn(cout, 4 // groups, 1, 1), randn(cout), **TOL)
    s1 = stride if isinstance(stride, int) else stride[1]
    check(lambda M, x, w: fn("conv1d")(M, x, w, stride=s1, groups=groups), randn(3, 4, 70),
          randn(4, 4 // groups, 1), **TOL)       # small: one product over all samples
    check(lambda M, x, w: fn("conv_transpose2d")(M, x, w, output_padding=0 if stride == 1
                                                  else (0, 1), **kw),
          randn(2, 4, 3, 4), randn(4, 2, 1, 1), **TOL)
    gradcheck(lambda M, x, w: N.conv2d(x, w, **kw), randn(2, 4, 3, 5),
              randn(4, 4 // groups, 1, 1), gradgrad=True)


@pytest.mark.parametrize("cin,groups", [(32, 8), (64, 4), (128, 2)])
def test_grouped_conv_layouts(cin, groups):
    # few channels per group: channel-first columns; many: channels-last
    check(lambda M, x, w, b: fn("conv2d")(M, x, w, b, stride=2, padding=1, groups=groups),
          randn(2, cin, 5, 6), randn(2 * groups, cin // groups, 3, 3), randn(2 * groups),
          rtol=1e-4, atol=1e-4)


def test_conv_transpose_output_padding_past_windows_gradgrad():
    # output_padding >= stride (allowed as it is < dilation): the adjoint convolution keeps
    # only the first outputs
    for k in (2, 1):
        def f(M, x, w, k=k):
            y = fn("conv_transpose1d")(M, x, w, stride=1, padding=0, output_padding=1,
                                       groups=3, dilation=2)
            gx, gw = M.autograd.grad((y * y).sum(), (x, w), create_graph=True)
            return gx, gw
        check(f, randn(2, 3, 4), randn(3, 2, k), rtol=1e-4, atol=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 2), st.sampled_from([1, 2, 3]), st.sampled_from([(1, 1), (1, 2), (2, 1),
       (3, 2)]), st.sampled_from([(1, 1), (1, 3), (3, 3), (2, 3)]), st.integers(0, 2),
       st.integers(1, 2), st.integers(1, 3), st.integers(0, 3), st.booleans())
def test_grouped_conv_fuzz(n, g, cio, k, pad, dil, stride, extra, transposed):
    ci, co = cio
    h, w = dil * (k[0] - 1) + 1 + extra, dil * (k[1] - 1) + 1 + 3 - extra
    if transposed:
        check(lambda M, x, w_: fn("conv_transpose2d")(M, x, w_, stride=stride, dilation=dil,
                                                       groups=g),
              randn(n, ci * g, h, w), randn(ci * g, co, *k), **TOL)
    else:
        check(lambda M, x, w_: fn("conv2d")(M, x, w_, stride=stride, padding=pad,
                                             dilation=dil, groups=g),
              randn(n, ci * g, h, w), randn(co * g, ci, *k), **TOL)


# --- hardtanh ---------------------------------------------------------------------------------
def ht(M, x, *a, **k):
    return (N.hardtanh if M is ember else F.hardtanh)(x, *a, **k)


SPECIAL = np.array([np.nan, -np.inf, -2, -1, -0.5, 0, 0.5, 1, 2, 6, 7, np.inf], np.float32)


@pytest.mark.parametrize("bounds", [(), (0.0, 6.0), (-0.5, 0.7), (0.5, 0.5)], ids=str)
def test_hardtanh(bounds):
    check(lambda M, x: ht(M, x, *bounds), SPECIAL)
    check(lambda M, x: ht(M, x, *bounds), randn(3, 4, dtype=np.float64) * 4)
    check(lambda M, x: ht(M, x * 1, *bounds, inplace=True), randn(2, 5) * 4)
    check(lambda M, x: ht(M, x, *bounds), np.array(0.25))
    check(lambda M, x: ht(M, x, *bounds), np.zeros((0, 3), np.float32))


def test_hardtanh_integer_and_half():
    check(lambda M, x: ht(M, x, -1.5, 2.5), np.array([-3, -1, 0, 2, 3, 5]))
    check(lambda M, x: ht(M, x, 0, 6), np.array([1, 7, 255], np.uint8))
    check(lambda M, x: ht(M, x, 0, 1.5), np.array([-1, 0.5, 2], np.float16), grad=False)


def test_hardtanh_gradients():
    # the gradient is exactly 0 at and beyond the limits, even for inf/NaN upstream
    # gradients, and flows through NaN inputs, as torch's
    def f(M, x):
        x.requires_grad_(True)
        y = ht(M, x, 0.0, 6.0)
        g = M.tensor([np.inf, np.nan, 1.0, -np.inf, np.nan, 2.0], dtype=M.float32)
        return M.autograd.grad(y, x, g)[0]
    check(f, np.array([-1, 7, 3, 6, np.nan, 0], np.float32), grad=False)

    def gg(M, x):
        y = ht(M, x, -0.5, 0.7)
        g, = M.autograd.grad((y * y).sum(), x, create_graph=True)
        return g
    check(gg, randn(4, 5))
    gradcheck(lambda M, x: N.hardtanh(x, -0.5, 0.7), randn(4, 5), gradgrad=True)
    # the in-place result may change afterwards: the mask is kept, not the tensor
    check(lambda M, x: ht(M, x * 2, 0.0, 6.0, inplace=True).mul_(2),
          np.array([-1, 0.5, 2, 7, 3], np.float32))
    x = ember.tensor([0.5, 2.0], requires_grad=True)
    assert N.hardtanh(x * 1, 0, 1).grad_fn.name() == "HardtanhBackward0"


def test_hardtanh_errors():
    check_raises(lambda M, x: ht(M, x, 2.0, 1.0), randn(3))
    check_raises(lambda M, x: ht(M, x), np.array([True, False]))
    check_raises(lambda M, x: ht(M, x), np.array([1 + 1j]))
    check_raises(lambda M, x: ht(M, x.requires_grad_(), inplace=True), randn(3))   # a leaf
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        N.hardtanh([1.0])


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


@pytest.mark.parametrize("block", [2048, 4096])
def test_depthwise_on_two_threads_matches_one(monkeypatch, block):
    """The depthwise kernels split their blocks over ember.set_num_threads threads; the
    result (output, input and weight gradients) does not depend on it. Small blocks: many
    per channel (the weight gradient sums them) and many channels per thread."""
    import ember
    import ember.ops.nn as K
    monkeypatch.setattr(K, "_DW_BLOCK", block)
    calls = []
    real = K._run_blocks
    monkeypatch.setattr(K, "_run_blocks", lambda body, blocks, row: (
        calls.append(len(blocks)), real(body, blocks, row))[1])
    x = np.random.default_rng(0).standard_normal((3, 6, 40, 40)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((12, 1, 3, 3)).astype(np.float32)
    before = ember.get_num_threads()
    res = []
    try:
        for n in (1, 2):
            ember.set_num_threads(n)
            xx = ember.from_numpy(x.copy()).requires_grad_()
            ww = ember.from_numpy(w.copy()).requires_grad_()
            y = ember.nn.functional.conv2d(xx, ww, padding=1, stride=2, groups=6)
            y.backward(y)
            res.append([y.detach().numpy(), xx.grad.numpy(), ww.grad.numpy()])
    finally:
        ember.set_num_threads(before)
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)
    assert max(calls) > 1          # the blocks really were shared out
