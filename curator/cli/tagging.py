"""Tagging (``curator.tagging``): ``curator tag``, ``curator tags set``, ``curator duplicates``,
and the two commands that work on files only and never open the database: ``curator classify``
and ``curator eval tagging``. Encoders, scikit-learn and matplotlib are imported inside them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import CuratorError, InvalidInput
from ..types import AREA_IDS
from .common import CliState, pass_state, shorten, table

ENCODER_HELP = (
    "e5 (multilingual-e5-small), minilm (all-MiniLM-L6-v2), use (multilingual USE v3, the use extra), "
    "or st:<model-name-or-path>; two joined by + tag as an ensemble (e5+use, docs/tagging.md)."
)


@click.command()
@click.option("--all", "retag_all", is_flag=True, help="Re-tag every item, not only new or changed ones.")
@pass_state
def tag(state: CliState, retag_all: bool) -> None:
    """Tag stored items with the five subject areas and fold cross-source duplicates.

    Only new or changed items, and items tagged by an older area model or before new editor
    corrections, are tagged again; embeddings are cached by content. The first line says which
    tagger runs: the encoder alone, or with the setting second_encoder (default auto: USE when
    the use extra is installed) an ensemble of two encoders.

    \b
    Example:
      curator tag
    """
    run = state.curator().tagging.tag(retag_all=retag_all, progress=True)
    click.echo(run.tagger[:1].upper() + run.tagger[1:])
    click.echo(f"Tagged {run.tagged} items (tagger {run.version}).")
    click.echo("Items per area: " + ", ".join(f"{a} {n}" for a, n in run.by_area.items())
               + f"; no area: {run.untagged}")
    click.echo(f"Duplicates folded: {run.duplicates} items are copies of a story shown once.")


@click.group()
def tags() -> None:
    """Editor corrections of an item's subject areas."""


@tags.command("set")
@click.argument("item_id", type=int)
@click.argument("areas", nargs=-1, type=click.Choice([*AREA_IDS, "none"]))
@click.option("--editor", required=True, envvar="CURATOR_EDITOR", help="Who corrects (recorded).")
@pass_state
def tags_set(state: CliState, item_id: int, areas: tuple[str, ...], editor: str) -> None:
    """Set the areas of ITEM_ID (primary first); `none` marks it off-topic. The correction is
    kept as a labelled example and improves the tagger on the next `curator tag`.

    \b
    Examples:
      curator tags set 42 work society --editor community@cluster.example
      curator tags set 43 none --editor community@cluster.example
    """
    chosen = [a for a in areas if a != "none"]
    item = state.curator().tagging.correct(item_id, chosen, editor=editor)
    click.echo(f"Item {item.id} '{shorten(item.title, 60)}': areas {', '.join(item.areas) or 'none'}.")


@click.command()
@click.argument("item_id", type=int)
@pass_state
def duplicates(state: CliState, item_id: int) -> None:
    """Show the other copies of the same story that are folded under ITEM_ID.

    \b
    Example:
      curator duplicates 17
    """
    copies = state.curator().tagging.duplicates_of(item_id)
    if not copies:
        click.echo("No other copies.")
        return
    table([[str(i.id), i.source_id, i.lang or "?", shorten(i.title, 70)] for i in copies],
          ["id", "source", "lang", "title"])


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
    from ..core import classify_lines

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{file}: cannot read the items file ({exc}).") from exc
    result = classify_lines(text.splitlines(), encoder=encoder, areas_file=areas_file, progress=progress)
    for number, message in result.errors:
        click.echo(f"{file}, line {number}: skipped: {message.removeprefix(f'line {number}: ')}", err=True)
    for doc, tags_of_doc in result.tagged:
        click.echo(json.dumps({"id": doc.id, "areas": list(tags_of_doc.areas), "scores": tags_of_doc.scores},
                              ensure_ascii=False))
    if result.errors:
        sys.exit(1)


@click.command("tagging")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), default=None,
              help="Labelled JSON lines (default ../shared/eval/tagging-dev.jsonl).")
@click.option("--encoders", default="e5,minilm", show_default=True,
              help="Comma-separated encoders to evaluate (e5, minilm, use, st:<name>; two joined by + are an ensemble: e5+use).")
@click.option("--areas", "areas_file", type=click.Path(dir_okay=False), default=None,
              help="Subject-area model (default models/subject_areas.yaml).")
@click.option("--folds", default=5, show_default=True, help="Folds for cross-validated figures.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON document.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None,
              help="Write confusion-matrix heatmaps (zero-shot per encoder) to this PNG.")
@click.option("--curve-plot", "curve_plot_file", type=click.Path(dir_okay=False), default=None,
              help="Write the learning curves (macro-F1 after 25..200 corrections) to this PNG.")
@click.option("--curve-seeds", default=5, show_default=True,
              help="Seeds of the learning curve (each gives 2 runs); 0 skips it.")
@click.option("--progress/--no-progress", default=True, help="Encoding progress bars on stderr.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Keep embeddings in this directory so re-runs encode nothing new.")
def eval_tagging(labels_file: str | None, encoders: str, areas_file: str | None, folds: int, as_json: bool,
                 plot_file: str | None, curve_plot_file: str | None, curve_seeds: int, progress: bool,
                 cache_dir: str | None) -> None:
    """Measure tagging on labelled articles: per encoder the zero-shot tagger and the
    few-shot tagger (editor corrections simulated by k-fold cross-validation), and the
    keyword-rule and TF-IDF + logistic-regression baselines.

    Prints per-area precision/recall/F1 (multi-label), macro-F1 on the primary area
    (six classes incl. none), F1 of none, German and English separately and a
    confusion matrix. An encoder that cannot be loaded is reported and skipped.
    The learning curve gives macro-F1 after 25, 50, 100 and 200 corrections for
    today's head and the language-centred head, in random and in active (console
    teaching) order, averaged over two halves per seed.

    \b
    Example:
      curator eval tagging --labels ../shared/eval/tagging-dev.jsonl --encoders e5,minilm --plot cm.png
      curator eval tagging --encoders e5 --curve-seeds 5 --curve-plot docs/tagging-curve.png
    """
    from ..evaluation.tagging import default_labels_path, pyplot, run_tagging_evaluation

    if plot_file or curve_plot_file:
        pyplot()  # a missing [eval] extra stops the command now, not after the evaluation
    report = run_tagging_evaluation(
        Path(labels_file) if labels_file else default_labels_path(),
        [e.strip() for e in encoders.split(",") if e.strip()],
        areas_path=areas_file,
        folds=folds,
        progress=progress,
        cache_dir=cache_dir,
        log=lambda msg: click.echo(msg, err=True),
        curve_seeds=tuple(range(max(0, curve_seeds))),
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
    if curve_plot_file:
        report.plot_curve(curve_plot_file)
        click.echo(f"Learning curves written to {curve_plot_file}", err=True)
