"""pixel_shuffle, interpolate and the matching modules against torch."""
import pytest
import torch

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
