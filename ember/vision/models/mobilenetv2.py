"""MobileNetV2 (Sandler et al., 2018): inverted residuals with linear bottlenecks."""
from ... import nn
from ...nn import functional as F
from ...ops.shape import flatten
from ._api import _attach, _imagenet, _load_weights, _make_weights_enum, _prepare, register_model
from ._utils import Conv2dNormActivation, _make_divisible

__all__ = ["MobileNetV2", "InvertedResidual", "MobileNet_V2_Weights", "mobilenet_v2"]


class InvertedResidual(nn.Module):
    """1×1 expansion (skipped when ``expand_ratio`` is 1) → 3×3 depthwise (``stride``) → 1×1
    linear projection, each batch-normed, ReLU6 after the first two; a residual connection
    when ``stride == 1`` and ``inp == oup``. Submodules live in ``conv`` (a Sequential).

    >>> import ember
    >>> b = InvertedResidual(16, 16, stride=1, expand_ratio=6)
    >>> b.use_res_connect, tuple(b(ember.zeros(1, 16, 4, 4)).shape)
    (True, (1, 16, 4, 4))
    """

    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        self.stride = stride
        if stride not in (1, 2):
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1,
                                               norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers += [
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim,
                                 norm_layer=norm_layer, activation_layer=nn.ReLU6),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2: ``features`` (stem conv, the inverted-residual stages, a 1×1 conv to
    ``last_channel``), global average pool, ``classifier`` (dropout + linear).

    ``width_mult`` scales every width, rounded by :func:`_make_divisible` to multiples of
    ``round_nearest``; ``last_channel`` is 1280 × max(1, width_mult), rounded.
    ``inverted_residual_setting`` is a list of ``[t, c, n, s]`` (expansion, channels, repeats,
    first stride). Convs get ``kaiming_normal_(mode="fan_out")`` with zero bias, norms weight 1
    and bias 0, the linear ``normal_(0, 0.01)`` with zero bias.

    >>> import ember
    >>> m = MobileNetV2(num_classes=4, width_mult=0.5).eval()
    >>> m.last_channel, tuple(m(ember.zeros(1, 3, 32, 32)).shape)
    (1280, (1, 4))
    """

    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None,
                 round_nearest=8, block=None, norm_layer=None, dropout=0.2):
        super().__init__()
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        input_channel = 32
        last_channel = 1280
        if inverted_residual_setting is None:
            inverted_residual_setting = [
                [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2],
                [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
            ]
        if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
            raise ValueError("inverted_residual_setting should be non-empty or a 4-element "
                             f"list, got {inverted_residual_setting}")
        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer,
                                         activation_layer=nn.ReLU6)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(input_channel, output_channel, s if i == 0 else 1,
                                      expand_ratio=t, norm_layer=norm_layer))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1,
                                             norm_layer=norm_layer, activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout),
                                        nn.Linear(self.last_channel, num_classes))

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


_U = "https://download.pytorch.org/models/"
MobileNet_V2_Weights = _make_weights_enum("MobileNet_V2_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "mobilenet_v2-b0353104.pth", 3504872, (1, 1), 71.878,
                               90.286),
    "IMAGENET1K_V2": _imagenet(_U + "mobilenet_v2-7ebf99e0.pth", 3504872, (1, 1), 72.154,
                               90.822, resize_size=232),
}, "IMAGENET1K_V2", __name__)


@register_model()
@_attach(MobileNet_V2_Weights)
def mobilenet_v2(*, weights=None, progress=True, **kwargs):
    """MobileNetV2 from "MobileNetV2: Inverted Residuals and Linear Bottlenecks".

    ``weights``: None, a checkpoint path, or a :class:`MobileNet_V2_Weights` member/name (read
    from the torch hub cache; ember never downloads). ``progress`` is ignored; ``kwargs`` go
    to :class:`MobileNetV2` (``num_classes``, ``width_mult``, ``dropout`` …).
    """
    weights = _prepare(weights, MobileNet_V2_Weights, "mobilenet_v2", kwargs)
    return _load_weights(MobileNetV2(**kwargs), weights)
