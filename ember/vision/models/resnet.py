"""ResNet (He et al., 2015), ResNeXt and Wide ResNet, with torchvision's layout and keys."""
from ... import nn
from ...ops.shape import flatten
from ._api import (_attach, _imagenet, _load_weights, _make_weights_enum,
                   _ovewrite_named_param, _prepare, register_model)

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50",
           "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
           "wide_resnet50_2", "wide_resnet101_2", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "ResNeXt50_32X4D_Weights", "ResNeXt101_32X8D_Weights", "ResNeXt101_64X4D_Weights",
           "Wide_ResNet50_2_Weights", "Wide_ResNet101_2_Weights"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3×3 convolution without bias, padded to keep the size (at stride 1)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1×1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3×3 conv-BN layers plus the identity (or ``downsample``) shortcut; ``expansion`` 1.

    >>> import ember
    >>> b = BasicBlock(8, 8)
    >>> tuple(b(ember.zeros(1, 8, 4, 4)).shape)
    (1, 8, 4, 4)
    """

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError(f"BasicBlock only supports groups=1 and base_width=64 (got "
                             f"groups={groups}, base_width={base_width})")
        if dilation > 1:
            raise NotImplementedError(f"Dilation > 1 not supported in BasicBlock (got "
                                      f"dilation={dilation})")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1×1 reduce → 3×3 (strided, grouped, dilated) → 1×1 expand, each with BN, plus the
    shortcut; ``expansion`` 4. The stride sits on the 3×3 conv (ResNet v1.5).

    >>> import ember
    >>> b = Bottleneck(32, 8)
    >>> tuple(b(ember.zeros(1, 32, 4, 4)).shape)
    (1, 32, 4, 4)
    """

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 dilation=1, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """ResNet: a 7×7 stride-2 stem with max-pool, four stages of ``block`` (``layers`` blocks
    each, widths 64/128/256/512 × ``block.expansion``), global average pool and ``fc``.

    Convs get ``kaiming_normal_(mode="fan_out", nonlinearity="relu")``, norms weight 1 and
    bias 0; ``zero_init_residual`` zeroes the last norm weight of every block. ``groups`` and
    ``width_per_group`` give ResNeXt / Wide ResNet; ``replace_stride_with_dilation`` (3 bools)
    swaps the stride of stages 2-4 for dilation (Bottleneck only).

    >>> import ember
    >>> m = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=7).eval()
    >>> tuple(m(ember.zeros(1, 3, 32, 32)).shape)
    (1, 7)
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1,
                 width_per_group=64, replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element "
                             f"tuple, got {replace_stride_with_dilation}")
        if len(layers) < 4:
            raise IndexError(f"layers should hold 4 block counts, got {layers}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2,
                                       dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2,
                                       dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2,
                                       dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups,
                                base_width=self.base_width, dilation=self.dilation,
                                norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(flatten(self.avgpool(x), 1))

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, weights, enum_cls, name, kwargs, fixed=()):
    for k, v in fixed:
        _ovewrite_named_param(kwargs, k, v)
    weights = _prepare(weights, enum_cls, name, kwargs)
    return _load_weights(ResNet(block, layers, **kwargs), weights)


_U = "https://download.pytorch.org/models/"


def _v1_v2(name, v1, v2, n, m1, m2):
    """An enum with IMAGENET1K_V1 and IMAGENET1K_V2 (the default)."""
    return _make_weights_enum(name, {
        "IMAGENET1K_V1": _imagenet(_U + v1, n, (1, 1), *m1),
        "IMAGENET1K_V2": _imagenet(_U + v2, n, (1, 1), *m2, resize_size=232),
    }, "IMAGENET1K_V2", __name__)


ResNet18_Weights = _make_weights_enum("ResNet18_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "resnet18-f37072fd.pth", 11689512, (1, 1), 69.758, 89.078),
}, "IMAGENET1K_V1", __name__)
ResNet34_Weights = _make_weights_enum("ResNet34_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "resnet34-b627a593.pth", 21797672, (1, 1), 73.314, 91.42),
}, "IMAGENET1K_V1", __name__)
ResNet50_Weights = _v1_v2("ResNet50_Weights", "resnet50-0676ba61.pth", "resnet50-11ad3fa6.pth",
                          25557032, (76.13, 92.862), (80.858, 95.434))
ResNet101_Weights = _v1_v2("ResNet101_Weights", "resnet101-63fe2227.pth",
                           "resnet101-cd907fc2.pth", 44549160, (77.374, 93.546),
                           (81.886, 95.78))
ResNet152_Weights = _v1_v2("ResNet152_Weights", "resnet152-394f9c45.pth",
                           "resnet152-f82ba261.pth", 60192808, (78.312, 94.046),
                           (82.284, 96.002))
ResNeXt50_32X4D_Weights = _v1_v2("ResNeXt50_32X4D_Weights", "resnext50_32x4d-7cdf4587.pth",
                                 "resnext50_32x4d-1a0047aa.pth", 25028904, (77.618, 93.698),
                                 (81.198, 95.34))
ResNeXt101_32X8D_Weights = _v1_v2("ResNeXt101_32X8D_Weights", "resnext101_32x8d-8ba56ff5.pth",
                                  "resnext101_32x8d-110c445d.pth", 88791336, (79.312, 94.526),
                                  (82.834, 96.228))
ResNeXt101_64X4D_Weights = _make_weights_enum("ResNeXt101_64X4D_Weights", {
    "IMAGENET1K_V1": _imagenet(_U + "resnext101_64x4d-173b62eb.pth", 83455272, (1, 1), 83.246,
                               96.454, resize_size=232),
}, "IMAGENET1K_V1", __name__)
Wide_ResNet50_2_Weights = _v1_v2("Wide_ResNet50_2_Weights", "wide_resnet50_2-95faca4d.pth",
                                 "wide_resnet50_2-9ba9bcbe.pth", 68883240, (78.468, 94.086),
                                 (81.602, 95.758))
Wide_ResNet101_2_Weights = _v1_v2("Wide_ResNet101_2_Weights", "wide_resnet101_2-32ee1156.pth",
                                  "wide_resnet101_2-d733dc28.pth", 126886696, (78.848, 94.284),
                                  (82.51, 96.02))

_DOC = """{title}.

    ``weights``: None, a checkpoint path, or a :class:`{enum}` member/name (read from the torch
    hub cache; ember never downloads). ``progress`` is ignored; ``kwargs`` go to
    :class:`ResNet` (``num_classes``, ``zero_init_residual``, ``norm_layer`` …).
    """

_SPECS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2], (), ResNet18_Weights, "ResNet-18"),
    "resnet34": (BasicBlock, [3, 4, 6, 3], (), ResNet34_Weights, "ResNet-34"),
    "resnet50": (Bottleneck, [3, 4, 6, 3], (), ResNet50_Weights, "ResNet-50"),
    "resnet101": (Bottleneck, [3, 4, 23, 3], (), ResNet101_Weights, "ResNet-101"),
    "resnet152": (Bottleneck, [3, 8, 36, 3], (), ResNet152_Weights, "ResNet-152"),
    "resnext50_32x4d": (Bottleneck, [3, 4, 6, 3], (("groups", 32), ("width_per_group", 4)),
                        ResNeXt50_32X4D_Weights, "ResNeXt-50 32x4d"),
    "resnext101_32x8d": (Bottleneck, [3, 4, 23, 3], (("groups", 32), ("width_per_group", 8)),
                         ResNeXt101_32X8D_Weights, "ResNeXt-101 32x8d"),
    "resnext101_64x4d": (Bottleneck, [3, 4, 23, 3], (("groups", 64), ("width_per_group", 4)),
                         ResNeXt101_64X4D_Weights, "ResNeXt-101 64x4d"),
    "wide_resnet50_2": (Bottleneck, [3, 4, 6, 3], (("width_per_group", 128),),
                        Wide_ResNet50_2_Weights, "Wide ResNet-50-2"),
    "wide_resnet101_2": (Bottleneck, [3, 4, 23, 3], (("width_per_group", 128),),
                         Wide_ResNet101_2_Weights, "Wide ResNet-101-2"),
}


def _builder(fname):
    block, layers, fixed, enum_cls, title = _SPECS[fname]

    def build(*, weights=None, progress=True, **kwargs):
        return _resnet(block, layers, weights, enum_cls, fname, kwargs, fixed)
    build.__name__ = build.__qualname__ = fname
    build.__module__ = __name__
    build.__doc__ = _DOC.format(title=title, enum=enum_cls.__name__)
    return register_model(fname)(_attach(enum_cls)(build))


resnet18 = _builder("resnet18")
resnet34 = _builder("resnet34")
resnet50 = _builder("resnet50")
resnet101 = _builder("resnet101")
resnet152 = _builder("resnet152")
resnext50_32x4d = _builder("resnext50_32x4d")
resnext101_32x8d = _builder("resnext101_32x8d")
resnext101_64x4d = _builder("resnext101_64x4d")
wide_resnet50_2 = _builder("wide_resnet50_2")
wide_resnet101_2 = _builder("wide_resnet101_2")
