"""The trends page shows the worker's topics: labels in the editor's language, rising marked, a
chart; before the first computation it says how to get one."""

from __future__ import annotations

from ..conftest import rebuilt
from ..trends.planted import RISING_NOW, TopicEncoder, planted_lines
from .conftest import EDITOR, WebWorld


def test_trends_page_shows_topics_in_the_editors_language(world: WebWorld) -> None:
    editor = world.client(EDITOR)
    empty = editor.get("/editor/trends", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No topic trends computed yet" in empty and "trends/topics.svg" not in empty

    worker = rebuilt(world.cur, encoder=TopicEncoder())  # the worker's computation, on the same database
    try:
        worker.items.import_jsonl(planted_lines(worker.clock.now()))
        report = worker.trends.compute(30)
    finally:
        worker.close()
    top = report.topics[0]
    assert top.rising

    en = editor.get("/editor/trends", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Topics of the last 30 days" in en and top.label_en in en and "↑ rising" in en
    assert en.count("↑ rising") == 1 and f"<td>{RISING_NOW}</td>" in en
    svg = editor.get("/editor/trends/topics.svg", headers={"Accept-Language": "en"})
    assert svg.mimetype == "image/svg+xml" and top.label_en.split(" · ")[0] in svg.get_data(as_text=True)
    assert "<script" not in svg.get_data(as_text=True)

    de_client = world.client(EDITOR)
    de = de_client.get("/editor/trends", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Themen der letzten 30 Tage" in de and top.label_de in de and "↑ steigend" in de
    assert "steigend" in de_client.get("/editor/trends/topics.svg", headers={"Accept-Language": "de"}).get_data(
        as_text=True)
    # members never see it
    assert world.client().get("/editor/trends").status_code in (302, 401, 403)
