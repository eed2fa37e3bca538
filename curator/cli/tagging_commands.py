"""Tagging commands: ``curator classify`` and ``curator eval tagging``.

Both work on files only and never open the database. Heavy libraries (encoders,
scikit-learn, matplotlib) are imported inside the commands.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from curator.errors import CuratorError, InvalidInput

ENCODER_HELP = "e5 (multilingual-e5-small), minilm (all-MiniLM-L6-v2), or st:<model-name-or-path>."


def _default_labels_path() -> Path:
    """``<shared>/eval/tagging-dev.jsonl``: CURATOR_SHARED_DIR, else ../shared beside the
    repository, else ../shared beside the working directory."""
    env = os.environ.get("CURATOR_SHARED_DIR")
    candidates = []
    if env:
        candidates.append(Path(env))
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared")
    candidates.append(Path.cwd() / ".." / "shared")
    for shared in candidates:
        path = shared / "eval" / "tagging-dev.jsonl"
        if path.exists():
            return path.resolve()
    return (candidates[0] / "eval" / "tagging-dev.jsonl").resolve()


@click.command("classify")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--encoder", default=None, metavar="NAME", help=f"Encoder: {ENCODER_HELP} Default: e5.")
@click.option("--areas", "areas_file", type=click.Path(dir_okay=False), default=None,
              help="Subject-area model (default models/subject_areas.yaml).")
@click.option("--progress/--no-progress", default=False, help="Show an encoding progress bar on stderr.")
def classify(file: str, encoder: str | None, areas_file: str | None, progress: bool) -> None:
    """Tag the items of a JSON-lines FILE ("-" = stdin) and print one JSON line per item.

    Each input line is {"id", "title", "text", "lang"?}; each output line is
    {"id", "areas": [best first], "scores": {area: score}}. An empty "areas" list means
    the item is off-topic. Never touches the database. A bad line is reported on stderr
    with its line number and skipped; the exit code is then 1.

    \b
    Example:
      echo '{"id":"a1","title":"Union calls strike","text":"Workers walk out."}' > items.jsonl
      curator classify items.jsonl --encoder e5
    """
    from curator.tagging import DEFAULT_ENCODER, TagInput, make_tagger

    stream = sys.stdin if file == "-" else None
    try:
        lines = stream.read().splitlines() if stream is not None else Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{file}: cannot read the items file ({exc}).") from exc
    docs: list[TagInput] = []
    bad = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("expected a JSON object")
            if "id" not in raw:
                raise ValueError('"id" is missing')
            title, text = raw.get("title") or "", raw.get("text") or ""
            if not isinstance(title, str) or not isinstance(text, str):
                raise ValueError('"title" and "text" must be strings')
            if not (title.strip() or text.strip()):
                raise ValueError('"title" and "text" are both empty')
            lang = raw.get("lang")
            docs.append(TagInput(id=str(raw["id"]), title=title, text=text, lang=lang if isinstance(lang, str) else None))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            bad += 1
            click.echo(f"{file}, line {number}: skipped: {exc}", err=True)
    if docs:
        tagger = make_tagger(encoder or DEFAULT_ENCODER, areas_path=areas_file)
        for doc, result in zip(docs, tagger.tag(docs, progress=progress), strict=True):
            click.echo(json.dumps({"id": doc.id, "areas": list(result.areas), "scores": result.scores},
                                  ensure_ascii=False))
    if bad:
        sys.exit(1)


@click.command("eval_tagging")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), default=None,
              help="Labelled JSON lines (default ../shared/eval/tagging-dev.jsonl).")
@click.option("--encoders", default="e5,minilm", show_default=True,
              help="Comma-separated encoders to evaluate (e5, minilm, st:<name>).")
@click.option("--areas", "areas_file", type=click.Path(dir_okay=False), default=None,
              help="Subject-area model (default models/subject_areas.yaml).")
@click.option("--folds", default=5, show_default=True, help="Folds for cross-validated figures.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON document.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None,
              help="Write confusion-matrix heatmaps (zero-shot per encoder) to this PNG.")
@click.option("--progress/--no-progress", default=True, help="Encoding progress bars on stderr.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Keep embeddings in this directory so re-runs encode nothing new.")
def eval_tagging(labels_file: str | None, encoders: str, areas_file: str | None, folds: int, as_json: bool,
                 plot_file: str | None, progress: bool, cache_dir: str | None) -> None:
    """Measure tagging on labelled articles: per encoder the zero-shot tagger and the
    few-shot tagger (editor corrections simulated by k-fold cross-validation), and the
    keyword-rule and TF-IDF + logistic-regression baselines.

    Prints per-area precision/recall/F1 (multi-label), macro-F1 on the primary area
    (six classes incl. none), F1 of none, German and English separately and a
    confusion matrix. An encoder that cannot be loaded is reported and skipped.

    \b
    Example:
      curator eval tagging --labels ../shared/eval/tagging-dev.jsonl --encoders e5,minilm --plot cm.png
    """
    from curator.evaluation.tagging import run_tagging_evaluation

    path = Path(labels_file) if labels_file else _default_labels_path()
    report = run_tagging_evaluation(
        path,
        [e.strip() for e in encoders.split(",") if e.strip()],
        areas_path=areas_file,
        folds=folds,
        progress=progress,
        cache_dir=cache_dir,
        log=lambda msg: click.echo(msg, err=True),
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text())
    if plot_file:
        try:
            report.plot(plot_file)
        except CuratorError:
            raise
        except Exception as exc:  # matplotlib trouble should not hide the figures above
            click.echo(f"Could not write the plot {plot_file}: {exc}", err=True)
        else:
            click.echo(f"Confusion matrices written to {plot_file}", err=True)


def register(group: Any) -> None:
    """Mount ``classify`` on the top-level group (``eval tagging`` is mounted by the CLI)."""
    group.add_command(classify)
