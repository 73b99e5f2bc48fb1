"""The routing classifier on a held-out split of the project's labelled set, and routing latency.

Whole phrasings (the ``group`` column) are held out, so the test lines are not near-copies of
training lines. Writes bench/results/classifier.{json,md}.

    .venv/bin/python -m bench.classifier
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, classification_report, f1_score

from services.routing.classifier import load_labelled, seed_examples
from services.routing.train import fit
from services.routing.rules import route
from shared.directory import load_file
from shared.events import ReportReceived, utcnow

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def run(seed: int = 7) -> dict[str, Any]:
    directory = load_file(ROOT / "data" / "directory" / "demo.yaml")
    rows = load_labelled()
    texts, labels, groups = zip(*rows)
    # two whole phrasings of every category are held out (stratified by category, split by group)
    rng = random.Random(seed)
    by_category: dict[str, list[str]] = {}
    for g, c in sorted({(g, c) for _, c, g in rows}):
        by_category.setdefault(c, []).append(g)
    held = {g for gs in by_category.values() for g in rng.sample(gs, 2)}
    train_idx = [i for i, g in enumerate(groups) if g not in held]
    test_idx = [i for i, g in enumerate(groups) if g in held]
    t0 = time.perf_counter()
    model = fit(seed_examples(directory) + [(texts[i], labels[i]) for i in train_idx])
    train_s = time.perf_counter() - t0
    predicted = [model.suggest(texts[i]).category for i in test_idx]
    truth = [labels[i] for i in test_idx]
    per_class = classification_report(truth, predicted, output_dict=True, zero_division=0)
    latencies = []
    for i in test_idx:
        report = ReportReceived(tracking_id="BENCH-0000", type="complaint", title=texts[i][:60], body=texts[i],
                                region_code="63.71", received_at=utcnow())
        t = time.perf_counter()
        route(report, directory, model, 0.6)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {
        "labelled": len(rows), "train": len(train_idx), "test": len(test_idx),
        "held_out_groups": sorted({groups[i] for i in test_idx}),
        "accuracy": round(accuracy_score(truth, predicted), 3),
        "macro_f1": round(f1_score(truth, predicted, average="macro"), 3),
        "per_category_f1": {k: round(v["f1-score"], 3) for k, v in per_class.items() if isinstance(v, dict) and k in directory.categories},
        "train_s": round(train_s, 2),
        "routing_latency_ms": {"p50": round(statistics.median(latencies), 2),
                               "p99": round(latencies[int(len(latencies) * 0.99) - 1], 2), "max": round(latencies[-1], 2)},
        "model_version": model.version,
    }


def markdown(r: dict[str, Any]) -> str:
    lines = ["## Routing classifier", "",
             f"{r['labelled']} labelled complaints (synthetic, `data/routing/labelled.csv`); {r['test']} held out by whole "
             f"phrasing ({len(r['held_out_groups'])} templates never seen in training). Model `{r['model_version']}`.", "",
             "| measure | value |", "|---|---|",
             f"| accuracy | {r['accuracy']} |", f"| macro-F1 | {r['macro_f1']} |",
             f"| routing latency per report (classify + rules) | p50 {r['routing_latency_ms']['p50']} ms, "
             f"p99 {r['routing_latency_ms']['p99']} ms |",
             f"| training time | {r['train_s']} s |", "", "| category | F1 |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(r["per_category_f1"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    result = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "classifier.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "classifier.md").write_text(markdown(result))
    print(markdown(result))
