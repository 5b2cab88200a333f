"""The example programs in ``examples/`` reach their stated results in ``--quick`` mode.

Each example is imported by path and its ``main(["--quick", ...])`` called in-process; one
is also run as a script in a subprocess. Expected figures come from the examples' stated
results and from independent references (NumPy least squares, torch / torchvision as
oracles for the files written), never from ember itself.
"""
import importlib.util
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
_MODULES = {}


def load_example(name):
    """Import ``examples/<name>.py`` as a module (once per test session)."""
    if name not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"ember_example_{name}",
                                                      os.path.join(EXAMPLES, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[name] = module
    return _MODULES[name]


# --- regression_three_ways -----------------------------------------------------------------
def test_regression_three_ways_recovers_w_and_b():
    ex = load_example("regression_three_ways")
    r = ex.main(["--quick"])
    # the least-squares answer for the same data, by NumPy's solver
    x, y = ex.make_data(100, 100)
    design = np.concatenate([x ** 2, np.ones_like(x)], axis=1).astype(np.float64)
    (w_ls, b_ls), *_ = np.linalg.lstsq(design, y[:, 0].astype(np.float64), rcond=None)
    for method in ("numpy", "autograd", "nn"):
        assert abs(r[f"{method}_w"] - 3) < 0.1, (method, r)
        assert abs(r[f"{method}_b"] - 2) < 0.1, (method, r)
        assert r[f"{method}_w"] == pytest.approx(w_ls, abs=2e-3), method
        assert r[f"{method}_b"] == pytest.approx(b_ls, abs=2e-3), method


def test_regression_three_ways_runs_as_a_script():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, os.path.join("examples", "regression_three_ways.py"),
                           "--quick"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "w = " in line]
    assert len(lines) == 3, proc.stdout
    for line in lines:
        w = float(line.split("w = ")[1].split()[0])
        b = float(line.split("b = ")[1].split()[0])
        assert abs(w - 3) < 0.1 and abs(b - 2) < 0.1, line


# --- char_rnn_classify ---------------------------------------------------------------------
def test_char_rnn_classify_accuracy():
    r = load_example("char_rnn_classify").main(["--quick"])
    assert r["accuracy"] >= 0.85, r


def test_char_rnn_batched_run_equals_one_name_at_a_time():
    ex = load_example("char_rnn_classify")
    ember.manual_seed(0)
    rnn = ex.RNN(ex.n_letters, 16, ex.n_categories)
    names = ["ka", "bjorsteinvik", "elwen", "grukdush"]   # different lengths: padding
    with ember.no_grad():
        batched = ex.run_rnn(rnn, names).numpy()
        single = np.concatenate([ex.run_rnn(rnn, [n]).numpy() for n in names])
    np.testing.assert_allclose(batched, single, rtol=1e-5, atol=1e-6)
    # the one-hot encoding: letter t of name b is a 1 at [t, b, index], zeros elsewhere
    t = ex.batchToTensor(["ab", "c"]).numpy()
    expected = np.zeros((2, 2, 26), np.float32)
    expected[0, 0, 0] = expected[1, 0, 1] = expected[0, 1, 2] = 1
    np.testing.assert_array_equal(t, expected)


@pytest.mark.parametrize("name, argv", [
    ("char_rnn_classify", ["--quick", "--iters", "3", "--batch-size", "4"]),
    ("transformer_classify", ["--quick", "--steps", "3", "--batch-size", "8"]),
])
def test_examples_are_deterministic(name, argv):
    ex = load_example(name)
    assert ex.main(argv) == ex.main(argv)


# --- mnist_cnn -----------------------------------------------------------------------------
def _write_idx(path, array):
    """An IDX file (the MNIST format): magic 0,0,type 0x08 (uint8),ndim; big-endian dims."""
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, array.ndim))
        f.write(struct.pack(f">{array.ndim}I", *array.shape))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def _synthetic_digits(n, rng):
    """28x28 noise images, each with a dim bright block whose place (jittered) is its class."""
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 90, (n, 28, 28))
    for i, k in enumerate(labels):
        r = 4 + 12 * (k // 5) + rng.integers(-3, 4)
        c = 1 + 5 * (k % 5) + rng.integers(-1, 2)
        images[i, max(r, 0):r + 8, max(c, 0):c + 5] += rng.integers(60, 120)
    return np.clip(images, 0, 255).astype(np.uint8), labels


def write_synthetic_mnist(root, n_train=600, n_test=200, seed=0):
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for split, n in (("train", n_train), ("t10k", n_test)):
        images, labels = _synthetic_digits(n, rng)
        _write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), images)
        _write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), labels)


def test_mnist_cnn_learns_mnist_format_files(tmp_path):
    import torch

    write_synthetic_mnist(str(tmp_path / "data"))
    ckpt = tmp_path / "mnist_cnn.pt"
    r = load_example("mnist_cnn").main(["--quick", "--data-root", str(tmp_path / "data"),
                                        "--save-model", "--checkpoint", str(ckpt)])
    assert not r["fake_data"]
    assert r["accuracy"] >= 0.90, r
    # the checkpoint is a state_dict in torch's format: real torch reads it
    state = torch.load(str(ckpt), weights_only=True)
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    assert shapes == {"conv1.weight": (8, 1, 5, 5), "conv1.bias": (8,),
                      "conv2.weight": (16, 8, 5, 5), "conv2.bias": (16,),
                      "fc1.weight": (64, 784), "fc1.bias": (64,),
                      "fc2.weight": (10, 64), "fc2.bias": (10,)}
    assert all(v.dtype == torch.float32 for v in state.values())


def test_mnist_cnn_falls_back_to_fakedata(tmp_path, capsys):
    samples = tmp_path / "samples.png"
    r = load_example("mnist_cnn").main(["--quick", "--epochs", "1", "--samples", str(samples)])
    assert r["fake_data"]
    assert "FakeData" in capsys.readouterr().out
    assert 0.0 <= r["accuracy"] <= 1.0 and np.isfinite(r["test_loss"])
    assert samples.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- word_lm_lstm --------------------------------------------------------------------------
def test_word_lm_lstm_perplexity(tmp_path):
    import torch

    saved = tmp_path / "lm.pt"
    r = load_example("word_lm_lstm").main(["--quick", "--save", str(saved)])
    assert r["initial_val_ppl"] > 0.8 * r["vocab_size"], r    # untrained: about uniform
    assert r["val_ppl"] < 0.1 * r["vocab_size"], r
    assert r["val_ppl"] < 0.25 * r["unigram_ppl"], r
    assert r["test_ppl"] < 0.1 * r["vocab_size"], r
    state = torch.load(str(saved), weights_only=True)
    assert tuple(state["encoder.weight"].shape) == (r["vocab_size"], 64)
    assert tuple(state["rnn.weight_hh_l0"].shape) == (4 * 64, 64)


def test_word_lm_tied_weights_share_one_parameter():
    ex = load_example("word_lm_lstm")
    model = ex.RNNModel(30, 16, 16, 1, tie_weights=True)
    assert model.decoder.weight is model.encoder.weight
    assert len(list(model.parameters())) == len(model.state_dict()) - 1
    with pytest.raises(ValueError, match="nhid must be equal to emsize"):
        ex.RNNModel(30, 16, 8, 1, tie_weights=True)


@given(n=st.integers(2, 60), bsz=st.integers(1, 5), bptt=st.integers(1, 7))
def test_word_lm_batchify_and_get_batch(n, bsz, bptt):
    ex = load_example("word_lm_lstm")
    stream = np.arange(n)
    data = ex.batchify(ember.tensor(stream), bsz)
    rows = n // bsz
    # column j is the j-th contiguous chunk of the stream
    np.testing.assert_array_equal(data.numpy(), stream[:rows * bsz].reshape(bsz, rows).T)
    for i in range(0, max(rows - 1, 0), bptt):
        x, y = ex.get_batch(data, i, bptt)
        assert x.shape[0] == min(bptt, rows - 1 - i)
        np.testing.assert_array_equal(y.numpy(), (x.numpy() + 1).reshape(-1))   # next word


# --- transformer_classify ------------------------------------------------------------------
def test_transformer_classify_accuracy():
    r = load_example("transformer_classify").main(["--quick"])
    assert r["accuracy"] >= 0.90, r


@given(seed=st.integers(0, 2 ** 31 - 1), min_len=st.integers(2, 6), extra=st.integers(0, 6))
def test_transformer_classify_batches_are_well_formed(seed, min_len, extra):
    ex = load_example("transformer_classify")
    g = ember.Generator().manual_seed(seed)
    tokens, mask, labels = ex.make_batch(16, min_len, min_len + extra, generator=g)
    tokens, mask, labels = tokens.numpy(), mask.numpy(), labels.numpy()
    assert tokens.shape == mask.shape == (16, min_len + extra)
    for row, pad, label in zip(tokens, mask, labels):
        length = int((~pad).sum())
        assert min_len <= length <= min_len + extra
        assert not pad[:length].any() and pad[length:].all()
        assert (row[length:] == ex.PAD).all() and (row[:length] != ex.PAD).all()
        (a,), (b,) = np.nonzero(row == ex.A)[0], np.nonzero(row == ex.B)[0]
        assert label == int(a < b)


# --- autoencoder ---------------------------------------------------------------------------
def test_autoencoder_reconstruction_and_png(tmp_path):
    import torch
    from PIL import Image

    from tests.tv_oracle import import_torchvision

    out = tmp_path / "recon.png"
    r = load_example("autoencoder").main(["--quick", "--out", str(out)])
    assert r["test_mse"] < 0.4 * r["initial_mse"], r
    assert r["test_mse"] < r["baseline_mse"], r
    # 32 images of 32x32 (8x8 enlarged 4x), nrow=8, padding=2: torchvision's grid shape
    grid = import_torchvision().utils.make_grid(torch.zeros(32, 1, 32, 32), nrow=8)
    with Image.open(out) as img:
        assert img.size == (grid.shape[2], grid.shape[1])
        assert img.mode == "RGB"
        pixels = np.asarray(img)
    assert pixels.max() > 200 and pixels.min() == 0    # bright strokes on black
