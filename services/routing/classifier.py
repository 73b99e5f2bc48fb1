"""The category classifier: Indonesian complaint text -> category, with its confidence and the
terms that drove it.

Text is normalised (lower case, common SMS/slang spellings, Sastrawi stemming, stop words
dropped), then TF-IDF of words and word pairs feeds a logistic regression. Training is
scikit-learn's, in a child process (``services/routing/train.py``): scikit-learn and SciPy
would add about 100 MB to the service for a model that is a few thousand weights. The service
keeps those weights (``Model``) and scores a text with them in plain Python, the same
arithmetic as scikit-learn's ``TfidfVectorizer`` + ``LogisticRegression.predict_proba``
(tests/unit/test_classifier.py checks they agree).

It starts from the directory's category names, descriptions and keywords plus the project's
labelled set, and learns from coordinators' decisions (each verification with a category is
a training example). Every suggestion carries the model version.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from pathlib import Path

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from shared.directory import Directory

LABELLED = Path(__file__).resolve().parents[2] / "data" / "routing" / "labelled.csv"
# informal spellings seen in SMS and chat -> standard words (before stemming)
SLANG = {
    "jln": "jalan", "jl": "jalan", "yg": "yang", "dgn": "dengan", "dg": "dengan", "tdk": "tidak", "gak": "tidak",
    "ga": "tidak", "nggak": "tidak", "enggak": "tidak", "gk": "tidak", "blm": "belum", "udh": "sudah", "sdh": "sudah",
    "udah": "sudah", "krn": "karena", "karna": "karena", "bnyk": "banyak", "byk": "banyak", "trs": "terus",
    "sy": "saya", "aq": "aku", "sm": "sama", "utk": "untuk", "tp": "tapi", "bgt": "sekali", "skrg": "sekarang",
    "pdam": "pdam", "ktp": "ktp", "ektp": "ktp", "kk": "kartu keluarga", "rsud": "rumah sakit", "rs": "rumah sakit",
    "pkm": "puskesmas", "sekolahan": "sekolah", "angkot": "angkutan", "damkar": "pemadam kebakaran",
    "jukir": "juru parkir", "bansos": "bantuan sosial", "dukcapil": "kependudukan", "disdukcapil": "kependudukan",
}
_TOKEN = re.compile(r"[a-z]+")
_STOP = set(StopWordRemoverFactory().get_stop_words()) - {"tidak", "belum"}


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return str(_stemmer().stem(word))


def normalise(text: str) -> str:
    words = []
    for token in _TOKEN.findall(text.lower().replace("e-ktp", "ktp")):
        for word in SLANG.get(token, token).split():
            if word not in _STOP and len(word) > 1:
                words.append(_stem(word))
    return " ".join(words)


@dataclass
class Learned:
    """Routing's classifier as last trained (Runtime.parts), and what it was trained on."""

    model: "Model | None" = None
    basis: Any = None


def learned_of(runtime: Any) -> Learned:
    if not isinstance(runtime.parts, Learned):
        runtime.parts = Learned()
    parts: Learned = runtime.parts
    return parts


@dataclass(frozen=True)
class Suggestion:
    category: str
    confidence: float
    terms: list[str]
    model_version: str


def load_labelled(path: Path = LABELLED) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [(r["text"], r["category"], r["group"]) for r in csv.DictReader(f)]


def seed_examples(directory: Directory) -> list[tuple[str, str]]:
    """What the directory says about each category: its name, description and keywords."""
    out = []
    for c in directory.categories.values():
        out.append((f"{c.name} {c.description}", c.id))
        out.extend((k, c.id) for k in c.keywords)
    return out


# the analyser of scikit-learn's TfidfVectorizer (default token pattern, word 1- and 2-grams)
_ANALYSER_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def terms_of(normalised: str) -> list[str]:
    tokens = _ANALYSER_TOKEN.findall(normalised)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


@dataclass
class Model:
    """A trained TF-IDF + logistic-regression model, as plain weights."""

    version: str
    classes: list[str]
    idf: dict[str, float]                  # term -> inverse document frequency
    coef: dict[str, list[float]]           # term -> one weight per class (one column if binary)
    intercept: list[float]
    size: int                              # training examples

    def vector(self, text: str) -> dict[str, float]:
        """L2-normalised sublinear TF-IDF of the text's known terms."""
        return self.vector_normalised(normalise(text))

    def vector_normalised(self, normalised: str) -> dict[str, float]:
        counts = Counter(t for t in terms_of(normalised) if t in self.idf)
        weights = {t: (1.0 + math.log(n)) * self.idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def probabilities(self, vector: dict[str, float]) -> list[float]:
        scores = list(self.intercept)
        for term, w in vector.items():
            for k, c in enumerate(self.coef.get(term, ())):
                scores[k] += w * c
        if len(self.classes) == 2:            # binary: one decision function, the logistic of it
            p = 1.0 / (1.0 + math.exp(-scores[0]))
            return [1.0 - p, p]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def suggest(self, text: str, top_terms: int = 5) -> Suggestion:
        return self.suggest_normalised(normalise(text), top_terms)

    def suggest_normalised(self, normalised: str, top_terms: int = 5) -> Suggestion:
        vector = self.vector_normalised(normalised)
        probabilities = self.probabilities(vector)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        column = best if len(self.classes) > 2 else 0
        drive = sorted(((w * self.coef[t][column], t) for t, w in vector.items() if t in self.coef), reverse=True)
        terms = [t for score, t in drive[:top_terms] if score > 0]
        return Suggestion(self.classes[best], round(probabilities[best], 3), terms, self.version)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts in the model's TF-IDF space."""
        return self.most_similar_normalised(normalise(a), [normalise(b)])[1]

    def most_similar_normalised(self, text: str, others: list[str]) -> tuple[int, float]:
        """Index and cosine similarity of the closest of ``others`` (all already ``normalise``d;
        vectors are L2-normalised, so the dot product is the cosine)."""
        if not others:
            return -1, 0.0
        v = self.vector_normalised(text)
        scores = [sum(w * o.get(t, 0.0) for t, w in v.items()) for o in map(self.vector_normalised, others)]
        best = max(range(len(scores)), key=scores.__getitem__)
        return best, scores[best]

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Model":
        return cls(**json.loads(raw))


def examples_for(directory: Directory, decisions: list[tuple[str, str]] = (), labelled: bool = True) -> list[tuple[str, str]]:  # type: ignore[assignment]
    examples = seed_examples(directory) + list(decisions)
    if labelled and LABELLED.exists():
        examples += [(t, c) for t, c, _ in load_labelled() if c in directory.categories]
    return examples


async def train_in_child(examples: list[tuple[str, str]], timeout_s: float = 300) -> Model:
    """Fit in ``python -m services.routing.train``: its memory goes when it exits."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.routing.train", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    try:
        out, err = await asyncio.wait_for(proc.communicate(json.dumps(examples).encode()), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()     # reap it: no zombie left behind by a hung training
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"training failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
    return Model.from_json(out)
