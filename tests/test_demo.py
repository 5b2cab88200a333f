"""The main job (`ember demo`): it learns the digits, and what it writes is real."""
import numpy as np
import pytest
import torch
from PIL import Image

import ember
from ember import cli, demo


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    lines = []
    result = demo.train(out_dir=str(out), progress=False, log=lines.append)
    return result, lines


def test_default_run_reaches_97_percent(run):
    result, lines = run
    assert result["epochs"] == 10 and result["test_size"] == 359
    assert result["test_acc"] >= 0.97
    assert len(result["history"]["test_acc"]) == 10
    # one line per epoch with loss and held-out accuracy, then the summary
    epoch_lines = [s for s in lines if s.startswith("epoch")]
    assert len(epoch_lines) == 10 and all("test acc" in s for s in epoch_lines)
    assert any(s.startswith("held-out accuracy") for s in lines)


def test_pngs_are_real_images(run):
    result, _ = run
    with Image.open(result["paths"]["curves"]) as im:
        assert im.format == "PNG" and im.size == (1000, 420)
        px = np.asarray(im.convert("RGB"))
    assert (px != 255).any(axis=2).mean() > 0.02          # something is drawn
    with Image.open(result["paths"]["misclassified"]) as im:
        assert im.format == "PNG"
        px = np.asarray(im.convert("RGB"))
    assert px.shape[0] > 40 and px.shape[1] > 40


def test_checkpoint_loads_in_torch_and_predicts_the_same(run):
    """The checkpoint is PyTorch's format: torch.load reads it, and the same architecture
    written in torch with those weights makes the same predictions."""
    result, _ = run
    ckpt = torch.load(result["paths"]["checkpoint"], weights_only=True)
    assert ckpt["arch"] == "cnn" and ckpt["epoch"] == 10
    assert abs(ckpt["test_acc"] - result["test_acc"]) < 1e-12
    tnet = torch.nn.Sequential()
    tnet.features = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
    tnet.classifier = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Dropout(0.25), torch.nn.Linear(1024, 128),
        torch.nn.ReLU(), torch.nn.Linear(128, 10))
    tnet.load_state_dict(ckpt["model"])
    tnet.eval()
    enet, _ = demo.build_model("cnn")
    enet.load_state_dict(ember.load(result["paths"]["checkpoint"])["model"])
    enet.eval()
    x = np.random.default_rng(0).standard_normal((16, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        t = tnet(torch.from_numpy(x)).numpy()
    with ember.no_grad():
        e = enet(ember.from_numpy(x)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


def test_mlp_and_lenet_models_train():
    for name in ("mlp", "lenet"):
        r = demo.train(epochs=1, model=name, out_dir=None, progress=False, log=lambda s: None)
        assert r["test_acc"] > 0.5, name


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["demo", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--epochs", "--batch-size", "--model", "--out-dir", "--lr", "--seed",
                "--workers", "--threads", "--no-progress", "cnn", "lenet"):
        assert opt in out


@pytest.mark.parametrize("argv", [["demo", "--epochs", "0"], ["demo", "--model", "vgg"],
                                  ["demo", "--lr", "-1"]])
def test_bad_options_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    assert "usage: ember demo" in capsys.readouterr().err


def test_unknown_model_name():
    with pytest.raises(ValueError, match="unknown model"):
        demo.build_model("vgg")
