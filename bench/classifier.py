"""The routing models on the evaluation set, which no training ever sees, and routing latency.

Trains as the service does (the directory's categories and the labelled set,
``data/routing/labelled.csv``) and scores ``data/routing/evaluation.csv``: complaints written
one by one, not from the training set's templates (``data/routing/README.md`` tells how both
were made). Chooses the thresholds the service runs with:

- the auto-routing threshold: the lowest confidence at which fewer than 2 % of the reports
  routed automatically are routed wrongly (below it the coordinator gets the top three);
- the urgency threshold: the one with the best F2 (recall counts twice precision: a missed
  urgent report costs a life's delay, a false one a coordinator's click to lower it).

Both are chosen on the evaluation set, so its own figures at them are optimistic; the "held-out
check" chooses on one half and measures on the other, both ways, and reports that too. Also
compares the features (words only, the old model; words and character grams) on the same split.
Writes bench/results/classifier.{json,md}.

    .venv/bin/python -m bench.classifier
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

from services.routing.classifier import DATA, Models, examples_for, normalise
from services.routing.rules import route
from services.routing.settings import RoutingSettings
from services.routing.train import fit, fit_sklearn
from services.routing.triage import triage
from shared.directory import load_file
from shared.events import ReportReceived, utcnow

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
EVALUATION = DATA / "evaluation.csv"
MAX_WRONG = 0.02          # of the reports routed automatically
BETA = 2.0                # F-beta of the urgency threshold


def load_evaluation(path: Path = EVALUATION) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def auto_threshold(scored: list[tuple[float, bool]], max_wrong: float = MAX_WRONG) -> float:
    """The lowest confidence from which the share of wrong answers is under ``max_wrong``."""
    best = 1.0
    for t in sorted({round(c, 3) for c, _ in scored} | {1.0}):
        taken = [ok for c, ok in scored if c >= t]
        if taken and taken.count(False) / len(taken) < max_wrong:
            best = t
            break
    return best


def urgency_threshold(scored: list[tuple[float, bool]], beta: float = BETA) -> float:
    """The confidence from which flagging gives the best F-beta on ``scored``."""
    positives = sum(1 for _, truth in scored if truth)
    best, best_f = 0.5, -1.0
    for t in sorted({round(c, 3) for c, _ in scored}):
        tp = sum(1 for c, truth in scored if truth and c >= t)
        flagged = sum(1 for c, _ in scored if c >= t)
        if not tp:
            continue
        precision, recall = tp / flagged, tp / positives
        f = (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)
        if f > best_f:
            best, best_f = t, f
    return best


def routing_figures(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    n = len(rows)
    auto = [r for r in rows if r["confidence"] >= threshold]
    wrong = sum(1 for r in auto if not r["correct"])
    return {"n": n, "accuracy": round(sum(r["correct"] for r in rows) / n, 3),
            "top3_accuracy": round(sum(r["in_top3"] for r in rows) / n, 3),
            "auto_routed_share": round(len(auto) / n, 3),
            "auto_routed_error": round(wrong / len(auto), 4) if auto else 0.0,
            "either_topic_accuracy": round(sum(r["correct"] or r["second_ok"] for r in rows) / n, 3)}


def urgency_figures(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    tp = sum(1 for r in rows if r[key] and r["urgent"])
    fp = sum(1 for r in rows if r[key] and not r["urgent"])
    fn = sum(1 for r in rows if not r[key] and r["urgent"])
    return {"urgent": tp + fn, "flagged": tp + fp, "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None}


def calibration(rows: list[dict[str, Any]], bins: int = 5) -> list[dict[str, Any]]:
    """Mean confidence against the share right, per confidence band."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        band = [r for r in rows if lo <= r["confidence"] < hi or (b == bins - 1 and r["confidence"] == 1.0)]
        if band:
            out.append({"band": f"{lo:.1f}-{hi:.1f}", "n": len(band),
                        "mean_confidence": round(statistics.mean(r["confidence"] for r in band), 3),
                        "share_right": round(sum(r["correct"] for r in band) / len(band), 3)})
    return out


def held_out_check(rows: list[dict[str, Any]], seed: int = 7) -> dict[str, Any]:
    """Choose the thresholds on one half of the evaluation set, measure on the other, both ways."""
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    halves = [shuffled[::2], shuffled[1::2]]
    out = []
    for choose, measure in (halves, halves[::-1]):
        t = auto_threshold([(r["confidence"], r["correct"]) for r in choose])
        u = urgency_threshold([(r["urgency"], r["urgent"]) for r in choose])
        f = routing_figures(measure, t)
        flagged = [{**r, "flag": r["urgency"] >= u} for r in measure]
        out.append({"threshold": t, "auto_routed_share": f["auto_routed_share"], "auto_routed_error": f["auto_routed_error"],
                    "urgency_threshold": u, **{f"urgency_{k}": v for k, v in urgency_figures(flagged, "flag").items()
                                                if k in ("precision", "recall")}})
    return {"runs": out, "auto_routed_error_mean": round(statistics.mean(r["auto_routed_error"] for r in out), 4),
            "urgency_recall_mean": round(statistics.mean(r["urgency_recall"] or 0 for r in out), 3)}


def words_only_accuracy(examples: list[Any], evaluation: list[dict[str, str]]) -> dict[str, float]:
    """The previous model's features (words and word pairs) on the same data, for comparison."""
    labelled = [e for e in examples if e.category]
    vectorizer, model = fit_sklearn([normalise(e.text) for e in labelled], [e.category for e in labelled], "words")
    proba = model.predict_proba(vectorizer.transform([normalise(r["text"]) for r in evaluation]))
    classes = list(model.classes_)
    right = top3 = 0
    for row, p in zip(evaluation, proba):
        ranked = sorted(range(len(classes)), key=lambda k: -p[k])
        right += classes[ranked[0]] == row["category"]
        top3 += row["category"] in [classes[k] for k in ranked[:3]]
    return {"accuracy": round(right / len(evaluation), 3), "top3_accuracy": round(top3 / len(evaluation), 3)}


def run() -> dict[str, Any]:
    directory = load_file(ROOT / "data" / "directory" / "demo.yaml")
    examples = examples_for(directory)
    evaluation = load_evaluation()
    t0 = time.perf_counter()
    models = fit(examples)
    train_s = time.perf_counter() - t0
    assert models.urgency is not None, "the labelled set has urgency labels"
    raw = models.to_json()
    tracemalloc.start()
    loaded = Models.from_json(raw)
    model_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rows, latencies = [], []
    for r in evaluation:
        report = ReportReceived(tracking_id="BENCH-0000", type="complaint", title=r["text"][:60], body=r["text"],
                                region_code="63.03", channel="sms" if r["channel"] == "sms" else "web",
                                received_at=utcnow())
        norm = normalise(f"{report.title} {report.body}")
        t = time.perf_counter()
        route(report, directory, loaded.category, 1.1, normalised=norm)       # 1.1: always scored, never taken
        judged = triage(report, directory, None, loaded.urgency, 0.0, norm)
        latencies.append((time.perf_counter() - t) * 1000)
        s = loaded.category.suggest_normalised(norm)
        top3 = [c for c, _ in s.top]
        known = directory.categories.get(s.category)
        rows.append({"channel": r["channel"], "category": r["category"], "predicted": s.category,
                     "confidence": s.confidence, "correct": s.category == r["category"],
                     "in_top3": r["category"] in top3, "second_ok": bool(r.get("second_category"))
                     and s.category == r["second_category"], "urgent": r["urgent"] == "1",
                     "urgency": judged.confidence or 0.0, "category_urgent": bool(known and known.urgent)})
    threshold = auto_threshold([(r["confidence"], r["correct"]) for r in rows])
    u_threshold = urgency_threshold([(r["urgency"], r["urgent"]) for r in rows])
    for r in rows:
        r["content_flag"] = r["urgency"] >= u_threshold
        # what the service flags: the content, or a category that always is urgent (as predicted)
        r["flag"] = r["content_flag"] or (r["category_urgent"] and r["confidence"] >= threshold)
    per_channel = {ch: routing_figures([r for r in rows if r["channel"] == ch], threshold) for ch in ("web", "sms")}
    per_category = {}
    for c in sorted(directory.categories):
        mine = [r for r in rows if r["category"] == c]
        predicted = [r for r in rows if r["predicted"] == c]
        if mine:
            recall = sum(r["correct"] for r in mine) / len(mine)
            precision = sum(r["correct"] for r in predicted) / len(predicted) if predicted else 0.0
            per_category[c] = round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0
    latencies.sort()
    settings = RoutingSettings.model_fields
    return {
        "labelled": sum(1 for e in examples if e.group), "seed_examples": sum(1 for e in examples if not e.group),
        "evaluation": len(rows), "evaluation_channels": {ch: sum(r["channel"] == ch for r in rows) for ch in ("web", "sms")},
        "model_version": loaded.category.version, "urgency_model_version": loaded.urgency.version,
        "temperature": loaded.category.temperature, "urgency_temperature": loaded.urgency.temperature,
        "features": len(loaded.category.idf), "model_memory_mb": round(model_bytes / 1e6, 1),
        "train_s": round(train_s, 1),
        "chosen": {"classifier_threshold": threshold, "urgency_threshold": u_threshold,
                   "service_defaults": {"classifier_threshold": settings["classifier_threshold"].default,
                                        "urgency_threshold": settings["urgency_threshold"].default}},
        "all": routing_figures(rows, threshold), "per_channel": per_channel,
        "macro_f1": round(statistics.mean(per_category.values()), 3), "per_category_f1": per_category,
        "calibration": calibration(rows),
        "urgency": {"content": urgency_figures(rows, "content_flag"), "service_flag": urgency_figures(rows, "flag"),
                    "per_channel": {ch: urgency_figures([r for r in rows if r["channel"] == ch], "flag")
                                    for ch in ("web", "sms")}},
        "held_out_check": held_out_check(rows),
        "words_only": words_only_accuracy(examples, evaluation),
        "routing_latency_ms": {"p50": round(statistics.median(latencies), 2),
                               "p99": round(latencies[int(len(latencies) * 0.99) - 1], 2), "max": round(latencies[-1], 2)},
    }


def markdown(r: dict[str, Any]) -> str:
    ch = r["per_channel"]
    chosen = r["chosen"]
    lines = [
        "## Routing classifier and urgency triage", "",
        f"Trained on {r['labelled']} labelled complaints (`data/routing/labelled.csv`, generated) and {r['seed_examples']} "
        f"lines of the directory; measured on {r['evaluation']} complaints written one by one "
        f"(`data/routing/evaluation.csv`: {r['evaluation_channels']['web']} web, {r['evaluation_channels']['sms']} SMS), "
        f"which no training sees. Model `{r['model_version']}` ({r['features']} features, about "
        f"{r['model_memory_mb']} MB in the service), temperature {r['temperature']}; trained in {r['train_s']} s.", "",
        f"Auto-routing threshold **{chosen['classifier_threshold']}** (the lowest at which under 2 % of automatic routes "
        f"are wrong); urgency threshold **{chosen['urgency_threshold']}** (the best F2: recall weighs twice "
        f"precision). The service's defaults: {chosen['service_defaults']['classifier_threshold']} and "
        f"{chosen['service_defaults']['urgency_threshold']}.", "",
        "| measure | all | web | SMS |", "|---|---|---|---|",
    ]
    for key, label in (("accuracy", "accuracy (top 1)"), ("top3_accuracy", "top-3 accuracy"),
                       ("either_topic_accuracy", "top 1 is the main or the second topic"),
                       ("auto_routed_share", "routed automatically"), ("auto_routed_error", "of those, wrong")):
        lines.append(f"| {label} | {r['all'][key]} | {ch['web'][key]} | {ch['sms'][key]} |")
    u, up = r["urgency"], r["urgency"]["per_channel"]
    lines += [f"| urgency precision (content or urgent category) | {u['service_flag']['precision']} | "
              f"{up['web']['precision']} | {up['sms']['precision']} |",
              f"| urgency recall | {u['service_flag']['recall']} | {up['web']['recall']} | {up['sms']['recall']} |", "",
              f"Content alone: precision {u['content']['precision']}, recall {u['content']['recall']} "
              f"({u['content']['urgent']} urgent of {r['evaluation']}).", "",
              "**Held-out check** (thresholds chosen on one half of the evaluation set, measured on the other): "
              + "; ".join(f"threshold {x['threshold']} routes {x['auto_routed_share']} with {x['auto_routed_error']} wrong, "
                          f"urgency recall {x['urgency_recall']} at precision {x['urgency_precision']}"
                          for x in r["held_out_check"]["runs"]) + ".", "",
              f"**Features compared** on the same data: words and word pairs only (the previous model): accuracy "
              f"{r['words_only']['accuracy']}, top-3 {r['words_only']['top3_accuracy']}; with character 3-5-grams: "
              f"{r['all']['accuracy']}, top-3 {r['all']['top3_accuracy']}.", "",
              f"Routing latency per report (category, rules, triage): p50 {r['routing_latency_ms']['p50']} ms, "
              f"p99 {r['routing_latency_ms']['p99']} ms.", "",
              "| confidence | reports | mean confidence | share right |", "|---|---|---|---|"]
    lines += [f"| {b['band']} | {b['n']} | {b['mean_confidence']} | {b['share_right']} |" for b in r["calibration"]]
    lines += ["", f"Macro-F1 {r['macro_f1']}.", "", "| category | F1 |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(r["per_category_f1"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    result = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "classifier.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "classifier.md").write_text(markdown(result))
    print(markdown(result))
