"""The category classifier: Indonesian complaint text -> category, with its confidence and the
terms that drove it.

Text is normalised (lower case, common SMS/slang spellings, Sastrawi stemming, stop words
dropped), then TF-IDF of words and word pairs feeds a logistic regression (scikit-learn).
It starts from the directory's category names, descriptions and keywords plus the project's
labelled set, and learns from coordinators' decisions (each verification with a category is
a training example). Every suggestion carries the model version.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
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


class Classifier:
    def __init__(self, examples: list[tuple[str, str]]) -> None:
        texts = [normalise(t) for t, _ in examples]
        labels = [c for _, c in examples]
        digest = hashlib.sha256("\n".join(f"{c}\t{t}" for t, c in zip(texts, labels)).encode()).hexdigest()[:10]
        self.version = f"tfidf-logreg-{sklearn.__version__}-{digest}"
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        matrix = self.vectorizer.fit_transform(texts)
        self.model = LogisticRegression(max_iter=2000, C=10.0)
        self.model.fit(matrix, labels)
        self.features = np.array(self.vectorizer.get_feature_names_out())
        self.size = len(examples)

    def suggest(self, text: str, top_terms: int = 5) -> Suggestion:
        vector = self.vectorizer.transform([normalise(text)])
        probabilities = self.model.predict_proba(vector)[0]
        best = int(np.argmax(probabilities))
        weights = vector.multiply(self.model.coef_[best] if len(self.model.classes_) > 2 else self.model.coef_[0]).tocsr()
        order = np.argsort(-weights.data)[:top_terms]
        terms = [str(self.features[weights.indices[i]]) for i in order if weights.data[i] > 0]
        return Suggestion(str(self.model.classes_[best]), round(float(probabilities[best]), 3), terms, self.version)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts in the model's TF-IDF space."""
        return self.most_similar(a, [b])[1]

    def most_similar(self, text: str, others: list[str]) -> tuple[int, float]:
        """Index and cosine similarity of the closest of ``others`` (rows are L2-normalised)."""
        if not others:
            return -1, 0.0
        m = self.vectorizer.transform([normalise(t) for t in [text, *others]])
        scores = (m[1:] @ m[0].T).toarray().ravel()
        best = int(np.argmax(scores))
        return best, float(scores[best])


def train(directory: Directory, decisions: list[tuple[str, str]] = (), labelled: bool = True) -> Classifier:  # type: ignore[assignment]
    examples = seed_examples(directory) + list(decisions)
    if labelled and LABELLED.exists():
        examples += [(t, c) for t, c, _ in load_labelled() if c in directory.categories]
    return Classifier(examples)
