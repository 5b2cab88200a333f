"""Fit y = 3x² + 2 (plus noise) three ways, as in the classic "NumPy → autograd → nn" lesson.

(a) NumPy by hand: the model y = w·x² + b, the loss, and its gradients written out manually.
(b) Tensors + autograd: the same model with ``requires_grad=True`` leaves; ``loss.backward()``
    computes the gradients, the update runs under ``torch.no_grad()`` and ``grad.zero_()``
    clears them for the next step.
(c) ``nn`` + ``optim``: ``nn.Linear(1, 1)`` on the feature x², ``nn.MSELoss`` and
    ``optim.SGD`` — the loop every PyTorch program uses.

All three see the same data and should recover w ≈ 3 and b ≈ 2 (within 0.1).

    python examples/regression_three_ways.py [--quick] [--steps N] [--lr LR] [--seed S]
"""
import argparse

import numpy as np

import ember as torch
from ember import nn, optim


def make_data(n, seed):
    """x on [-1, 1] and y = 3x² + 2 plus Gaussian noise (std 0.1), both float32 (n, 1)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, n, dtype=np.float32).reshape(n, 1)
    y = (3 * x ** 2 + 2 + 0.1 * rng.standard_normal((n, 1))).astype(np.float32)
    return x, y


def fit_numpy(x, y, steps, lr, seed):
    """(a) Gradient descent with hand-derived gradients of the mean squared error."""
    rng = np.random.default_rng(seed)
    w = rng.random((1, 1))
    b = np.zeros((1, 1))
    for _ in range(steps):
        y_pred = x ** 2 * w + b
        err = y_pred - y
        loss = (err ** 2).mean()
        grad_w = 2 * (err * x ** 2).mean()   # dL/dw
        grad_b = 2 * err.mean()              # dL/db
        w -= lr * grad_w
        b -= lr * grad_b
    return float(w[0, 0]), float(b[0, 0]), float(loss)


def fit_autograd(x, y, steps, lr):
    """(b) The same model on tensors; autograd supplies the gradients."""
    x = torch.from_numpy(x)
    y = torch.from_numpy(y)
    w = torch.rand(1, 1, requires_grad=True)
    b = torch.zeros(1, 1, requires_grad=True)
    for _ in range(steps):
        y_pred = x.pow(2).mm(w) + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.item(), b.item(), loss.item()


def fit_nn(x, y, steps, lr):
    """(c) nn.Linear on the x² feature, trained with optim.SGD and nn.MSELoss."""
    features = torch.from_numpy(x) ** 2
    target = torch.from_numpy(y)
    model = nn.Linear(1, 1)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(features), target)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item(), loss.item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points and steps")
    parser.add_argument("--steps", type=int, default=None, help="gradient steps per method")
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate")
    parser.add_argument("--seed", type=int, default=100)
    args = parser.parse_args(argv)
    n = 100 if args.quick else 1000
    steps = args.steps or (300 if args.quick else 2000)

    torch.manual_seed(args.seed)
    x, y = make_data(n, args.seed)
    results = {}
    for name, (w, b, loss) in (("numpy", fit_numpy(x, y, steps, args.lr, args.seed)),
                               ("autograd", fit_autograd(x, y, steps, args.lr)),
                               ("nn", fit_nn(x, y, steps, args.lr))):
        print(f"{name:>8}: w = {w:.4f}  b = {b:.4f}  loss = {loss:.5f}")
        results[f"{name}_w"] = w
        results[f"{name}_b"] = b
        results[f"{name}_loss"] = loss
    return results


if __name__ == "__main__":
    main()
