"""Synthetic palaces that look like real ones: rooms of 5–30 loci, German place names,
Markdown in some descriptions, steps, mnemonic notes. Deterministic for a given size and seed.

    python benchmarks/generate.py 10000 /tmp/palace-source
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PLACES = [
    "Torbogen",
    "Küche",
    "Treppe",
    "Flur",
    "Wohnzimmer",
    "Balkon",
    "Keller",
    "Dachboden",
    "Badezimmer",
    "Schlafzimmer",
    "Garage",
    "Garten",
    "Fenster",
    "Herd",
    "Sofa",
    "Regal",
    "Spiegel",
    "Lampe",
    "Tür",
    "Schrank",
]
CONCEPTS = [
    "Softmax",
    "Dropout",
    "Gradient descent",
    "Backprop",
    "Tensor",
    "Momentum",
    "Epoch",
    "Minibatch",
    "Weight decay",
    "Learning rate",
    "Overfitting",
    "Regularization",
]
WORDS = ["model", "weights", "loss", "grad", "batch", "layer", "params", "data", "update", "norm"]


def palace_text(loci: int, seed: int = 0, title: str = "Synthetic palace") -> str:
    """A notes file with `loci` stops on the walk (loci plus steps)."""
    rng = random.Random(seed)
    lines = [f"# {title}", ""]
    made = room_number = 0
    while made < loci:
        room_number += 1
        lines += [f"## {rng.choice(PLACES)} {room_number}", ""]
        for _ in range(rng.randint(5, 30)):
            if made >= loci:
                break
            made += 1
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))
            if rng.random() < 0.2:
                words += f" with `{rng.choice(WORDS)}()` and **{rng.choice(WORDS)}**"
            lines.append(f"- {rng.choice(PLACES)} {made}: {rng.choice(CONCEPTS)} {made}: {words}")
            if rng.random() < 0.1:
                lines.append(
                    f"  > a vivid image of {rng.choice(WORDS)} at the {rng.choice(PLACES)}"
                )
            if rng.random() < 0.03 and made + 3 <= loci:
                for step in range(3):
                    made += 1
                    lines.append(
                        f"  - {rng.choice(PLACES)} step {step}: {rng.choice(WORDS)}() "
                        f"# {rng.choice(WORDS)}"
                    )
        lines.append("")
    return "\n".join(lines)


def write_source(folder: Path, loci: int, palaces: int = 1) -> Path:
    """Write `palaces` notes files sharing `loci` stops between them into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(palaces):
        text = palace_text(loci // palaces, seed=number, title=f"Synthetic palace {number + 1}")
        (folder / f"palace-{number + 1:02d}.md").write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    write_source(Path(sys.argv[2]), int(sys.argv[1]))
