"""The ``ember`` command line.

``ember demo`` is the main job: a CNN learns scikit-learn's 8×8 handwritten digits with
ember (tqdm progress bars, held-out loss and accuracy per epoch), then writes a checkpoint,
a PNG of the training curves and a PNG grid of the digits it still gets wrong. See
:mod:`ember.demo` for the training code; ``ember demo --help`` lists the options.
"""

from __future__ import annotations

import argparse
import sys


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
    from . import demo, set_num_threads
    set_num_threads(args.threads)
    try:
        demo.train(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                   model=args.model, out_dir=args.out_dir, seed=args.seed,
                   workers=args.workers, progress=not args.no_progress)
    except ImportError as e:         # scikit-learn (which ships the digits) is missing
        print(f"ember demo: {e}", file=sys.stderr)
        return 1
    return 0


# the demo's models, described here so that `ember demo --help` needs no ember import
_MODELS = {
    "cnn": "two 3x3 conv layers, max-pool, two linear layers, on the 8x8 digits",
    "mlp": "one hidden layer of 256 units",
    "lenet": "LeNet-5 from ember.vision.models, digits resized to 32x32",
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="ember",
        description="ember: PyTorch's API on NumPy (import ember as torch).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="train a CNN on the 8x8 handwritten digits (the main job)",
        description="Train a small CNN with ember on the 8x8 handwritten digits that "
        "scikit-learn ships (1438 for training, 359 held out): a tqdm progress bar per "
        "epoch, then the held-out loss and accuracy. At the end it writes a checkpoint "
        "(ember.save, loadable by torch.load), curves.png (loss and accuracy per epoch) and "
        "misclassified.png (the held-out digits it still gets wrong) into --out-dir.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    demo.add_argument("--epochs", type=_positive_int, default=10,
                      help="passes over the training digits")
    demo.add_argument("--batch-size", type=_positive_int, default=32,
                      help="training batch size")
    demo.add_argument("--lr", type=_positive_float, default=1e-3, help="Adam learning rate")
    demo.add_argument("--model", choices=list(_MODELS), default="cnn",
                      help="; ".join(f"{k}: {v}" for k, v in _MODELS.items()))
    demo.add_argument("--out-dir", default="ember-demo",
                      help="where the checkpoint and the PNGs are written")
    demo.add_argument("--seed", type=int, default=0,
                      help="ember.manual_seed for the initial weights and the shuffling")
    demo.add_argument("--workers", type=_non_negative_int, default=0,
                      help="DataLoader worker processes")
    demo.add_argument("--threads", type=_positive_int, default=1,
                      help="BLAS threads for the matrix products (ember.set_num_threads); the "
                      "demo's products are small, and one thread is fastest for them")
    demo.add_argument("--no-progress", action="store_true",
                      help="no progress bars, only one line per epoch")
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
