"""The ``ember`` command line.

``ember demo`` fits ``y = 3x² + 2`` (plus a little noise) by plain gradient descent
with ember's autograd, the way the classic PyTorch tutorial does it with ``torch``::

    $ ember demo --steps 800 --log-every 400
    step   400  loss ...
    step   800  loss ...
    w = <near 3>, b = <near 2>  (data made with w = 3, b = 2)

The training loop is also importable, so tests can check that it converges:

>>> w, b = fit_quadratic(steps=800, lr=1e-3, seed=100, log_every=0)
>>> abs(w - 3) < 0.1 and abs(b - 2) < 0.1
True
"""

from __future__ import annotations

import argparse

import ember

TRUE_W = 3.0
TRUE_B = 2.0


def fit_quadratic(steps=800, lr=1e-3, seed=100, log_every=100, log=print):
    """Fit ``y = w·x² + b`` to noisy samples of ``3x² + 2``; return ``(w, b)`` as floats.

    ``x`` is 100 points in [-1, 1] shaped (100, 1); the noise is ``0.1 * randn``.
    Every ``log_every`` steps (0: never) the current loss goes to ``log``.
    """
    ember.manual_seed(seed)
    x = ember.linspace(-1, 1, 100).unsqueeze(1)
    y = TRUE_W * x.pow(2) + TRUE_B + 0.1 * ember.randn(100, 1)

    w = ember.randn(1, 1, requires_grad=True)
    b = ember.zeros(1, 1, requires_grad=True)

    for step in range(1, steps + 1):
        y_pred = x.pow(2).mm(w) + b
        loss = 0.5 * (y_pred - y).pow(2).sum()
        loss.backward()
        with ember.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        if log_every and (step % log_every == 0 or step == steps):
            log(f"step {step:5d}  loss {loss.item():.4f}")

    return w.item(), b.item()


def _positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or a positive integer, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _run_demo(args):
    w, b = fit_quadratic(steps=args.steps, lr=args.lr, seed=args.seed, log_every=args.log_every)
    print(f"w = {w:.4f}, b = {b:.4f}  (data made with w = {TRUE_W:g}, b = {TRUE_B:g})")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="ember",
        description="ember: PyTorch's API on NumPy (import ember as torch).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="fit y = 3x^2 + 2 by gradient descent with ember autograd",
        description="Fit y = w*x^2 + b to noisy samples of 3x^2 + 2 by plain gradient "
        "descent with ember's autograd, and print the learned w and b.",
    )
    demo.add_argument(
        "--steps",
        type=_positive_int,
        default=800,
        help="gradient-descent steps (default: %(default)s)",
    )
    demo.add_argument(
        "--lr", type=_positive_float, default=1e-3, help="learning rate (default: %(default)s)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=100,
        help="random seed for ember.manual_seed (default: %(default)s)",
    )
    demo.add_argument(
        "--log-every",
        type=_non_negative_int,
        default=100,
        help="print the loss every N steps, 0 for never (default: %(default)s)",
    )
    demo.set_defaults(func=_run_demo)
    return parser


def main(argv=None):
    """Entry point of the ``ember`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
