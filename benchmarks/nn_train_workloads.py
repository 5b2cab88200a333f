"""Full training-step workloads written with ``T.nn`` and ``T.optim``: a small CIFAR CNN,
LeNet-5, a one-layer LSTM language model and a two-layer Transformer encoder.  Each step is
``zero_grad``, forward, loss, ``backward``, ``step``; the same code runs on ember and torch.
Each framework initialises its own weights after seeding its RNG: timing only needs equal
shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .workloads import Data, Step, Workload


def _images(n: int, c: int, hw: int, classes: int):
    def data(rng: np.random.Generator) -> Data:
        return {"x": rng.standard_normal((n, c, hw, hw), dtype=np.float32),
                "y": rng.integers(0, classes, size=n, dtype=np.int64)}
    return data


def _train_step(T: Any, model: Any, opt: Any, x: Any, y: Any, loss_fn: Any) -> Step:
    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _cifar_cnn(T: Any, d: Data) -> Step:
    nn = T.nn
    T.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
    opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = T.from_numpy(d["x"].copy()), T.from_numpy(d["y"].copy())
    return _train_step(T, model, opt, x, y, nn.functional.cross_entropy)


def _lenet5(T: Any, d: Data) -> Step:
    nn = T.nn
    T.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))
    opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = T.from_numpy(d["x"].copy()), T.from_numpy(d["y"].copy())
    return _train_step(T, model, opt, x, y, nn.functional.cross_entropy)


_VOCAB, _SEQ, _BATCH = 1000, 35, 20


def _lm_data(rng: np.random.Generator) -> Data:
    return {"x": rng.integers(0, _VOCAB, size=(_SEQ, _BATCH), dtype=np.int64),
            "y": rng.integers(0, _VOCAB, size=(_SEQ, _BATCH), dtype=np.int64)}


def _lstm_lm(T: Any, d: Data) -> Step:
    nn = T.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(_VOCAB, 128)
            self.rnn = nn.LSTM(128, 256)
            self.head = nn.Linear(256, _VOCAB)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.head(h)

    T.manual_seed(0)
    model = LM()
    opt = T.optim.Adam(model.parameters(), lr=1e-3)
    x, y = T.from_numpy(d["x"].copy()), T.from_numpy(d["y"].copy())

    def loss_fn(z: Any, t: Any) -> Any:
        return nn.functional.cross_entropy(z.reshape(-1, _VOCAB), t.reshape(-1))

    return _train_step(T, model, opt, x, y, loss_fn)


def _seq_data(rng: np.random.Generator) -> Data:
    return {"x": rng.standard_normal((16, 64, 128), dtype=np.float32),
            "y": rng.standard_normal((16, 64, 16), dtype=np.float32)}


def _transformer2(T: Any, d: Data) -> Step:
    nn = T.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(d_model=128, nhead=4, batch_first=True)
            self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.head = nn.Linear(128, 16)

        def forward(self, x):
            return self.head(self.enc(x))

    T.manual_seed(0)
    model = Encoder()
    opt = T.optim.Adam(model.parameters(), lr=1e-3)
    x, y = T.from_numpy(d["x"].copy()), T.from_numpy(d["y"].copy())
    return _train_step(T, model, opt, x, y, nn.functional.mse_loss)


WORKLOADS: list[Workload] = [
    Workload("train_cifar_cnn_b32", 2.0, _images(32, 3, 32, 10), _cifar_cnn,
             description="CIFAR CNN (conv 3->32, conv 32->64, linear) 3x32x32 batch 32: "
                         "SGD momentum train step"),
    Workload("train_lenet5_b64", 2.0, _images(64, 1, 32, 10), _lenet5,
             description="LeNet-5 1x32x32 batch 64: SGD momentum train step"),
    Workload("train_lstm_lm_seq35_b20", 1.5, _lm_data, _lstm_lm,
             description="LSTM LM: Embedding(1000,128), LSTM(128,256), Linear(256,1000), "
                         "seq 35 batch 20: Adam train step"),
    Workload("train_transformer2_b16_s64_d128", 1.5, _seq_data, _transformer2,
             description="TransformerEncoder 2 layers d_model 128 nhead 4 on (16,64,128), "
                         "linear head, MSE: Adam train step"),
]
