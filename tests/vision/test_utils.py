"""ember.vision.utils (make_grid, save_image) against torchvision.utils."""
import builtins
import io

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember.utils._png import read_png
from ember.vision import utils as eu
from tests.tv_oracle import import_torchvision

torchvision = import_torchvision()
tu = torchvision.utils
Image = pytest.importorskip("PIL.Image")


def _pair(arr):
    return ember.tensor(arr), torch.tensor(arr)


def _check_same(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


def _raises_same(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)):
        fn_e()


# -------------------------------------------------------------------------- make_grid

@given(b=st.integers(1, 9), c=st.sampled_from([1, 3]), h=st.integers(1, 5),
       w=st.integers(1, 5), nrow=st.integers(1, 10), padding=st.integers(0, 3),
       normalize=st.booleans(),
       value_range=st.one_of(st.none(), st.tuples(st.floats(-2, 0), st.floats(0.1, 2))),
       scale_each=st.booleans(), pad_value=st.floats(-1, 2), seed=st.integers(0, 2 ** 16))
def test_make_grid_parity(b, c, h, w, nrow, padding, normalize, value_range, scale_each,
                          pad_value, seed):
    arr = (np.random.default_rng(seed).standard_normal((b, c, h, w)) * 2).astype(np.float32)
    kw = dict(nrow=nrow, padding=padding, normalize=normalize, value_range=value_range,
              scale_each=scale_each, pad_value=pad_value)
    e, t = _pair(arr)
    _check_same(eu.make_grid(e, **kw), tu.make_grid(t, **kw))
    # the input is left alone
    np.testing.assert_array_equal(e.numpy(), arr)


@given(n=st.integers(1, 6), c=st.sampled_from([1, 2, 3, 4]), nrow=st.integers(1, 4),
       normalize=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_make_grid_list_parity(n, c, nrow, normalize, seed):
    arr = np.random.default_rng(seed).random((n, c, 3, 4), dtype=np.float32)
    e = [ember.tensor(a) for a in arr]
    t = [torch.tensor(a) for a in arr]
    _check_same(eu.make_grid(e, nrow=nrow, normalize=normalize),
                tu.make_grid(t, nrow=nrow, normalize=normalize))


@pytest.mark.parametrize("shape", [(4, 5), (1, 4, 5), (3, 4, 5), (2, 4, 5), (1, 1, 4, 5),
                                   (1, 3, 4, 5), (3, 2, 4, 5), (3, 4, 4, 5), (1, 3, 2, 4, 5)])
@pytest.mark.parametrize("normalize", [False, True])
def test_make_grid_shapes(shape, normalize):
    arr = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    e, t = _pair(arr)
    _check_same(eu.make_grid(e, normalize=normalize), tu.make_grid(t, normalize=normalize))


@pytest.mark.parametrize("dtype", ["float64", "float16", "uint8", "int64"])
def test_make_grid_dtypes(dtype):
    arr = (np.random.default_rng(1).random((3, 3, 2, 3)) * 100).astype(dtype)
    e, t = _pair(arr)
    _check_same(eu.make_grid(e, pad_value=0.7), tu.make_grid(t, pad_value=0.7))
    if dtype.startswith("float"):
        _check_same(eu.make_grid(e, normalize=True, scale_each=True),
                    tu.make_grid(t, normalize=True, scale_each=True))


def test_make_grid_no_grad_and_constant_image():
    e = ember.ones(2, 3, 2, 2, requires_grad=True)
    g = eu.make_grid(e, normalize=True)
    assert not g.requires_grad
    _check_same(g, tu.make_grid(torch.ones(2, 3, 2, 2, requires_grad=True), normalize=True))


@pytest.mark.parametrize("call", [
    lambda m, lib: m(lib.rand(2, 3, 3, 4, 4)),                                   # 5-D
    lambda m, lib: m(lib.rand(5)),                                               # 1-D
    lambda m, lib: m(lib.tensor(1.0)),                                           # 0-D
    lambda m, lib: m(np.zeros((2, 3, 4, 4), np.float32)),                        # ndarray
    lambda m, lib: m((lib.rand(3, 2, 2),)),                                      # tuple
    lambda m, lib: m([lib.rand(3, 2, 2), 3]),                                    # bad item
    lambda m, lib: m([lib.rand(3, 2, 2), lib.rand(3, 2, 3)]),                    # sizes
    lambda m, lib: m([]),                                                        # empty
    lambda m, lib: m(lib.rand(2, 3, 2, 2), normalize=True, value_range=[0, 1]),  # list range
    lambda m, lib: m(lib.arange(24).reshape(2, 3, 2, 2), normalize=True),        # int
])
def test_make_grid_errors(call):
    _raises_same(lambda: call(eu.make_grid, ember), lambda: call(tu.make_grid, torch))


def test_make_grid_error_messages():
    with pytest.raises(TypeError, match="ndarray"):
        eu.make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="value_range.*tuple"):
        eu.make_grid(ember.rand(2, 3, 2, 2), normalize=True, value_range=[0, 1])


# ------------------------------------------------------------------------- save_image

def _saved_pixels(save, tensor, tmp_path, name, **kw):
    path = tmp_path / name
    save(tensor, path, **kw)
    with Image.open(path) as im:
        return im.mode, np.asarray(im)


@given(b=st.integers(1, 5), c=st.sampled_from([1, 2, 3, 4]), normalize=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_save_image_png_parity(tmp_path_factory, b, c, normalize, seed):
    tmp = tmp_path_factory.mktemp("png")
    arr = (np.random.default_rng(seed).random((b, c, 3, 5)) * 1.4 - 0.2).astype(np.float32)
    e, t = _pair(arr)
    mode_e, pix_e = _saved_pixels(eu.save_image, e, tmp, "e.png", nrow=2, normalize=normalize)
    mode_t, pix_t = _saved_pixels(tu.save_image, t, tmp, "t.png", nrow=2, normalize=normalize)
    assert mode_e == mode_t
    np.testing.assert_array_equal(pix_e, pix_t)
    np.testing.assert_array_equal(read_png(tmp / "e.png"), pix_t)


def test_save_image_rounding_nan_and_2d(tmp_path):
    arr = np.array([[0.0, 0.5 / 255, 1.5 / 255, 0.998, 1.0, 7.0, -3.0, np.nan]],
                   dtype=np.float32)
    for a in (arr, np.stack([arr, arr * 0.5, arr]), np.stack([arr] * 6).reshape(2, 3, 1, 8)):
        e, t = _pair(a)
        _, pe = _saved_pixels(eu.save_image, e, tmp_path, "e.png", padding=1, pad_value=0.3)
        _, pt = _saved_pixels(tu.save_image, t, tmp_path, "t.png", padding=1, pad_value=0.3)
        np.testing.assert_array_equal(pe, pt)


def test_save_image_float64_and_list(tmp_path):
    arr = np.random.default_rng(3).random((3, 3, 4, 4))
    _, pe = _saved_pixels(eu.save_image, [ember.tensor(a) for a in arr], tmp_path, "e.png")
    _, pt = _saved_pixels(tu.save_image, [torch.tensor(a) for a in arr], tmp_path, "t.png")
    np.testing.assert_array_equal(pe, pt)


def test_save_image_file_objects_and_formats(tmp_path):
    arr = np.random.default_rng(4).random((4, 3, 6, 6), dtype=np.float32)
    e, t = _pair(arr)
    be, bt = io.BytesIO(), io.BytesIO()
    eu.save_image(e, be, format="png")
    tu.save_image(t, bt, format="png")
    be.seek(0)
    bt.seek(0)
    np.testing.assert_array_equal(np.asarray(Image.open(be)), np.asarray(Image.open(bt)))
    # an open file: the format comes from its name
    with open(tmp_path / "f.png", "wb") as f:
        eu.save_image(e, f)
    np.testing.assert_array_equal(read_png(tmp_path / "f.png"), np.asarray(Image.open(bt)))
    # other formats go through Pillow: the same bytes as torchvision's
    for name in ("e.jpg", "e.bmp", "e.PNG"):
        eu.save_image(e, tmp_path / name)
        tu.save_image(t, tmp_path / ("t" + name[1:]))
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / name)),
                                      np.asarray(Image.open(tmp_path / ("t" + name[1:]))))
    eu.save_image(e, tmp_path / "x.dat", format="JPEG")
    with Image.open(tmp_path / "x.dat") as im:
        assert im.format == "JPEG"


@pytest.mark.parametrize("call", [
    lambda s, lib, p: s(lib.rand(2, 5, 2, 2), p / "a.png"),                    # 5 channels
    lambda s, lib, p: s(lib.rand(2, 3, 2, 2), p / "a.foo"),                    # extension
    lambda s, lib, p: s(lib.rand(2, 3, 2, 2), p / "noext"),
    lambda s, lib, p: s(lib.rand(2, 3, 2, 2), io.BytesIO()),                   # no format
    lambda s, lib, p: s(lib.ones(2, 3, 2, 2, dtype=lib.uint8), p / "a.png"),   # uint8
    lambda s, lib, p: s(lib.arange(24).reshape(2, 3, 2, 2), p / "a.png"),      # int64
    lambda s, lib, p: s(lib.rand(2, 3, 2, 2), p / "a.png", foo=1),             # kwarg
    lambda s, lib, p: s(lib.rand(2, 3, 2, 2), p / "missing" / "a.png"),        # folder
    lambda s, lib, p: s(lib.rand(1, 3, 3, 2, 2), p / "a.png"),                 # 5-D, B=1
    lambda s, lib, p: s("abc", p / "a.png"),
])
def test_save_image_errors(tmp_path, call):
    _raises_same(lambda: call(eu.save_image, ember, tmp_path),
                 lambda: call(tu.save_image, torch, tmp_path))


def test_save_image_without_pillow(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no Pillow here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    arr = np.random.default_rng(5).random((3, 1, 4, 4), dtype=np.float32)
    eu.save_image(ember.tensor(arr), tmp_path / "a.png", padding=1)
    with pytest.raises(ImportError, match="Pillow"):
        eu.save_image(ember.tensor(arr), tmp_path / "a.jpg")
    with pytest.raises(ValueError, match="extension"):
        eu.save_image(ember.tensor(arr), tmp_path / "a.foo")
    monkeypatch.undo()
    tu.save_image(torch.tensor(arr), tmp_path / "t.png", padding=1)
    np.testing.assert_array_equal(read_png(tmp_path / "a.png"),
                                  np.asarray(Image.open(tmp_path / "t.png")))
