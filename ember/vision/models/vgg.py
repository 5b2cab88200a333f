"""VGG 11/13/16/19 with and without batch norm (Simonyan & Zisserman, 2014)."""
from ... import nn
from ...ops.shape import flatten
from ._api import (_attach, _imagenet, _load_weights, _make_weights_enum, _prepare,
                   register_model)

__all__ = ["VGG", "make_layers", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
           "vgg19", "vgg19_bn", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights",
           "VGG13_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights",
           "VGG19_BN_Weights"]

# Conv widths per configuration; "M" is a 2×2 max-pool (configurations A, B, D, E of the paper).
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """VGG: ``features`` (from :func:`make_layers`), ``avgpool`` (adaptive to 7×7) and a
    3-layer ``classifier`` with dropout. With ``init_weights`` convs get
    ``kaiming_normal_(mode="fan_out", nonlinearity="relu")`` and zero bias, batch norms weight 1
    and bias 0, linears ``normal_(0, 0.01)`` and zero bias. ``features`` must end with 512
    channels; the adaptive pool makes any input of at least 32×32 (five pools) work.
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


def make_layers(cfg, batch_norm=False):
    """The ``features`` Sequential of a VGG: a 3×3 conv (padding 1) [+ BatchNorm2d] + ReLU per
    integer of ``cfg``, a 2×2 max-pool per ``"M"``; the input has 3 channels.

    >>> [type(m).__name__ for m in make_layers([8, "M"], batch_norm=True)]
    ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']
    """
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        v = int(v)
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg, batch_norm, weights, enum_cls, name, kwargs):
    weights = _prepare(weights, enum_cls, name, kwargs)
    if weights is not None:
        kwargs["init_weights"] = False
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    return _load_weights(model, weights)


_U = "https://download.pytorch.org/models/"
VGG11_Weights = _make_weights_enum("VGG11_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg11-8a719046.pth", 132863336, (32, 32), 69.02, 88.628),
}, "IMAGENET1K_V1", __name__)
VGG11_BN_Weights = _make_weights_enum("VGG11_BN_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg11_bn-6002323d.pth", 132868840, (32, 32), 70.37, 89.81),
}, "IMAGENET1K_V1", __name__)
VGG13_Weights = _make_weights_enum("VGG13_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg13-19584684.pth", 133047848, (32, 32), 69.928, 89.246),
}, "IMAGENET1K_V1", __name__)
VGG13_BN_Weights = _make_weights_enum("VGG13_BN_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg13_bn-abd245e5.pth", 133053736, (32, 32), 71.586,
                               90.374),
}, "IMAGENET1K_V1", __name__)
VGG16_Weights = _make_weights_enum("VGG16_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg16-397923af.pth", 138357544, (32, 32), 71.592, 90.382),
    # amdegroot's features-only port (for SSD); its classifier is not trained (NaN metrics) and
    # it expects inputs in [0, 255] minus the ImageNet mean.
    "IMAGENET1K_FEATURES": _imagenet(
        _U + "vgg16_features-amdegroot-88682ab5.pth", 138357544, (32, 32), float("nan"),
        float("nan"), num_classes=None, mean=(0.48235, 0.45882, 0.40784),
        std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
}, "IMAGENET1K_V1", __name__)
VGG16_BN_Weights = _make_weights_enum("VGG16_BN_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg16_bn-6c64b313.pth", 138365992, (32, 32), 73.36, 91.516),
}, "IMAGENET1K_V1", __name__)
VGG19_Weights = _make_weights_enum("VGG19_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg19-dcbb9e9d.pth", 143667240, (32, 32), 72.376, 90.876),
}, "IMAGENET1K_V1", __name__)
VGG19_BN_Weights = _make_weights_enum("VGG19_BN_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "vgg19_bn-c79401a0.pth", 143678248, (32, 32), 74.218,
                               91.842),
}, "IMAGENET1K_V1", __name__)

_DOC = """VGG-{n}{bn} ("Very Deep Convolutional Networks for Large-Scale Image Recognition").

    ``weights``: None, a checkpoint path, or a :class:`{enum}` member/name (read from the torch
    hub cache; ember never downloads). ``progress`` is ignored; ``kwargs`` go to :class:`VGG`.
    """


def _builder(fname, cfg, bn, enum_cls):
    def build(*, weights=None, progress=True, **kwargs):
        return _vgg(cfg, bn, weights, enum_cls, fname, kwargs)
    build.__name__ = build.__qualname__ = fname
    build.__module__ = __name__
    build.__doc__ = _DOC.format(n=fname[3:5], bn=" with batch norm" if bn else "",
                                enum=enum_cls.__name__)
    return register_model(fname)(_attach(enum_cls)(build))


vgg11 = _builder("vgg11", "A", False, VGG11_Weights)
vgg11_bn = _builder("vgg11_bn", "A", True, VGG11_BN_Weights)
vgg13 = _builder("vgg13", "B", False, VGG13_Weights)
vgg13_bn = _builder("vgg13_bn", "B", True, VGG13_BN_Weights)
vgg16 = _builder("vgg16", "D", False, VGG16_Weights)
vgg16_bn = _builder("vgg16_bn", "D", True, VGG16_BN_Weights)
vgg19 = _builder("vgg19", "E", False, VGG19_Weights)
vgg19_bn = _builder("vgg19_bn", "E", True, VGG19_BN_Weights)
