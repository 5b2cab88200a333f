"""The main job (``ember demo``, ``make demo``): a CNN learns the handwritten digits.

Written as a PyTorch user would write it, with ``import ember as torch`` and
``import ember.vision as torchvision``: the 8×8 digits that scikit-learn ships
(``vision.datasets.Digits``, 1438 for training and 359 held out), a ``DataLoader`` with
``transforms``, a small CNN, Adam, a tqdm progress bar per epoch, then the held-out loss
and accuracy after every epoch. At the end it saves a checkpoint (``ember.save``, the
file format PyTorch reads), a PNG of the loss/accuracy curves and a PNG grid of the
held-out digits it still gets wrong, each captioned ``true>predicted``.

>>> r = train(epochs=1, out_dir=None, progress=False, log=lambda *a: None)
>>> r["epochs"], r["test_size"], 0.0 < r["test_acc"] <= 1.0
(1, 359, True)
"""
from __future__ import annotations

import os
import time

import numpy as np

import ember as torch
import ember.vision as torchvision
from ember import nn
from ember.nn import functional as F
from ember.vision import transforms

__all__ = ["MODELS", "build_model", "train"]

MEAN, STD = 0.3, 0.4       # of the training digits' pixels in [0, 1] (rounded)


class DigitsCNN(nn.Module):
    """Two 3×3 convolutions, a 2×2 max-pool and two linear layers (8×8 in, 10 out)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.25),
            nn.Linear(64 * 4 * 4, 128), nn.ReLU(inplace=True),
            nn.Linear(128, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def _mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))


MODELS = {
    "cnn": (DigitsCNN, 8, "two conv layers and two linear layers on the 8x8 digits"),
    "mlp": (_mlp, 8, "one hidden layer of 256"),
    "lenet": (lambda: torchvision.models.lenet5(num_classes=10), 32,
              "LeNet-5 from ember.vision.models, digits resized to 32x32"),
}


def build_model(name):
    """The model called ``name`` (a key of :data:`MODELS`) and the image size it takes."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    make, size, _ = MODELS[name]
    return make(), size


def _loaders(size, batch_size, workers):
    steps = [transforms.ToTensor()]
    if size != 8:
        steps.append(transforms.Resize(size, antialias=False))
    steps.append(transforms.Normalize((MEAN,), (STD,)))
    tf = transforms.Compose(steps)
    train_set = torchvision.datasets.Digits(train=True, transform=tf)
    test_set = torchvision.datasets.Digits(train=False, transform=tf)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=batch_size, shuffle=True,
                                               num_workers=workers)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=256, num_workers=workers)
    return train_loader, test_loader, test_set


def _progress(iterable, desc, enabled):
    """tqdm's bar when it is installed and wanted, else the plain iterable."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            return iterable
        return tqdm(iterable, desc=desc, leave=False, unit="batch", dynamic_ncols=True)
    return iterable


def evaluate(model, loader):
    """``(mean loss, accuracy, predictions)`` of ``model`` over ``loader``."""
    model.eval()
    total, correct, loss_sum, preds = 0, 0, 0.0, []
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += F.cross_entropy(out, y, reduction="sum").item()
            p = out.argmax(1)
            correct += (p == y).sum().item()
            total += y.shape[0]
            preds.append(p)
    return loss_sum / total, correct / total, torch.cat(preds)


def train(epochs=10, batch_size=32, lr=1e-3, model="cnn", out_dir="ember-demo", seed=0,
          workers=0, progress=True, log=print):
    """Train ``model`` on Digits; write the checkpoint and PNGs into ``out_dir`` (None: write
    nothing). Returns a dict with the per-epoch history, the final held-out accuracy,
    the seconds taken and the paths written."""
    torch.manual_seed(seed)
    net, size = build_model(model)
    train_loader, test_loader, test_set = _loaders(size, batch_size, workers)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n_params = sum(p.numel() for p in net.parameters())
    log(f"Digits: {len(train_loader.dataset)} training and {len(test_set)} held-out 8x8 "
        f"images; model '{model}' ({n_params:,} parameters), Adam lr={lr:g}, batch {batch_size}")
    history = {"epoch": [], "train_loss": [], "test_loss": [], "test_acc": []}
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        net.train()
        seen, loss_sum = 0, 0.0
        bar = _progress(train_loader, f"epoch {epoch}/{epochs}", progress)
        for x, y in bar:
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * y.shape[0]
            seen += y.shape[0]
            if bar is not train_loader:
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", refresh=False)
        if bar is not train_loader:
            bar.close()
        test_loss, test_acc, preds = evaluate(net, test_loader)
        for k, v in zip(history, (epoch, loss_sum / seen, test_loss, test_acc)):
            history[k].append(v)
        log(f"epoch {epoch:2d}/{epochs}  train loss {loss_sum / seen:.4f}  "
            f"test loss {test_loss:.4f}  test acc {100 * test_acc:5.2f}%  "
            f"({time.perf_counter() - start:.1f} s)")
    seconds = time.perf_counter() - start
    targets = test_set.targets
    wrong = (preds != targets).nonzero().flatten()
    result = {"epochs": epochs, "test_acc": history["test_acc"][-1],
              "test_size": len(test_set), "misclassified": int(wrong.numel()),
              "seconds": seconds, "history": history, "paths": {}}
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        paths = result["paths"]
        paths["checkpoint"] = os.path.join(out_dir, f"digits_{model}.pt")
        torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(),
                    "epoch": epochs, "test_acc": result["test_acc"], "arch": model},
                   paths["checkpoint"])
        paths["curves"] = os.path.join(out_dir, "curves.png")
        _plot_curves(history, paths["curves"], model)
        paths["misclassified"] = os.path.join(out_dir, "misclassified.png")
        _misclassified_grid(test_set, wrong, preds, paths["misclassified"])
    log(f"held-out accuracy {100 * result['test_acc']:.2f}% after {epochs} epochs in "
        f"{seconds:.1f} s ({result['misclassified']} of {len(test_set)} wrong)")
    for what, path in result["paths"].items():
        log(f"  {what:>13}: {path}")
    return result


def _plot_curves(history, path, model):
    from ember.utils.plot import plot_lines
    ep = history["epoch"]
    acc = [100 * a for a in history["test_acc"]]
    plot_lines(path, [
        {"title": "loss", "xlabel": "epoch", "ylabel": "cross-entropy",
         "series": {"train": (ep, history["train_loss"]), "held-out": (ep, history["test_loss"])}},
        {"title": "held-out accuracy", "xlabel": "epoch", "ylabel": "%",
         "series": {"accuracy": (ep, acc)}},
    ], width=1000, height=420, title=f"ember demo: Digits, model '{model}'")


def _misclassified_grid(test_set, wrong, preds, path, limit=48, zoom=6, nrow=12):
    """The misclassified held-out digits, ``zoom`` times enlarged, each captioned
    ``true>predicted``, as a grid (``vision.utils.make_grid``) under a title."""
    from ember.utils import _png
    from ember.utils.plot import render_text, text_size
    from ember.vision.utils import make_grid

    idx = wrong[:limit]
    side, cap, pad = 8 * zoom, 7 * 2 + 8, 4        # digit, caption strip, grid padding
    if idx.numel():
        imgs = test_set.data[idx].float().div(255).unsqueeze(1)          # (k, 1, 8, 8)
        imgs = F.interpolate(imgs, scale_factor=zoom, mode="nearest")
        imgs = F.pad(imgs, (0, 0, 0, cap), value=0.0)
        grid = make_grid(imgs, nrow=nrow, padding=pad, pad_value=1.0)
        canvas = grid.permute(1, 2, 0).mul(255).add(0.5).clamp(0, 255).byte().numpy().copy()
        for k, i in enumerate(idx.tolist()):
            r, c = divmod(k, nrow)
            x = pad + c * (side + pad) + side // 2
            y = pad + r * (side + cap + pad) + side + 4
            label = f"{int(test_set.targets[i])}>{int(preds[i])}"
            render_text(canvas, x, y, label, (255, 210, 0), 2, align="center")
    else:
        canvas = np.full((side, 4 * side, 3), 255, np.uint8)
        render_text(canvas, canvas.shape[1] // 2, side // 2, "no mistakes", (0, 120, 0), 2,
                    align="center", valign="middle")
    shown = f" (first {limit})" if wrong.numel() > limit else ""
    title = f"{int(wrong.numel())} of {len(test_set)} held-out digits misclassified{shown}"
    sub = "caption: true>predicted"
    w = max(canvas.shape[1], text_size(title, 2)[0] + 16)
    header = np.full((2 * 7 + 7 + 7 + 14, w, 3), 255, np.uint8)
    render_text(header, w // 2, 4, title, (20, 20, 20), 2, align="center")
    render_text(header, w // 2, 4 + 14 + 6, sub, (90, 90, 90), 1, align="center")
    body = np.full((canvas.shape[0] + 8, w, 3), 255, np.uint8)
    x0 = (w - canvas.shape[1]) // 2
    body[:canvas.shape[0], x0:x0 + canvas.shape[1]] = canvas
    _png.write_png(path, np.concatenate([header, body], 0))
