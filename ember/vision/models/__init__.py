"""``ember.vision.models``: torchvision's classification architectures on ``ember.nn``.

State_dict keys, shapes and default initialisation follow torchvision exactly, so a
torchvision checkpoint loads with ``model.load_state_dict(ember.load("resnet18.pth"))``.
ember never downloads: ``weights=`` accepts ``None`` (default), a checkpoint path, or a
weights enum member/name, which is read from the torch hub cache when torchvision put it
there before (otherwise :class:`RuntimeError` explains how to get and load the file).

>>> import ember
>>> from ember.vision import models
>>> m = models.resnet18(num_classes=10).eval()
>>> tuple(m(ember.zeros(1, 3, 32, 32)).shape)
(1, 10)
"""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights,
                   get_weight, list_models, register_model)
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .lenet import LeNet5, lenet5
from .mobilenetv2 import InvertedResidual, MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import (BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights,
                     ResNet50_Weights, ResNet101_Weights, ResNet152_Weights,
                     ResNeXt50_32X4D_Weights, ResNeXt101_32X8D_Weights,
                     ResNeXt101_64X4D_Weights, Wide_ResNet50_2_Weights,
                     Wide_ResNet101_2_Weights, resnet18, resnet34, resnet50, resnet101,
                     resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d,
                     wide_resnet50_2, wide_resnet101_2)
from .vgg import (VGG, VGG11_BN_Weights, VGG11_Weights, VGG13_BN_Weights, VGG13_Weights,
                  VGG16_BN_Weights, VGG16_Weights, VGG19_BN_Weights, VGG19_Weights, vgg11,
                  vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn)

__all__ = [
    "Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights",
    "get_weight", "list_models", "register_model",
    "LeNet5", "lenet5",
    "AlexNet", "AlexNet_Weights", "alexnet",
    "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
    "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights",
    "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101",
    "resnet152", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
    "wide_resnet101_2", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights",
    "ResNet101_Weights", "ResNet152_Weights", "ResNeXt50_32X4D_Weights",
    "ResNeXt101_32X8D_Weights", "ResNeXt101_64X4D_Weights", "Wide_ResNet50_2_Weights",
    "Wide_ResNet101_2_Weights",
    "MobileNetV2", "InvertedResidual", "mobilenet_v2", "MobileNet_V2_Weights",
]
