"""LeNet-5 (LeCun et al., 1998) in its common modern form (not part of torchvision)."""
from ... import nn
from ._api import _load_weights, _prepare, register_model

__all__ = ["LeNet5", "lenet5"]


class LeNet5(nn.Sequential):
    """LeNet-5 for 1×32×32 inputs (MNIST padded to 32×32 or resized).

    The modern form of LeCun's 1998 network: ReLU instead of scaled tanh, max-pooling instead
    of trainable sub-sampling, and a plain linear output layer instead of RBF units::

        conv 6@5×5 → ReLU → maxpool 2 → conv 16@5×5 → ReLU → maxpool 2 → flatten
        → fc 400→120 → ReLU → fc 120→84 → ReLU → fc 84→num_classes

    It is an ``nn.Sequential``, so its state_dict keys are ``0.weight``, ``0.bias``,
    ``3.*``, ``7.*``, ``9.*``, ``11.*``: the same as the equivalent plain
    ``torch.nn.Sequential`` written out in PyTorch, whose checkpoints therefore load.
    Parameters keep PyTorch's default layer initialisation.

    >>> import ember
    >>> m = LeNet5(num_classes=10)
    >>> tuple(m(ember.zeros(2, 1, 32, 32)).shape)
    (2, 10)
    """

    def __init__(self, num_classes=10):
        super().__init__(
            nn.Conv2d(1, 6, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, num_classes))


@register_model()
def lenet5(*, weights=None, progress=True, **kwargs):
    """LeNet-5 (see :class:`LeNet5`). There are no published weights: ``weights`` may only be
    ``None`` or the path of a checkpoint file."""
    weights = _prepare(weights, None, "lenet5", kwargs)
    return _load_weights(LeNet5(**kwargs), weights)
