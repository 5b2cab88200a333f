"""Train a small CNN on MNIST-format data, in the shape of PyTorch's ``examples/mnist``.

Two conv → ReLU → max-pool blocks and a fully connected classifier; ``DataLoader`` over
``vision.datasets.MNIST`` (``ToTensor`` + ``Normalize`` transforms); Adam with a ``StepLR``
schedule; a train loop and a test loop; the trained weights saved with ``torch.save``.

``--data-root DIR`` reads the four IDX files (plain or ``.gz``) from ``DIR/MNIST/raw/``,
exactly where torchvision keeps them (ember never downloads). Without it the example falls
back to ``datasets.FakeData`` — random images with random labels, so it runs end to end
anywhere, but its accuracy is chance (about 10%).

Stated result: on a learnable MNIST-format dataset (the test suite writes a small one with
class-dependent bright blocks plus noise), test accuracy ≥ 90% with --quick; the FakeData
fallback runs without error.

    python examples/mnist_cnn.py --data-root ~/data [--quick] [--epochs N] [--save-model]
"""
import argparse
import os
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
import ember.vision as torchvision
from ember.optim.lr_scheduler import StepLR
from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, transforms


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5, padding=2)    # 1x28x28 -> 8x28x28 -> pool 8x14x14
        self.conv2 = nn.Conv2d(8, 16, 5, padding=2)   # -> 16x14x14 -> pool 16x7x7
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)} "
                  f"({100.0 * batch_idx / len(train_loader):.0f}%)]\tLoss: {loss.item():.6f}")
    return loss.item()


def test(model, test_loader):
    model.eval()
    test_loss = 0.0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    n = len(test_loader.dataset)
    test_loss /= n
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} "
          f"({100.0 * correct / n:.0f}%)\n")
    return test_loss, correct / n


def get_datasets(args):
    transform = transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize((0.1307,), (0.3081,)),
    ])
    if args.data_root is None:
        print("No --data-root given: training on datasets.FakeData (random images with "
              "random labels; expect chance accuracy).")
        n_train, n_test = (256, 128) if args.quick else (6000, 1000)
        train_set = datasets.FakeData(n_train, (1, 28, 28), 10, transform=transform)
        test_set = datasets.FakeData(n_test, (1, 28, 28), 10, transform=transform,
                                     random_offset=n_train)
        return train_set, test_set
    train_set = datasets.MNIST(args.data_root, train=True, transform=transform)
    test_set = datasets.MNIST(args.data_root, train=False, transform=transform)
    if args.quick:   # a slice of the real thing, so --quick stays quick on full MNIST
        train_set = Subset(train_set, range(min(len(train_set), 2000)))
        test_set = Subset(test_set, range(min(len(test_set), 1000)))
    return train_set, test_set


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default=None,
                        help="folder holding MNIST/raw/ (default: use FakeData)")
    parser.add_argument("--quick", action="store_true",
                        help="2 epochs on at most 2000 training images")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=None, help="default: 2 quick, 5 full")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--gamma", type=float, default=0.7, help="learning rate step gamma")
    parser.add_argument("--num-workers", type=int, default=0, help="DataLoader workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--save-model", action="store_true", help="save the trained model")
    parser.add_argument("--checkpoint", default="mnist_cnn.pt",
                        help="where --save-model writes the state_dict")
    parser.add_argument("--samples", default=None,
                        help="also save a grid of test images with save_image (a .png path)")
    args = parser.parse_args(argv)
    epochs = args.epochs or (2 if args.quick else 5)

    torch.manual_seed(args.seed)
    train_set, test_set = get_datasets(args)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.num_workers)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size,
                             num_workers=args.num_workers)

    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    start = time.time()
    for epoch in range(1, epochs + 1):
        train_loss = train(args, model, train_loader, optimizer, epoch)
        test_loss, accuracy = test(model, test_loader)
        scheduler.step()
    print(f"trained {epochs} epoch(s) in {time.time() - start:.1f}s")

    if args.save_model:
        torch.save(model.state_dict(), args.checkpoint)
        print(f"saved the model's state_dict to {args.checkpoint}")
    if args.samples:
        images, _ = next(iter(test_loader))
        torchvision.utils.save_image(images[:32], args.samples, nrow=8, normalize=True)
        print(f"saved a grid of test images to {args.samples}")
    return {"accuracy": accuracy, "test_loss": test_loss, "train_loss": train_loss,
            "fake_data": args.data_root is None,
            "checkpoint": os.path.abspath(args.checkpoint) if args.save_model else None}


if __name__ == "__main__":
    main()
