"""pixel_shuffle, interpolate and the matching modules against torch."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
import ember.nn  # noqa: F401

from tests.helpers import check, check_raises, gradcheck, randn
from tests.nn.test_layers import compare

X = randn(2, 8, 3, 5)


def F(M):
    return M.nn.functional


def test_pixel_shuffle():
    check(lambda M, x: F(M).pixel_shuffle(x, 2), X)
    check(lambda M, x: F(M).pixel_unshuffle(x, 2), randn(1, 2, 4, 6))
    check(lambda M, x: F(M).pixel_shuffle(x, 2), randn(8, 2, 3))
    check_raises(lambda M, x: F(M).pixel_shuffle(x, 3), X)
    compare("PixelShuffle", (2,), {}, [X])
    compare("PixelUnshuffle", (2,), {}, [randn(1, 2, 4, 6)])


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2}, {"size": (4, 7)}, {"scale_factor": 1.7},
    {"scale_factor": 2, "mode": "bilinear"}, {"size": (7, 4), "mode": "bilinear"},
    {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True},
    {"size": (2, 3), "mode": "bilinear"}, {"size": (6, 9), "mode": "nearest-exact"},
    {"size": (2, 3), "mode": "area"},
])
def test_interpolate_2d(kw):
    check(lambda M, x: F(M).interpolate(x, **kw), X, rtol=1e-5, atol=1e-5)


def test_interpolate_1d_3d_and_gradcheck():
    check(lambda M, x: F(M).interpolate(x, scale_factor=2.5, mode="linear"), randn(2, 3, 4))
    check(lambda M, x: F(M).interpolate(x, size=(3, 4, 5), mode="trilinear"),
          randn(1, 2, 2, 3, 4), rtol=1e-5, atol=1e-5)
    gradcheck(lambda M, x: F(M).interpolate(x, size=(3, 5), mode="bilinear"), randn(1, 1, 2, 3),
              gradgrad=True)
    check_raises(lambda M, x: F(M).interpolate(x, size=3, scale_factor=2), X)
    check_raises(lambda M, x: F(M).interpolate(x, scale_factor=2, align_corners=True), X)


def test_upsample_modules():
    compare("Upsample", (), {"scale_factor": 2, "mode": "nearest"}, [X])
    compare("Upsample", (), {"size": (4, 4), "mode": "bilinear"}, [X], atol=1e-5)
    compare("UpsamplingBilinear2d", (), {"scale_factor": 2}, [X], atol=1e-5)
    compare("UpsamplingNearest2d", (), {"size": 6}, [X])


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": (2, 3), "stride": 2},
                                {"kernel_size": 3, "padding": 1, "dilation": 2},
                                {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0)}])
def test_unfold_fold(kw):
    x = randn(2, 3, 6, 7)
    check(lambda M, x: F(M).unfold(x, **kw), x)
    cols = torch.nn.functional.unfold(torch.from_numpy(x), **kw).numpy()
    check(lambda M, c: F(M).fold(c, (6, 7), **kw), cols)
    check(lambda M, c: F(M).fold(c, (6, 7), **kw), cols[0])
    gradcheck(lambda M, c: F(M).fold(F(M).unfold(c, **kw), (6, 7), **kw),
              randn(1, 1, 6, 7).astype("float64"), gradgrad=True)
    compare("Unfold", (), kw, [x])
    compare("Fold", ((6, 7),), kw, [cols])


def test_max_unpool2d():
    x = randn(2, 3, 6, 6)
    check(lambda M, x: F(M).max_unpool2d(*F(M).max_pool2d(x, 2, return_indices=True), 2), x)
    check(lambda M, x: M.nn.MaxUnpool2d(2)(*M.nn.MaxPool2d(2, return_indices=True)(x),
                                           output_size=(7, 7)), randn(1, 2, 7, 7))
    assert repr(ember.nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))


# ---- bicubic, antialias, lanczos, uint8 ----------------------------------------------------
def interp(**kw):
    return lambda M, x: F(M).interpolate(x, **kw)


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2}, {"scale_factor": 0.5}, {"size": (7, 4)}, {"size": (2, 9)},
    {"scale_factor": (1.7, 0.6)}, {"scale_factor": 1.3, "recompute_scale_factor": True},
    {"size": (5, 5)}, {"size": (1, 1)}, {"scale_factor": (1.1, 1.5)},
])
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic(kw, align_corners):
    f = interp(mode="bicubic", align_corners=align_corners, **kw)
    check(f, X, rtol=1e-5, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)
    check(f, randn(1, 2, 4, 5, dtype="float64"), rtol=1e-10, atol=1e-10)


def test_bicubic_same_size_with_scale_factor():
    # 3 * 1.1 rounds down to 3: the forward still resamples with scale 1/1.1 (as torch's);
    # torch's backward then copies the gradient (its gradcheck fails): compare the values
    # with torch and the gradient with finite differences
    f = interp(scale_factor=(1.1, 1.0), mode="bicubic")
    check(f, X, grad=False, rtol=1e-5, atol=1e-5)
    gradcheck(f, randn(1, 1, 3, 5), gradgrad=True)


def test_bicubic_gradcheck_and_module():
    for kw in ({"size": (5, 3)}, {"scale_factor": 1.5, "align_corners": True}):
        gradcheck(interp(mode="bicubic", **kw), randn(1, 2, 3, 4), gradgrad=True)
    compare("Upsample", (), {"scale_factor": 2, "mode": "bicubic"}, [X], atol=1e-5)
    compare("Upsample", (), {"size": (4, 3), "mode": "bicubic", "align_corners": True}, [X],
            atol=1e-5)
    y = F(ember).interpolate(ember.from_numpy(X).requires_grad_(), scale_factor=2,
                             mode="bicubic")
    assert y.grad_fn.name() == "UpsampleBicubic2DBackward0"


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("size", [(2, 3), (3, 5), (11, 4), (8, 13)])
def test_antialias(mode, size):
    ac = [False] if mode == "lanczos" else [False, True]
    for align_corners in ac:
        f = interp(size=size, mode=mode, align_corners=align_corners, antialias=True)
        check(f, X, rtol=1e-5, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)
    gradcheck(interp(size=size, mode=mode, antialias=True), randn(1, 1, 5, 6), gradgrad=True)


def test_antialias_scale_factor_and_names():
    # torch's antialiased backward with a scale_factor disagrees with its own forward (its
    # gradcheck fails): compare the values with torch, the gradient with finite differences
    for mode in ("bilinear", "bicubic"):
        f = interp(scale_factor=(0.45, 0.7), mode=mode, antialias=True)
        check(f, randn(2, 2, 9, 11), grad=False, rtol=1e-5, atol=1e-5)
        gradcheck(f, randn(1, 1, 9, 11), gradgrad=True)
        y = F(ember).interpolate(ember.from_numpy(X).requires_grad_(), size=(2, 2), mode=mode,
                                 antialias=True)
        t = F(torch).interpolate(torch.from_numpy(X).requires_grad_(), size=(2, 2), mode=mode,
                                 antialias=True)
        assert y.grad_fn.name() == t.grad_fn.name()


def test_antialias_single_output_column():
    # torch's antialiased kernels get an output width of 1 wrong (its result differs from
    # the same resize on the transposed image); the transposed call is the reference
    x = randn(2, 3, 8, 5, dtype="float64")
    for mode in ("bilinear", "bicubic"):
        got = F(ember).interpolate(ember.from_numpy(x), size=(4, 1), mode=mode, antialias=True)
        ref = F(torch).interpolate(torch.from_numpy(x).transpose(-1, -2), size=(1, 4),
                                   mode=mode, antialias=True).transpose(-1, -2)
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


@given(h=st.integers(1, 7), w=st.integers(1, 7), oh=st.integers(1, 9), ow=st.integers(2, 9),
       mode=st.sampled_from(["bicubic", "bilinear", "lanczos"]), aa=st.booleans(),
       ac=st.booleans(), seed=st.integers(0, 999))
@settings(max_examples=30, deadline=None)
def test_resample_hypothesis(h, w, oh, ow, mode, aa, ac, seed):
    if mode == "lanczos":
        aa, ac = True, False
    if mode == "bilinear" and not aa:
        aa = True
    x = randn(2, 1, h, w, seed=seed)
    check(interp(size=(oh, ow), mode=mode, align_corners=ac, antialias=aa), x, rtol=1e-5,
          atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)
    u8 = (np.abs(x) * 90).astype(np.uint8)
    check(interp(size=(oh, ow), mode=mode, align_corners=ac, antialias=aa), u8)


def test_non_finite_inputs_reach_only_their_taps():
    x = randn(1, 2, 5, 6, dtype="float64")
    x[0, 0, 2, 3], x[0, 1, 1, 1], x[0, 1, 4, 5] = np.inf, -np.inf, np.nan
    # (5 -> 3 antialiased bicubic is left out: a tap there sits exactly on the filter's
    # zero, which torch's fused multiply-adds turn into a weight of 1e-32 times inf)
    for kw in ({"mode": "bicubic"}, {"mode": "bicubic", "align_corners": True},
               {"mode": "bicubic", "antialias": True}, {"mode": "bilinear", "antialias": True}):
        for size in ((9, 11), (2, 4), (5, 8)):
            check(interp(size=size, **kw), x, grad=False)


@pytest.mark.parametrize("kw", [
    {"mode": "bicubic", "size": (9, 13)}, {"mode": "bicubic", "scale_factor": (0.6, 1.3)},
    {"mode": "bicubic", "size": (4, 4), "align_corners": True},
    {"mode": "bilinear", "size": (9, 5)}, {"mode": "bilinear", "scale_factor": 1.6},
    {"mode": "bilinear", "size": (3, 4), "antialias": True},
    {"mode": "bicubic", "scale_factor": (0.3, 0.45), "antialias": True},
    {"mode": "lanczos", "size": (4, 13), "antialias": True},
])
def test_uint8_is_bit_exact(kw):
    x = (np.abs(randn(2, 3, 10, 9)) * 90).astype(np.uint8)
    check(interp(**kw), x)


@pytest.mark.parametrize("dim,mode", [(3, "linear"), (4, "bilinear"), (5, "trilinear")])
def test_linear_modes_keep_an_unchanged_axis(dim, mode):
    # 5 * 1.1 rounds down to 5: that axis is copied, not resampled with scale 1/1.1
    for ac in (False, True):
        check(interp(scale_factor=1.1, mode=mode, align_corners=ac),
              randn(*(1, 2) + (5,) * (dim - 2)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda M, x: F(M).interpolate(x[0], scale_factor=2, mode="bicubic"),  # 3-D input
    lambda M, x: F(M).interpolate(x[None], scale_factor=2, mode="bicubic"),
    lambda M, x: F(M).interpolate(x[0, 0], scale_factor=2, mode="bicubic"),
    lambda M, x: F(M).interpolate(x.long(), scale_factor=2, mode="bicubic"),
    lambda M, x: F(M).interpolate(x.int(), size=2, mode="bicubic", antialias=True),
    lambda M, x: F(M).interpolate(x.half(), size=2, mode="bilinear", antialias=True),
    lambda M, x: F(M).interpolate(x, size=2, mode="nearest", antialias=True),
    lambda M, x: F(M).interpolate(x, size=2, mode="linear", antialias=True),
    lambda M, x: F(M).interpolate(x[None], size=2, mode="bilinear", antialias=True),
    lambda M, x: F(M).interpolate(x, size=(0, 3), mode="bicubic"),
    lambda M, x: F(M).interpolate(x, size=(2, 0), mode="bilinear", antialias=True),
    lambda M, x: F(M).interpolate(x, size=3, mode="lanczos"),
    lambda M, x: F(M).interpolate(x, size=3, mode="lanczos", antialias=True,
                                  align_corners=True),
    lambda M, x: F(M).interpolate(x, size=3, mode="bicubic", recompute_scale_factor=True),
    lambda M, x: F(M).interpolate(x, scale_factor=2, mode="bicubic", size=3),
    lambda M, x: F(M).interpolate(x, size=(3, 4, 5), mode="bicubic"),
])
def test_bicubic_errors(fn):
    check_raises(fn, X)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("sf", [1.05, 1.1, 1.3, 0.7, 1.9, 2.0])
def test_nearest_scale_factors_match_torch(nd, mode, sf):
    """Including torch's 2-D special case: an axis whose size a scale factor leaves
    unchanged is copied (1-D and 3-D apply the index formula)."""
    x = np.arange(6 ** nd, dtype=np.float32).reshape((1, 1) + (6,) * nd)
    # torch's 1-D/3-D nearest backward copies an unchanged axis although its forward does
    # not, so its gradient there is not the forward's adjoint: compare values only then
    same = int(6 * sf) == 6 and nd != 2 and mode == "nearest"
    check(lambda M, t: M.nn.functional.interpolate(t, scale_factor=sf, mode=mode), x,
          grad=not same)
