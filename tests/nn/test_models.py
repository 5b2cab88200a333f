"""Small torchvision-style models built the same way from ember.nn and torch.nn: with
torch's weights copied in, outputs and every parameter gradient must match."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn  # noqa: F401
from tests.helpers import assert_same, randint, randn


def lenet(M):
    nn = M.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def alexnet_small(M):
    nn = M.nn
    return nn.Sequential(OrderedDict([
        ("features", nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.LocalResponseNorm(3), nn.MaxPool2d(3, 2),
            nn.Conv2d(8, 12, 3, padding=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((2, 2)))),
        ("flatten", nn.Flatten()),
        ("classifier", nn.Sequential(nn.Dropout(0.5), nn.Linear(48, 16), nn.ReLU(),
                                     nn.Linear(16, 5)))]))


def _resnet_classes(M):
    nn = M.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                nn.BatchNorm2d(cout))

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + idt)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.relu = nn.ReLU(inplace=True)
            self.layer1 = nn.Sequential(BasicBlock(8, 8, 1), BasicBlock(8, 8, 1))
            self.layer2 = nn.Sequential(BasicBlock(8, 16, 2), BasicBlock(16, 16, 1))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(16, 10)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer2(self.layer1(x))
            return self.fc(M.flatten(self.avgpool(x), 1))

    return ResNet


_ER, _TR = _resnet_classes(ember), _resnet_classes(torch)


def resnet(M):
    return _ER() if M is ember else _TR()


@pytest.mark.parametrize("build,shape", [(lenet, (4, 1, 28, 28)),
                                         (alexnet_small, (2, 3, 16, 16)),
                                         (resnet, (2, 3, 8, 8))],
                         ids=["lenet", "alexnet", "resnet"])
@pytest.mark.parametrize("train", [True, False])
def test_model(build, shape, train):
    torch.manual_seed(0)
    tm, em = build(torch), build(ember)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    tm.train(train)
    em.train(train)
    if build is alexnet_small:     # dropout draws differ between the frameworks
        tm.classifier[0].p = em.classifier[0].p = 0.0
    x = randn(*shape)
    y = randint(0, 5, shape[0])
    lt = torch.nn.functional.cross_entropy(tm(torch.from_numpy(x)), torch.from_numpy(y))
    le = ember.nn.functional.cross_entropy(em(ember.from_numpy(x)), ember.from_numpy(y))
    assert_same(le, lt, 1e-4, 1e-5)
    lt.backward()
    le.backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(ep[n].grad, p.grad, 1e-3, 1e-5, what=n)
    for n, b in tm.named_buffers():
        assert_same(dict(em.named_buffers())[n], b, 1e-4, 1e-5, what=n)


def test_train_step_with_sgd_like_update():
    torch.manual_seed(0)
    tm, em = lenet(torch), lenet(ember)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    x, y = randn(4, 1, 28, 28), randint(0, 10, 4)
    for M, m in ((torch, tm), (ember, em)):
        for _ in range(2):
            m.zero_grad()
            M.nn.functional.cross_entropy(m(M.from_numpy(x)), M.from_numpy(y)).backward()
            with M.no_grad():
                for p in m.parameters():
                    p.sub_(0.1 * p.grad)
    for (n, a), (_, b) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=n)
