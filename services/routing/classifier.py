"""The category classifier and the urgency triage's model: Indonesian complaint text -> a
category (the three likeliest, with calibrated confidences and the terms that drove them), and
text -> urgent or not.

Text is normalised (lower case, SMS shorthand and Banjar words to standard Indonesian, Sastrawi
stemming, stop words dropped); its features are TF-IDF of words, word pairs and the character
3- to 5-grams of each word (what survives a typo or a spelling of one's own: "jembtan" shares
most of "jembatan"'s grams). A logistic regression scores them; its scores are divided by a
temperature fitted on held-out phrasings, so that a confidence of 0.9 is right about nine
times in ten. Training is scikit-learn's, in a child process (``services/routing/train.py``):
scikit-learn and SciPy would add about 100 MB to the service for a model that is a few hundred
thousand weights. The service keeps those weights (``Model``) and scores a text with them in
plain Python, the same arithmetic as scikit-learn's ``TfidfVectorizer`` +
``LogisticRegression.decision_function`` (tests/unit/test_classifier.py checks they agree).

It starts from the directory's category names, descriptions and keywords plus the project's
labelled set, and learns from coordinators' decisions (a verification with a category, a
raised or lowered urgency). Every suggestion carries the model version.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import re
import sys
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from shared.directory import Directory

DATA = Path(__file__).resolve().parents[2] / "data" / "routing"
LABELLED = DATA / "labelled.csv"          # training; the evaluation set (evaluation.csv) is never trained on
# informal spellings seen in SMS and chat, and Banjar words -> standard words (before stemming)
SLANG = {
    "jln": "jalan", "jl": "jalan", "yg": "yang", "dgn": "dengan", "dg": "dengan", "tdk": "tidak", "gak": "tidak",
    "ga": "tidak", "nggak": "tidak", "enggak": "tidak", "gk": "tidak", "blm": "belum", "udh": "sudah", "sdh": "sudah",
    "udah": "sudah", "krn": "karena", "karna": "karena", "bnyk": "banyak", "byk": "banyak", "trs": "terus",
    "sy": "saya", "aq": "aku", "sm": "sama", "utk": "untuk", "tp": "tapi", "bgt": "sekali", "skrg": "sekarang",
    "pdam": "pdam", "ktp": "ktp", "ektp": "ktp", "kk": "kartu keluarga", "rsud": "rumah sakit", "rs": "rumah sakit",
    "pkm": "puskesmas", "sekolahan": "sekolah", "angkot": "angkutan", "damkar": "pemadam kebakaran",
    "jukir": "juru parkir", "bansos": "bantuan sosial", "dukcapil": "kependudukan", "disdukcapil": "kependudukan",
    "gmn": "bagaimana", "gimana": "bagaimana", "bgmn": "bagaimana", "knp": "kenapa", "tlg": "tolong", "mhn": "mohon",
    "dr": "dari", "kpd": "kepada", "dlm": "dalam", "lg": "lagi", "jg": "juga", "aja": "saja", "klo": "kalau",
    "kalo": "kalau", "bbrp": "beberapa", "thn": "tahun", "bln": "bulan", "hr": "hari", "mgg": "minggu",
    "org": "orang", "kmrn": "kemarin", "sblm": "sebelum", "stlh": "setelah", "sampe": "sampai", "dpt": "dapat",
    "hrs": "harus", "msh": "masih", "bs": "bisa", "bsa": "bisa", "gabisa": "tidak bisa", "pd": "pada",
    "pdhl": "padahal", "pake": "pakai", "dipake": "dipakai", "bnr": "benar", "bener": "benar", "pju": "lampu jalan",
    # Banjar (Kalimantan Selatan): the words a complaint leans on
    "kada": "tidak", "kadada": "tidak ada", "handak": "mau", "ulun": "saya", "pian": "anda", "banyu": "air",
    "tatamba": "obat", "titian": "jembatan", "jukung": "perahu", "gawian": "kerja", "lawas": "lama",
    "ampih": "henti", "banar": "sekali", "bubuhan": "warga", "hanyar": "baru", "kawa": "bisa", "wadah": "tempat",
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
    """Routing's models as last trained (Runtime.parts), and what they were trained on."""

    model: "Model | None" = None
    urgency: "Model | None" = None
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
    top: list[tuple[str, float]] = field(default_factory=list)    # the three likeliest, most likely first

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "confidence": self.confidence, "terms": self.terms,
                "model_version": self.model_version,
                "top": [{"category": c, "confidence": p} for c, p in self.top]}


@dataclass(frozen=True)
class Example:
    """One training example: a text with its category and, where someone judged it, its urgency."""

    text: str
    category: str | None
    urgent: bool | None = None
    group: str = ""          # the phrasing it was written from: calibration holds whole phrasings out


def load_labelled(path: Path = LABELLED) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed_examples(directory: Directory) -> list[Example]:
    """What the directory says about each category: its name, description and keywords (the
    topic, no danger in itself), and its danger signs (urgent)."""
    out = []
    for c in directory.categories.values():
        out.append(Example(f"{c.name} {c.description}", c.id, False))
        out.extend(Example(k, c.id, False) for k in c.keywords)
        out.extend(Example(s, c.id, True) for s in c.danger_signs)
    return out


# the analyser of scikit-learn's TfidfVectorizer (default token pattern, word 1- and 2-grams)
_ANALYSER_TOKEN = re.compile(r"(?u)\b\w\w+\b")
CHAR = "~"          # marks a character gram, which never explains a suggestion


def word_terms(normalised: str) -> list[str]:
    tokens = _ANALYSER_TOKEN.findall(normalised)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


# how loud a complaint is says nothing of the danger in it ("DARURAT, tolong segera" of a late
# ID card): the urgency model does not see these (normalised: stemmed, slang expanded)
LOUD = frozenset({"darurat", "tolong", "segera", "urgent", "cepat", "mohon", "parah", "bahaya", "sekali", "banget",
                  "lakas", "please", "help", "emergency", "asap", "penting", "serius", "buru"})


def deed_terms(normalised: str) -> list[str]:
    """Words and word pairs without the loud ones: what happened, not how it is said."""
    return word_terms(" ".join(w for w in normalised.split() if w not in LOUD))


def terms_of(normalised: str) -> list[str]:
    """Words, word pairs and each word's character 3- to 5-grams (padded: " jal", "tan ")."""
    out = word_terms(normalised)
    for token in _ANALYSER_TOKEN.findall(normalised):
        padded = f" {token} "
        for n in (3, 4, 5):
            out.extend(CHAR + padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(eq=False)
class Model:
    """A trained TF-IDF + logistic-regression model, as plain weights."""

    version: str
    classes: list[str]
    idf: dict[str, float]                  # term -> inverse document frequency
    coef: dict[str, Any]                   # term -> one weight per class (one column if binary)
    intercept: list[float]
    size: int                              # training examples
    temperature: float = 1.0               # scores are divided by it: calibrated confidences
    offset: float = 0.0                    # added after (binary models: Platt scaling's intercept)
    features: str = "words+chars"          # or "deeds": deed_terms only

    def vector(self, text: str) -> dict[str, float]:
        """L2-normalised sublinear TF-IDF of the text's known terms."""
        return self.vector_normalised(normalise(text))

    def vector_normalised(self, normalised: str) -> dict[str, float]:
        terms = deed_terms(normalised) if self.features == "deeds" else terms_of(normalised)
        counts = Counter(t for t in terms if t in self.idf)
        weights = {t: (1.0 + math.log(n)) * self.idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def scores(self, vector: dict[str, float]) -> list[float]:
        """scikit-learn's decision function."""
        scores = list(self.intercept)
        for term, w in vector.items():
            for k, c in enumerate(self.coef.get(term, ())):
                scores[k] += w * c
        return scores

    def probabilities(self, vector: dict[str, float], temperature: float | None = None) -> list[float]:
        t = self.temperature if temperature is None else temperature
        scores = [s / t for s in self.scores(vector)]
        if len(self.classes) == 2:            # binary: one decision function, the logistic of it
            z = scores[0] + self.offset
            p = 1.0 / (1.0 + math.exp(-max(-500.0, min(500.0, z))))
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
        ranked = sorted(range(len(probabilities)), key=probabilities.__getitem__, reverse=True)
        best = ranked[0]
        column = best if len(self.classes) > 2 else 0
        sign = 1.0 if len(self.classes) > 2 or best == 1 else -1.0
        drive = sorted(((sign * w * self.coef[t][column], t) for t, w in vector.items()
                        if t in self.coef and not t.startswith(CHAR)), reverse=True)
        terms = [t for score, t in drive[:top_terms] if score > 0]
        return Suggestion(self.classes[best], round(probabilities[best], 3), terms, self.version,
                          [(self.classes[k], round(probabilities[k], 3)) for k in ranked[:3]])

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts in the model's TF-IDF space."""
        return self.most_similar_normalised(normalise(a), [normalise(b)])[1]

    def most_similar_normalised(self, text: str, others: list[str]) -> tuple[int, float]:
        """Index and cosine similarity of the closest of ``others`` (all already ``normalise``d;
        vectors are L2-normalised, so the dot product is the cosine). Character grams included:
        two reports of one burst pipe score 0.73 where two of one topic score 0.34 at the 99th
        percentile (the evaluation set's pairs); on words alone those are 0.45 and 0.29."""
        if not others:
            return -1, 0.0
        v = self.vector_normalised(text)
        scores = [sum(w * o.get(t, 0.0) for t, w in v.items()) for o in map(self.vector_normalised, others)]
        best = max(range(len(scores)), key=scores.__getitem__)
        return best, scores[best]

    def plain(self) -> dict[str, Any]:
        return {**self.__dict__, "coef": {t: list(w) for t, w in self.coef.items()}}

    def to_json(self) -> str:
        return json.dumps(self.plain(), ensure_ascii=False)

    @classmethod
    def from_plain(cls, fields: dict[str, Any]) -> "Model":
        # weights as C doubles: a third of the memory of a list of Python floats, same arithmetic
        return cls(**{**fields, "coef": {t: array("d", w) for t, w in fields["coef"].items()}})

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Model":
        return cls.from_plain(json.loads(raw))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and self.plain() == other.plain()


@dataclass(eq=False)
class Models:
    """What one training gives: the category model and the urgency model (None without urgency labels)."""

    category: Model
    urgency: Model | None

    def to_json(self) -> str:
        return json.dumps({"category": self.category.plain(), "urgency": self.urgency.plain() if self.urgency else None},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Models":
        fields = json.loads(raw)
        return cls(Model.from_plain(fields["category"]),
                   Model.from_plain(fields["urgency"]) if fields.get("urgency") else None)


def labelled_examples(directory: Directory, path: Path = LABELLED) -> list[Example]:
    if not path.exists():
        return []
    return [Example(r["text"], r["category"] if r["category"] in directory.categories else None,
                    r["urgent"] == "1" if r.get("urgent") in ("0", "1") else None, r.get("group", ""))
            for r in load_labelled(path)]


def examples_for(directory: Directory, decisions: list[Example] = (), labelled: bool = True) -> list[Example]:  # type: ignore[assignment]
    examples = seed_examples(directory) + list(decisions)
    if labelled:
        examples += labelled_examples(directory)
    return examples


async def train_in_child(examples: list[Example], cache_dir: Path | None = None, timeout_s: float = 300) -> Models:
    """Fit in ``python -m services.routing.train``: its memory goes when it exits. With a
    ``cache_dir`` the child keeps the models it made by the digest of their examples, so a
    restart (or another replica) with the same directory and decisions does not fit again."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.routing.train", *([str(cache_dir)] if cache_dir else []),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    payload = json.dumps([[e.text, e.category, e.urgent, e.group] for e in examples]).encode()
    try:
        out, err = await asyncio.wait_for(proc.communicate(payload), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()     # reap it: no zombie left behind by a hung training
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"training failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
    return Models.from_json(out)
