"""The written contract (docs/extracts.md), generated from the source declarations."""

from __future__ import annotations

from conftest import REPO

from etl import contract_docs


def test_docs_extracts_md_is_the_rendered_contract():
    path = REPO / "docs" / "extracts.md"
    assert path.read_text(encoding="utf-8") == contract_docs.render(), (
        "docs/extracts.md differs from the source declarations; regenerate it with "
        f"`{contract_docs.REGENERATE}`"
    )
