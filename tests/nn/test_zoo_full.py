"""Full-size torchvision-style models (LeNet-5, AlexNet, VGG-11, ResNet-18), written once as
functions of the framework module ``M`` with torchvision's layer structure and state_dict
keys.  torch's initialised weights are copied into ember; eval-mode outputs and train-mode
gradients must match."""
import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401

RTOL = ATOL = 1e-4


def lenet5(M, num_classes=10):
    nn = M.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, num_classes))


def alexnet(M, num_classes=10):
    nn = M.nn

    class AlexNet(nn.Module):
        def __init__(self):
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
                nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
                nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
                nn.Linear(4096, num_classes))

        def forward(self, x):
            x = self.avgpool(self.features(x))
            return self.classifier(M.flatten(x, 1))

    return AlexNet()


def vgg11(M, num_classes=10):
    nn = M.nn
    layers, cin = [], 3
    for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(cin, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            cin = v

    class VGG(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, num_classes))

        def forward(self, x):
            x = self.avgpool(self.features(x))
            return self.classifier(M.flatten(x, 1))

    return VGG()


def resnet18(M, num_classes=10):
    nn = M.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = downsample

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + identity)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(64, 1)
            self.layer2 = self._make_layer(128, 2)
            self.layer3 = self._make_layer(256, 2)
            self.layer4 = self._make_layer(512, 2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def _make_layer(self, planes, stride):
            down = None
            if stride != 1 or self.inplanes != planes:
                down = nn.Sequential(
                    nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False),
                    nn.BatchNorm2d(planes))
            blocks = [BasicBlock(self.inplanes, planes, stride, down),
                      BasicBlock(planes, planes)]
            self.inplanes = planes
            return nn.Sequential(*blocks)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(M.flatten(self.avgpool(x), 1))

    return ResNet()


def _pair(build):
    torch.manual_seed(0)
    t = build(torch)
    e = build(ember)
    tsd = t.state_dict()
    assert list(e.state_dict().keys()) == list(tsd.keys())
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tsd.items()})
    return e, t


def _np(x):
    return x.detach().numpy()


def _close(a, b):
    np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(b.shape)


MODELS = {
    "lenet5": (lenet5, (2, 1, 32, 32)),
    "alexnet": (alexnet, (1, 3, 64, 64)),
    "vgg11": (vgg11, (1, 3, 32, 32)),
    "resnet18": (resnet18, (2, 3, 32, 32)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_eval_outputs_match(name):
    build, shape = MODELS[name]
    e, t = _pair(build)
    e.eval()
    t.eval()
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    with torch.no_grad():
        yt = t(torch.from_numpy(x.copy()))
    with ember.no_grad():
        ye = e(ember.from_numpy(x.copy()))
    _close(ye, yt)


@pytest.mark.parametrize("name", ["lenet5", "resnet18"])
def test_train_forward_backward_grads_match(name):
    build, shape = MODELS[name]
    if name == "resnet18":  # batch statistics over more than 2 values: well-conditioned BN
        shape = (4, 3, 64, 64)
    e, t = _pair(build)
    e.train()
    t.train()
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape, dtype=np.float32)
    y = rng.integers(0, 10, size=shape[0], dtype=np.int64)
    lt = torch.nn.functional.cross_entropy(t(torch.from_numpy(x.copy())),
                                           torch.from_numpy(y.copy()))
    le = ember.nn.functional.cross_entropy(e(ember.from_numpy(x.copy())),
                                           ember.from_numpy(y.copy()))
    _close(le, lt)
    lt.backward()
    le.backward()
    ep, tp = dict(e.named_parameters()), dict(t.named_parameters())
    names = list(tp)
    for k in names[:2] + names[len(names) // 2:len(names) // 2 + 2] + names[-2:]:
        _close(ep[k].grad, tp[k].grad)
    if name == "resnet18":  # running statistics updated from the batch
        for k in ("bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_var"):
            _close(e.state_dict()[k], t.state_dict()[k])
