"""ember.vision.datasets against torchvision reading the same small files (written here in
the standard formats), and Digits against scikit-learn."""
import gzip
import io
import os
import pathlib
import pickle
import sys
import tarfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import ember
import ember.vision as ev
from ember.utils.data import DataLoader
from ember.vision import datasets as eds
from tests.tv_oracle import import_torchvision

torchvision = import_torchvision()
tds = torchvision.datasets


@pytest.fixture(autouse=True)
def _restore_backend():
    old = ev.get_image_backend()
    yield
    ev.set_image_backend(old)


@pytest.fixture(params=["PIL", "numpy"])
def backend(request):
    ev.set_image_backend(request.param)
    return request.param


def check_image(img, expected, backend, mode):
    """``img`` (ember, either backend) holds the pixels of the PIL image ``expected``."""
    exp = np.asarray(expected)
    if backend == "PIL":
        assert isinstance(img, Image.Image)
        assert img.mode == mode == expected.mode
        np.testing.assert_array_equal(np.asarray(img), exp)
    else:
        assert isinstance(img, np.ndarray) and img.dtype == np.uint8
        assert img.shape == exp.shape
        np.testing.assert_array_equal(img, exp)


# ---------------------------------------------------------------- MNIST

def write_idx(path, arr, code=0x08):
    arr = np.asarray(arr)
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big")
                                                      for d in arr.shape)
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    raw = header + big.tobytes()
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(raw)
    else:
        pathlib.Path(path).write_bytes(raw)


def make_mnist(root, name="MNIST", n_train=7, n_test=5, gz=False, seed=0, hw=(28, 28)):
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    ext = ".gz" if gz else ""
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, *hw), dtype=np.uint8)
        lbls = rng.integers(0, 10, n, dtype=np.uint8)
        write_idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte{ext}"), imgs)
        write_idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte{ext}"), lbls)
        out[prefix] = (imgs, lbls)
    return out


MNISTS = ["MNIST", "FashionMNIST", "KMNIST"]


@pytest.mark.parametrize("name", MNISTS)
@pytest.mark.parametrize("train", [True, False])
def test_mnist_matches_torchvision(tmp_path, backend, name, train):
    make_mnist(tmp_path, name)
    ours = getattr(eds, name)(str(tmp_path), train=train)
    ref = getattr(tds, name)(str(tmp_path), train=train)
    assert len(ours) == len(ref) == (7 if train else 5)
    assert ours.classes == ref.classes and ours.class_to_idx == ref.class_to_idx
    assert ours.train is train
    assert isinstance(ours.data, ember.Tensor) and ours.data.dtype == ember.uint8
    assert ours.targets.dtype == ember.int64 and ref.targets.dtype == torch.int64
    assert tuple(ours.data.shape) == tuple(ref.data.shape)
    np.testing.assert_array_equal(ours.data.numpy(), ref.data.numpy())
    np.testing.assert_array_equal(ours.targets.numpy(), ref.targets.numpy())
    assert ours.raw_folder == ref.raw_folder
    for i in list(range(len(ref))) + [-1, -len(ref)]:
        (img, t), (rimg, rt) = ours[i], ref[i]
        assert type(t) is int and t == rt
        check_image(img, rimg, backend, "L")
    with pytest.raises(IndexError):
        ref[len(ref)]
    with pytest.raises(IndexError):
        ours[len(ref)]


def test_mnist_gz_files(tmp_path):
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    make_mnist(plain, seed=3)
    make_mnist(packed, seed=3, gz=True)
    assert sorted(os.listdir(packed / "MNIST" / "raw"))[0].endswith(".gz")
    for train in (True, False):
        ours = eds.MNIST(packed, train=train)
        ref = tds.MNIST(plain, train=train)
        np.testing.assert_array_equal(ours.data.numpy(), ref.data.numpy())
        np.testing.assert_array_equal(ours.targets.numpy(), ref.targets.numpy())


def test_mnist_transforms_and_repr(tmp_path):
    make_mnist(tmp_path)

    def tf(img):
        return int(np.asarray(img, dtype=np.int64).sum())

    def ttf(t):
        return t * 10

    ours = eds.MNIST(str(tmp_path), train=False, transform=tf, target_transform=ttf)
    ref = tds.MNIST(str(tmp_path), train=False, transform=tf, target_transform=ttf)
    for i in range(len(ref)):
        assert ours[i] == ref[i]
    assert repr(ours) == repr(ref)
    assert repr(eds.MNIST(str(tmp_path))) == repr(tds.MNIST(str(tmp_path)))


def test_mnist_download_true_with_files_present(tmp_path, capsys):
    make_mnist(tmp_path, "KMNIST")
    ours = eds.KMNIST(tmp_path, download=True)
    assert len(ours) == 7
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("download", [False, True])
def test_mnist_missing_files(tmp_path, download):
    with pytest.raises(RuntimeError):
        tds.MNIST(str(tmp_path), download=False)
    with pytest.raises(RuntimeError) as e:
        eds.MNIST(str(tmp_path), download=download)
    msg = str(e.value)
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    assert "train-images-idx3-ubyte" in msg and "train-labels-idx1-ubyte" in msg
    assert "network" in msg and "Dataset not found" in msg
    # only the labels missing: named, the images not named as missing
    make_mnist(tmp_path)
    os.remove(tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte")
    with pytest.raises(RuntimeError, match=r"missing: t10k-labels-idx1-ubyte\."):
        eds.MNIST(str(tmp_path), train=False, download=download)


def test_mnist_corrupt_files(tmp_path):
    make_mnist(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    img = raw / "train-images-idx3-ubyte"
    good = img.read_bytes()

    img.write_bytes(b"\x12\x34\x08\x03" + good[4:])            # bad magic
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*magic"):
        eds.MNIST(tmp_path)

    img.write_bytes(good[:-10])                                # truncated: torchvision agrees
    with pytest.raises(RuntimeError):
        tds.MNIST(str(tmp_path))
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*truncated"):
        eds.MNIST(tmp_path)

    img.write_bytes(good[:10])                                 # header cut short
    with pytest.raises(RuntimeError, match="truncated"):
        eds.MNIST(tmp_path)

    gzpath = raw / "t10k-images-idx3-ubyte"
    os.remove(gzpath)
    (raw / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte.gz"):
        eds.MNIST(tmp_path, train=False)


def test_mnist_wrong_dtype_and_rank(tmp_path):
    make_mnist(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    write_idx(raw / "train-images-idx3-ubyte", np.zeros((2, 4, 4), np.int32), code=0x0C)
    with pytest.raises(TypeError):
        tds.MNIST(str(tmp_path))
    with pytest.raises(TypeError, match="int32"):
        eds.MNIST(tmp_path)
    make_mnist(tmp_path)
    write_idx(raw / "train-labels-idx1-ubyte", np.zeros((7, 1), np.uint8))
    with pytest.raises(ValueError):
        tds.MNIST(str(tmp_path))
    with pytest.raises(ValueError, match=r"\[7, 1\]"):
        eds.MNIST(tmp_path)
    make_mnist(tmp_path)
    write_idx(raw / "train-labels-idx1-ubyte", np.zeros(6, np.uint8))
    with pytest.raises(RuntimeError, match="7 images but .* 6 labels"):
        eds.MNIST(tmp_path)


@settings(max_examples=15, deadline=None)
@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5)),
       code=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]),
       gz=st.booleans())
def test_idx_reader_matches_torchvision(tmp_path_factory, shape, code, gz):
    from ember.vision.datasets._utils import read_idx
    from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32,
             0x0D: np.float32, 0x0E: np.float64}[code]
    arr = (np.arange(int(np.prod(shape))).reshape(shape) * 37 - 50).astype(dtype)
    d = tmp_path_factory.mktemp("idx")
    write_idx(d / "f", arr, code)
    if gz:
        write_idx(d / "f.gz", arr, code)
    ours = read_idx(d / "f.gz" if gz else d / "f")
    ref = read_sn3_pascalvincent_tensor(str(d / "f")).numpy()
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_mnist_legacy_processed_files(tmp_path):
    proc = tmp_path / "MNIST" / "processed"
    proc.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for fname, n in (("training.pt", 4), ("test.pt", 3)):
        data = torch.from_numpy(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        torch.save((data, torch.from_numpy(rng.integers(0, 10, n))), proc / fname)
    for train in (True, False):
        ours, ref = eds.MNIST(tmp_path, train=train), tds.MNIST(str(tmp_path), train=train)
        assert len(ours) == len(ref)
        np.testing.assert_array_equal(ours.data.numpy(), ref.data.numpy())
        np.testing.assert_array_equal(ours.targets.numpy(), ref.targets.numpy())
        assert ours[1][1] == ref[1][1]


def test_mnist_deprecated_names(tmp_path):
    make_mnist(tmp_path)
    ds = eds.MNIST(tmp_path)
    with pytest.warns(UserWarning, match="renamed targets"):
        assert ds.train_labels is ds.targets
    with pytest.warns(UserWarning, match="renamed data"):
        assert ds.test_data is ds.data


def test_mnist_in_dataloader(tmp_path):
    make_mnist(tmp_path, n_train=10)
    ev.set_image_backend("numpy")
    ds = eds.MNIST(tmp_path, transform=lambda a: ember.from_numpy(a.astype(np.float32)))
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.shape == (4, 28, 28) and x.dtype == ember.float32 and y.dtype == ember.int64
    np.testing.assert_array_equal(y.numpy(), ds.targets.numpy()[:4])


# ---------------------------------------------------------------- CIFAR

def make_cifar(root, hundred=False, protocol=2, sizes=(2, 3, 1, 2, 2), n_test=3, seed=0):
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, "cifar-100-python" if hundred else "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    n_cls = 100 if hundred else 10

    def dump(name, obj):
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(obj, f, protocol=protocol)

    def batch(n, label):
        d = {"batch_label": f"batch {label}", "data": rng.integers(0, 256, (n, 3072),
                                                                   dtype=np.uint8),
             "filenames": [f"img_{label}_{i}.png" for i in range(n)]}
        if hundred:
            d["fine_labels"] = [int(v) for v in rng.integers(0, n_cls, n)]
            d["coarse_labels"] = [int(v) for v in rng.integers(0, 20, n)]
        else:
            d["labels"] = [int(v) for v in rng.integers(0, n_cls, n)]
        return d

    if hundred:
        dump("train", batch(sum(sizes), "train"))
        dump("test", batch(n_test, "test"))
        dump("meta", {"fine_label_names": [f"fine{i}" for i in range(100)],
                      "coarse_label_names": [f"coarse{i}" for i in range(20)]})
    else:
        for i, n in enumerate(sizes):
            dump(f"data_batch_{i + 1}", batch(n, i))
        dump("test_batch", batch(n_test, "test"))
        dump("batches.meta", {"label_names": [f"class{i}" for i in range(10)],
                              "num_cases_per_batch": 10000, "num_vis": 3072})
    return folder


@pytest.fixture
def tv_cifar_no_md5(monkeypatch):
    # torchvision checks the real files' MD5 sums; ours are synthetic
    import torchvision.datasets.cifar as tvc

    monkeypatch.setattr(tvc, "check_integrity",
                        lambda fpath, md5=None: os.path.isfile(fpath))


@pytest.mark.parametrize("hundred", [False, True])
@pytest.mark.parametrize("train", [True, False])
def test_cifar_matches_torchvision(tmp_path, backend, tv_cifar_no_md5, hundred, train):
    make_cifar(tmp_path, hundred)
    cls = "CIFAR100" if hundred else "CIFAR10"
    ours = getattr(eds, cls)(str(tmp_path), train=train)
    ref = getattr(tds, cls)(str(tmp_path), train=train)
    assert len(ours) == len(ref) == (10 if train else 3)
    assert ours.classes == ref.classes and ours.class_to_idx == ref.class_to_idx
    assert isinstance(ours.data, np.ndarray) and ours.data.dtype == np.uint8
    assert ours.data.shape == ref.data.shape == (len(ref), 32, 32, 3)
    np.testing.assert_array_equal(ours.data, ref.data)
    assert ours.targets == ref.targets and all(type(t) is int for t in ours.targets)
    for i in list(range(len(ref))) + [-1]:
        (img, t), (rimg, rt) = ours[i], ref[i]
        assert t == rt
        check_image(img, rimg, backend, "RGB")
    with pytest.raises(IndexError):
        ours[len(ref)]
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_cifar_pickle_protocols(tmp_path, protocol):
    make_cifar(tmp_path / "a", protocol=2, seed=4)
    make_cifar(tmp_path / "b", protocol=protocol, seed=4)
    a, b = eds.CIFAR10(tmp_path / "a"), eds.CIFAR10(tmp_path / "b")
    np.testing.assert_array_equal(a.data, b.data)
    assert a.targets == b.targets and a.classes == b.classes


def test_cifar_old_numpy_core_names(tmp_path, tv_cifar_no_md5):
    # pickles written by NumPy 1.x name numpy.core.multiarray._reconstruct
    folder = make_cifar(tmp_path, protocol=2)
    for name in os.listdir(folder):
        p = os.path.join(folder, name)
        raw = open(p, "rb").read()
        assert b"numpy._core.multiarray\n" in raw or name == "batches.meta"
        open(p, "wb").write(raw.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n"))
    ours, ref = eds.CIFAR10(tmp_path), tds.CIFAR10(str(tmp_path))
    np.testing.assert_array_equal(ours.data, ref.data)
    assert ours.targets == ref.targets


class _Evil:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class _EvalEvil:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


@pytest.mark.parametrize("which", ["data_batch_1", "batches.meta"])
@pytest.mark.parametrize("kind", ["system", "eval", "class"])
def test_cifar_malicious_pickle_refused(tmp_path, which, kind):
    folder = make_cifar(tmp_path)
    marker = tmp_path / "pwned"
    payload = {"system": _Evil(f"touch {marker}"),
               "eval": _EvalEvil(f"open({str(marker)!r}, 'w').close()"),
               "class": _Evil}[kind]
    with open(os.path.join(folder, which), "wb") as f:
        pickle.dump({"data": payload, "labels": [0], "label_names": payload}, f)
    with pytest.raises(pickle.UnpicklingError, match=which):
        eds.CIFAR10(tmp_path)
    assert not marker.exists()


def test_cifar_bad_contents(tmp_path):
    folder = make_cifar(tmp_path)
    path = os.path.join(folder, "data_batch_2")
    with open(path, "wb") as f:
        pickle.dump({"data": np.zeros((2, 3072), np.float32), "labels": [0, 1]}, f)
    with pytest.raises(RuntimeError, match="data_batch_2.*uint8.*float32"):
        eds.CIFAR10(tmp_path)
    with open(path, "wb") as f:
        pickle.dump({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, f)
    with pytest.raises(RuntimeError, match="2 images but 1 labels"):
        eds.CIFAR10(tmp_path)
    with open(path, "wb") as f:
        f.write(b"\x80\x02}q\x00(X")                           # cut short
    with pytest.raises(pickle.UnpicklingError, match="data_batch_2"):
        eds.CIFAR10(tmp_path)


@pytest.mark.parametrize("download", [False, True])
def test_cifar_missing(tmp_path, download):
    with pytest.raises(RuntimeError) as e:
        eds.CIFAR100(str(tmp_path), download=download)
    msg = str(e.value)
    assert os.path.join(str(tmp_path), "cifar-100-python") in msg
    assert "train, test, meta" in msg and "network" in msg
    with pytest.raises(RuntimeError):
        tds.CIFAR100(str(tmp_path), download=False)
    make_cifar(tmp_path)
    os.remove(tmp_path / "cifar-10-batches-py" / "batches.meta")
    with pytest.raises(RuntimeError, match=r"missing: batches\.meta\."):
        eds.CIFAR10(tmp_path, download=download)


def _tar_dir(archive, src_root, arcname):
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(os.path.join(src_root, arcname), arcname=arcname)


@pytest.mark.parametrize("hundred", [False, True])
def test_cifar_archive_extraction(tmp_path, capsys, hundred):
    src, dst = tmp_path / "src", tmp_path / "dst"
    folder = make_cifar(src, hundred, seed=7)
    dst.mkdir()
    cls = eds.CIFAR100 if hundred else eds.CIFAR10
    _tar_dir(dst / cls.filename, src, os.path.basename(folder))
    with pytest.raises(RuntimeError, match=r"archive .*download=True"):
        cls(dst)
    ours, ref = cls(dst, download=True), cls(src)
    np.testing.assert_array_equal(ours.data, ref.data)
    assert ours.targets == ref.targets and ours.classes == ref.classes
    assert cls(dst, train=False).targets == cls(src, train=False).targets


@pytest.mark.parametrize("bad", ["traversal", "absolute", "symlink"])
def test_cifar_unsafe_archive_refused(tmp_path, bad):
    root = tmp_path / "root"
    root.mkdir()
    with tarfile.open(root / "cifar-10-python.tar.gz", "w:gz") as tf:
        info = tarfile.TarInfo({"traversal": "../escaped", "absolute": str(tmp_path / "abs"),
                                "symlink": "cifar-10-batches-py/link"}[bad])
        if bad == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tf.addfile(info)
        else:
            info.size = 3
            tf.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(RuntimeError, match="refusing member"):
        eds.CIFAR10(root, download=True)
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "abs").exists()
    assert not (root / "cifar-10-batches-py" / "link").exists()


# ---------------------------------------------------------------- ImageFolder

def make_tree(root):
    rng = np.random.default_rng(0)
    files = {"cat/a.png": "RGB", "cat/b.PNG": "L", "cat/sub/c.png": "RGBA",
             "dog/x.png": "P", "dog/y.bmp": "RGB", "dog/notes.txt": None,
             "emu/z.png": "LA"}
    for rel, mode in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if mode is None:
            pathlib.Path(path).write_text("not an image")
            continue
        h, w = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        c = {"RGB": 3, "RGBA": 4, "LA": 2}.get(mode, 1)
        arr = rng.integers(0, 256, (h, w, c) if c > 1 else (h, w), dtype=np.uint8)
        if mode == "P":
            img = Image.fromarray(arr).convert("RGB").convert("P", palette=Image.ADAPTIVE)
        else:
            img = Image.fromarray(arr)
        assert img.mode == mode
        img.save(path, format="BMP" if rel.endswith(".bmp") else "PNG")
    return files


def test_imagefolder_matches_torchvision(tmp_path, backend):
    make_tree(tmp_path)
    ours, ref = eds.ImageFolder(str(tmp_path)), tds.ImageFolder(str(tmp_path))
    assert ours.classes == ref.classes == ["cat", "dog", "emu"]
    assert ours.class_to_idx == ref.class_to_idx
    assert ours.samples == ref.samples and ours.imgs == ref.imgs
    assert ours.targets == ref.targets == [0, 0, 0, 1, 1, 2]
    assert len(ours) == len(ref) == 6
    assert ours.extensions == ref.extensions
    for i in list(range(len(ref))) + [-2]:
        (img, t), (rimg, rt) = ours[i], ref[i]
        assert t == rt
        check_image(img, rimg, backend, "RGB")
    assert repr(ours) == repr(ref)


def test_imagefolder_pathlib_root_and_options(tmp_path):
    make_tree(tmp_path)

    def only_png(p):
        return p.endswith(".png")

    kw = dict(is_valid_file=only_png, target_transform=lambda t: -t,
              loader=lambda p: os.path.basename(p))
    ours, ref = eds.ImageFolder(tmp_path, **kw), tds.ImageFolder(tmp_path, **kw)
    assert ours.samples == ref.samples and ours.extensions is ref.extensions is None
    assert [ours[i] for i in range(len(ours))] == [ref[i] for i in range(len(ref))]


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        tds.ImageFolder(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        eds.ImageFolder(str(tmp_path))
    make_tree(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        tds.ImageFolder(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="classes empty.*Supported extensions are"):
        eds.ImageFolder(str(tmp_path))
    ours = eds.ImageFolder(str(tmp_path), allow_empty=True)
    ref = tds.ImageFolder(str(tmp_path), allow_empty=True)
    assert ours.classes == ref.classes and ours.samples == ref.samples
    for kw in ({}, dict(extensions=(".png",), is_valid_file=lambda p: True)):
        with pytest.raises(ValueError):
            tds.DatasetFolder(str(tmp_path), loader=str, **kw)
        with pytest.raises(ValueError, match="extensions and is_valid_file"):
            eds.DatasetFolder(str(tmp_path), loader=str, **kw)
    with pytest.raises(ValueError):
        eds.DatasetFolder.make_dataset(str(tmp_path), None, extensions=".png")
    from torchvision.datasets import folder as tvf

    from ember.vision.datasets import folder as ef
    with pytest.raises(ValueError):
        tvf.make_dataset(str(tmp_path), {}, extensions=".png")
    with pytest.raises(ValueError, match="at least one entry"):
        ef.make_dataset(str(tmp_path), {}, extensions=".png")


def test_folder_helpers_match_torchvision(tmp_path):
    from torchvision.datasets import folder as tvf

    from ember.vision.datasets import folder as ef
    make_tree(tmp_path)
    assert ef.IMG_EXTENSIONS == tvf.IMG_EXTENSIONS
    assert ef.find_classes(str(tmp_path)) == tvf.find_classes(str(tmp_path))
    for ext in (".png", (".png", ".bmp"), ".txt"):
        assert ef.make_dataset(str(tmp_path), extensions=ext, allow_empty=True) == \
            tvf.make_dataset(str(tmp_path), extensions=ext, allow_empty=True)
    for name in ("a.PNG", "b.tiff", "c.npy", "d", "e.jpg.txt"):
        assert ef.is_image_file(name) == tvf.is_image_file(name)
        assert ef.has_file_allowed_extension(name, ".npy") == \
            tvf.has_file_allowed_extension(name, ".npy")
    path = str(tmp_path / "cat" / "sub" / "c.png")
    np.testing.assert_array_equal(np.asarray(ef.pil_loader(path)),
                                  np.asarray(tvf.pil_loader(path)))
    ev.set_image_backend("PIL")
    assert ef.default_loader(path).mode == "RGB"


def test_datasetfolder_npy(tmp_path, backend):
    rng = np.random.default_rng(2)
    arrays = {"a/0.npy": rng.integers(0, 256, (3, 4, 3), dtype=np.uint8),
              "a/1.npy": rng.integers(0, 256, (2, 5), dtype=np.uint8),
              "b/2.npy": rng.integers(0, 256, (4, 4, 4), dtype=np.uint8)}
    for rel, arr in arrays.items():
        os.makedirs(tmp_path / rel.split("/")[0], exist_ok=True)
        np.save(tmp_path / rel, arr)
    ds = eds.DatasetFolder(str(tmp_path), eds.folder.default_loader, extensions=(".npy",))
    assert ds.classes == ["a", "b"] and ds.targets == [0, 0, 1]
    for (img, _), arr in zip([ds[i] for i in range(3)], arrays.values()):
        rgb = Image.fromarray(arr).convert("RGB")          # Pillow as the oracle for RGB
        check_image(img, rgb, backend, "RGB")


def test_imagefolder_without_pillow(tmp_path, monkeypatch):
    """The NumPy path: PNG through ember's own decoder, other formats need Pillow."""
    make_tree(tmp_path)
    ev.set_image_backend("PIL")
    ref = eds.ImageFolder(str(tmp_path))
    expected = [np.asarray(ref[i][0]) for i in range(len(ref))]
    ev.set_image_backend("numpy")
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    ds = eds.ImageFolder(str(tmp_path))
    for i, (path, _) in enumerate(ds.samples):
        if path.endswith(".bmp"):
            with pytest.raises(ImportError, match="y.bmp.*Pillow"):
                ds[i]
            continue
        img, _ = ds[i]
        assert img.dtype == np.uint8 and img.shape == expected[i].shape
        np.testing.assert_array_equal(img, expected[i])


# ---------------------------------------------------------------- FakeData

@pytest.mark.parametrize("image_size,mode", [((3, 5, 7), "RGB"), ((1, 4, 6), "L"),
                                             ((2, 3, 3), "LA"), ((4, 2, 5), "RGBA"),
                                             ((6, 5), "L")])
def test_fakedata_shapes_modes(image_size, mode):
    ours = eds.FakeData(size=6, image_size=image_size, num_classes=3)
    ref = tds.FakeData(size=6, image_size=image_size, num_classes=3)
    assert len(ours) == len(ref) == 6
    for i in range(6):
        (img, t), (rimg, rt) = ours[i], ref[i]
        assert img.mode == rimg.mode == mode and img.size == rimg.size
        assert type(t) is type(rt) is int and 0 <= t < 3
    ev.set_image_backend("numpy")
    img, _ = ours[0]
    h, w = image_size[-2:]
    c = image_size[0] if len(image_size) == 3 else 1
    assert img.dtype == np.uint8 and img.shape == ((h, w) if c == 1 else (h, w, c))


def test_fakedata_deterministic():
    ev.set_image_backend("numpy")
    a = eds.FakeData(size=20, image_size=(3, 8, 8), num_classes=5)
    b = eds.FakeData(size=20, image_size=(3, 8, 8), num_classes=5)
    c = eds.FakeData(size=20, image_size=(3, 8, 8), num_classes=5, random_offset=3)
    ember.manual_seed(0)
    before = ember.rand(3)
    ember.manual_seed(0)
    first = [a[i] for i in range(20)]
    after = ember.rand(3)           # the global stream is untouched by the dataset
    assert ember.equal(before, after)
    for i in range(20):
        np.testing.assert_array_equal(first[i][0], b[i][0])
        assert first[i][1] == b[i][1]
    for i in range(17):
        np.testing.assert_array_equal(c[i][0], a[i + 3][0])
    assert not np.array_equal(first[0][0], first[1][0])
    np.testing.assert_array_equal(a[-1][0], first[19][0])
    labels = {t for _, t in first}
    assert labels <= set(range(5)) and len(labels) > 1
    pixels = np.concatenate([im.ravel() for im, _ in first])
    assert pixels.min() == 0 and pixels.max() == 255
    with pytest.raises(IndexError):
        tds.FakeData(size=20)[20]
    with pytest.raises(IndexError):
        a[20]
    with pytest.raises(IndexError):
        a[-21]


def test_fakedata_transforms_and_errors():
    ours = eds.FakeData(size=3, image_size=(3, 4, 4), transform=lambda im: im.size,
                        target_transform=lambda t: t + 100)
    ref = tds.FakeData(size=3, image_size=(3, 4, 4), transform=lambda im: im.size,
                       target_transform=lambda t: t + 100)
    for i in range(3):
        (s, t), (rs, rt) = ours[i], ref[i]
        assert s == rs == (4, 4) and type(t) is type(rt) is int and 100 <= t < 110
    for size in ((5, 4, 4), (1, 2, 3, 4)):
        with pytest.raises(ValueError):
            tds.FakeData(size=1, image_size=size)[0]
        with pytest.raises(ValueError, match="image_size"):
            eds.FakeData(size=1, image_size=size)[0]
    assert repr(eds.FakeData(size=3)) == repr(tds.FakeData(size=3))


# ---------------------------------------------------------------- Digits

def test_digits_matches_sklearn(backend):
    from sklearn.datasets import load_digits

    sk = load_digits()
    expected = np.rint(sk.images * 255 / 16).astype(np.uint8)
    perm = np.random.default_rng(0).permutation(1797)
    train, test = eds.Digits(train=True), eds.Digits(train=False)
    assert len(train) + len(test) == 1797 and len(test) == round(0.2 * 1797) == 359
    assert train.classes == [str(i) for i in range(10)]
    assert train.class_to_idx == {str(i): i for i in range(10)}
    assert train.data.dtype == ember.uint8 and train.targets.dtype == ember.int64
    np.testing.assert_array_equal(train.data.numpy(), expected[perm[:1438]])
    np.testing.assert_array_equal(test.data.numpy(), expected[perm[1438:]])
    np.testing.assert_array_equal(train.targets.numpy(), sk.target[perm[:1438]])
    np.testing.assert_array_equal(test.targets.numpy(), sk.target[perm[1438:]])
    assert np.bincount(train.targets.numpy()).sum() == 1438
    assert np.bincount(test.targets.numpy(), minlength=10).min() > 0
    for i in (0, 5, -1):
        img, t = test[i]
        assert type(t) is int and t == int(sk.target[perm[1438:]][i])
        check_image(img, Image.fromarray(expected[perm[1438:]][i]), backend, "L")


def test_digits_fraction_and_options():
    full = eds.Digits(test_fraction=0.0)
    assert len(full) == 1797 and len(eds.Digits(train=False, test_fraction=0.0)) == 0
    assert len(eds.Digits(test_fraction=1.0)) == 0
    tr, te = eds.Digits(test_fraction=0.5), eds.Digits(train=False, test_fraction=0.5)
    assert len(tr) + len(te) == 1797
    rows = {r.tobytes() + bytes([t]) for r, t in zip(full.data.numpy(),
                                                    full.targets.numpy())}
    assert len(rows) > 1700
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="test_fraction"):
            eds.Digits(test_fraction=bad)
    ds = eds.Digits(root="ignored", train=False, transform=lambda im: "x",
                    target_transform=lambda t: t + 1, download=True)
    assert ds[0] == ("x", int(ds.targets[0]) + 1)
    assert "Split: Test" in repr(ds) and "Root location: ignored" in repr(ds)
    ev.set_image_backend("numpy")
    loader = DataLoader(eds.Digits(transform=lambda a: ember.from_numpy(a.astype(np.float32))),
                        batch_size=16, shuffle=True)
    x, y = next(iter(loader))
    assert x.shape == (16, 8, 8) and x.dtype == ember.float32 and y.dtype == ember.int64


def test_digits_without_sklearn(monkeypatch):
    from ember.vision.datasets import digits

    monkeypatch.setattr(digits, "_CACHE", {})
    monkeypatch.setattr(digits, "_csv_path", lambda: None)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        eds.Digits()


def test_digits_does_not_import_sklearn(monkeypatch):
    from ember.vision.datasets import digits

    monkeypatch.setattr(digits, "_CACHE", {})
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    assert len(eds.Digits(train=False)) == 359
    assert "sklearn" not in sys.modules


# ---------------------------------------------------------------- VisionDataset

def test_visiondataset_base_and_repr(tmp_path):
    class Pairs:
        def __call__(self, *args):
            return args if len(args) > 1 else ("t", args[0])

        def __repr__(self):
            return "Pairs(\n  a\n)"

    def body(base):
        class Two(base):
            def __len__(self):
                return 2

            def __getitem__(self, i):
                return self.transforms(i, 0) if self.transforms else (i, 0)
        Two.__name__ = "Two"
        return Two

    tv_two, our_two = body(tds.VisionDataset), body(eds.VisionDataset)
    pairs = Pairs()
    for kw in ({}, dict(transforms=pairs), dict(transform=pairs, target_transform=pairs),
               dict(target_transform=pairs)):
        ours, ref = our_two(str(tmp_path), **kw), tv_two(str(tmp_path), **kw)
        assert repr(ours) == repr(ref)
        assert ours[1] == ref[1]
    assert repr(our_two()) == repr(tv_two())
    assert our_two("~/x").root == tv_two("~/x").root == os.path.expanduser("~/x")
    assert our_two(pathlib.Path("~/x")).root == pathlib.Path("~/x")
    with pytest.raises(ValueError):
        tv_two(transforms=pairs, transform=pairs)
    with pytest.raises(ValueError, match="Only transforms"):
        our_two(transforms=pairs, transform=pairs)
    assert isinstance(our_two(), ember.utils.data.Dataset)
    with pytest.raises(NotImplementedError):
        eds.VisionDataset()[0]
