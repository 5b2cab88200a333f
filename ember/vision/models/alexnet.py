"""AlexNet (Krizhevsky et al., 2012), torchvision's one-GPU variant."""
from ... import nn
from ...ops.shape import flatten
from ._api import _attach, _imagenet, _load_weights, _make_weights_enum, _prepare, register_model

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """AlexNet: ``features`` (5 convs, 3 max-pools), ``avgpool`` (adaptive to 6×6) and
    ``classifier`` (3 linear layers with dropout). Inputs need H, W ≥ 63. Parameters keep
    PyTorch's default layer initialisation, as in torchvision.

    >>> import ember
    >>> m = AlexNet(num_classes=5).eval()
    >>> tuple(m(ember.zeros(1, 3, 63, 63)).shape)
    (1, 5)
    """

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


AlexNet_Weights = _make_weights_enum("AlexNet_Weights", {
    "IMAGENET1K_V1": _imagenet("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
                               61100840, (63, 63), 56.522, 79.066),
}, "IMAGENET1K_V1", __name__)


@register_model()
@_attach(AlexNet_Weights)
def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet from "One weird trick for parallelizing convolutional neural networks".

    ``weights``: None, a checkpoint path, or an :class:`AlexNet_Weights` member/name (read
    from the torch hub cache; ember never downloads). ``progress`` is accepted and ignored.
    """
    weights = _prepare(weights, AlexNet_Weights, "alexnet", kwargs)
    return _load_weights(AlexNet(**kwargs), weights)
