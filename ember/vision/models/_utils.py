"""Small shared pieces of the model zoo: channel rounding and conv-norm-activation blocks."""
from ... import nn

__all__ = ["_make_divisible", "Conv2dNormActivation"]


def _make_divisible(v, divisor, min_value=None):
    """Round the channel count ``v`` to the nearest multiple of ``divisor`` (at least
    ``min_value``, default ``divisor``), going up one step if rounding lost more than 10%.

    >>> _make_divisible(32 * 0.75, 8), _make_divisible(1280 * 1.4, 8), _make_divisible(11, 8)
    (24, 1792, 16)
    """
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, (int(v + divisor / 2) // divisor) * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


class Conv2dNormActivation(nn.Sequential):
    """``Conv2d`` → normalisation → activation as one ``Sequential`` (keys ``0.*``, ``1.*``),
    torchvision's ``ops.Conv2dNormActivation``. ``padding`` defaults to "same" for odd kernels,
    ``bias`` defaults to ``norm_layer is None``; ``norm_layer``/``activation_layer`` may be None.

    >>> import ember
    >>> m = Conv2dNormActivation(3, 8, kernel_size=3, stride=2)
    >>> tuple(m(ember.zeros(1, 3, 8, 8)).shape)
    (1, 8, 4, 4)
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                 groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1,
                 inplace=True, bias=None):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                n = len(kernel_size) if not isinstance(kernel_size, int) else len(dilation)
                ks = (kernel_size,) * n if isinstance(kernel_size, int) else tuple(kernel_size)
                dl = (dilation,) * n if isinstance(dilation, int) else tuple(dilation)
                padding = tuple((k - 1) // 2 * d for k, d in zip(ks, dl))
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                            dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            kw = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**kw))
        super().__init__(*layers)
        self.out_channels = out_channels
