"""Classify names by "language" with a character-level RNN written by hand.

The classic PyTorch tutorial network: at every character the one-hot letter is concatenated
with the hidden state; ``i2h = nn.Linear(input + hidden, hidden)`` gives the next hidden
state and ``i2o = nn.Linear(input + hidden, output)`` followed by ``LogSoftmax`` gives the
class scores. The *same* two Linear layers are reused at every time step — a recurrent net
is just a loop in Python, no weight sharing to declare. Loss: ``nn.NLLLoss`` on the output
after the last character; parameters updated by hand (``p.data.add_(p.grad, alpha=-lr)``).

The data are generated, not downloaded: four invented languages, each a set of syllables
with its own feel; a name is 2–4 syllables of one language. Names are batched by padding
to the longest name and reading each name's output at its own last character.

Stated result: held-out accuracy (fresh names, none seen in training) ≥ 85% with --quick
(about 98%).

    python examples/char_rnn_classify.py [--quick] [--iters N] [--hidden H] [--lr LR]
"""
import argparse
import random
import string
import time

import ember as torch
import ember.nn as nn

all_letters = string.ascii_lowercase
n_letters = len(all_letters)

# Four invented languages. Some syllables (and many letters) are shared on purpose, so the
# net must look at letter combinations and order, not at single letters.
SYLLABLES = {
    "sylvan": ["ae", "el", "lin", "dor", "ith", "ri", "an", "wen", "tha", "las", "iel", "mir"],
    "orcish": ["gr", "uk", "gor", "zag", "ug", "rok", "nak", "bur", "az", "dush", "ka", "ar"],
    "northern": ["sven", "bjor", "ulf", "dal", "ing", "rik", "hild", "ar", "stein", "vik"],
    "island": ["ka", "ki", "ta", "mo", "na", "shi", "ro", "yu", "ko", "hi", "to", "mi"],
}
all_categories = list(SYLLABLES)
n_categories = len(all_categories)


def random_name(category, rng):
    """One made-up name: 2–4 syllables of ``category``'s language."""
    return "".join(rng.choice(SYLLABLES[category]) for _ in range(rng.randint(2, 4)))


def make_names(n, rng, exclude=()):
    """``n`` (name, category index) pairs, balanced over categories, none in ``exclude``."""
    pairs = []
    while len(pairs) < n:
        c = len(pairs) % n_categories
        name = random_name(all_categories[c], rng)
        if name not in exclude:
            pairs.append((name, c))
    rng.shuffle(pairs)
    return pairs


def letterToIndex(letter):
    return all_letters.find(letter)


def batchToTensor(names):
    """One-hot tensor (max_len, batch, n_letters); shorter names are padded with zeros."""
    tensor = torch.zeros(max(len(n) for n in names), len(names), n_letters)
    where = torch.tensor([(t, b, letterToIndex(letter))
                          for b, name in enumerate(names) for t, letter in enumerate(name)])
    tensor[where[:, 0], where[:, 1], where[:, 2]] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.softmax(self.i2o(combined))
        return output, hidden

    def initHidden(self, batch_size=1):
        return torch.zeros(batch_size, self.hidden_size)


def run_rnn(rnn, names):
    """Feed a batch of names through ``rnn``; the output after each name's last letter."""
    line_tensor = batchToTensor(names)
    hidden = rnn.initHidden(len(names))
    outputs = []
    for i in range(line_tensor.size(0)):
        output, hidden = rnn(line_tensor[i], hidden)
        outputs.append(output)
    lengths = torch.tensor([len(n) for n in names])
    return torch.stack(outputs)[lengths - 1, torch.arange(len(names))]


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    return all_categories[top_i[0].item()], top_i[0].item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--iters", type=int, default=None, help="training batches")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_iters = args.iters or (300 if args.quick else 3000)

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    rnn = RNN(n_letters, args.hidden, n_categories)
    criterion = nn.NLLLoss()

    def train(category_tensor, names):
        rnn.zero_grad()
        output = run_rnn(rnn, names)
        loss = criterion(output, category_tensor)
        loss.backward()
        # Add parameters' gradients to their values, multiplied by learning rate
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-args.lr)
        return output, loss.item()

    seen = set()
    start = time.time()
    current_loss, print_every = 0.0, max(n_iters // 10, 1)
    for it in range(1, n_iters + 1):
        batch = make_names(args.batch_size, rng)
        seen.update(name for name, _ in batch)
        names = [name for name, _ in batch]
        category_tensor = torch.tensor([c for _, c in batch])
        output, loss = train(category_tensor, names)
        current_loss += loss
        if it % print_every == 0:
            guess, _ = categoryFromOutput(output[:1])
            category = all_categories[batch[0][1]]
            correct = "✓" if guess == category else f"✗ ({category})"
            print(f"{it:5d} {it / n_iters:4.0%} ({time.time() - start:.1f}s) "
                  f"loss {current_loss / print_every:.4f}  {names[0]} / {guess} {correct}")
            current_loss = 0.0

    test = make_names(400, random.Random(args.seed + 1), exclude=seen)
    with torch.no_grad():
        output = run_rnn(rnn, [name for name, _ in test])
    predicted = output.argmax(1)
    target = torch.tensor([c for _, c in test])
    accuracy = (predicted == target).float().mean().item()
    print(f"held-out accuracy: {accuracy:.1%} on {len(test)} new names")
    for name in ("elwenlas", "grukdush", "bjorsteinvik", "kamoshi"):
        with torch.no_grad():
            guess, _ = categoryFromOutput(run_rnn(rnn, [name]))
        print(f"  {name:>14} -> {guess}")
    return {"accuracy": accuracy, "final_loss": loss, "train_names": len(seen)}


if __name__ == "__main__":
    main()
