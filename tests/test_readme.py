"""README.md stays true: its CLI reference matches ``kg --help``, its ontology tables match
``ontology/*.ttl``, its screenshots exist, its first two commands stay where users look."""

from __future__ import annotations

import importlib.util
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cli_reference = _script("cli_reference")
ontology_table = _script("ontology_table")


def _kg_help(*args: str) -> str:
    kg = Path(sys.executable).with_name("kg")
    cmd = [str(kg)] if kg.is_file() else [sys.executable, "-c", "from kg.cli import _entry; _entry()"]
    env = {**os.environ, "COLUMNS": "220", "NO_COLOR": "1", "TERM": "dumb"}
    out = subprocess.run([*cmd, *args, "--help"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


_OPT = re.compile(r"^-{1,2}[A-Za-z][\w-]*,?$")


def _help_options(text: str) -> set[str]:
    """Options of a ``--help`` page: the option tokens that start a row of the options list."""
    found: set[str] = set()
    for line in text.splitlines():
        row = line.strip().lstrip("│┃|").strip()
        if not row.startswith("-"):
            continue
        for tok in row.replace("/", " ").split():
            if not _OPT.match(tok):
                break
            found.add(tok.rstrip(","))
    return found - {"--help", "-h"}


def _help_commands(text: str) -> list[str]:
    panel = text.split("Commands", 1)[1]
    return re.findall(r"^[│┃|]?\s{1,3}([a-z][\w-]*)\s{2,}\S", panel, flags=re.M)


def _help_arguments(text: str) -> list[str]:
    if "Arguments" not in text:
        return []
    panel = text.split("Arguments", 1)[1].split("Options", 1)[0]
    return [a.upper() for a in re.findall(r"^[│┃|]\s+\*?\s*([A-Za-z]\w*)(?:\.\.\.)?\s+<", panel, flags=re.M)]


def _readme_reference() -> dict[str, dict]:
    """The README's CLI reference parsed back: command → options and arguments."""
    block = cli_reference.current_block(README)
    assert block is not None, "README.md has no generated CLI reference block"
    body = block.split("```text\n", 1)[1].rsplit("```", 1)[0]
    ref: dict[str, dict] = {}
    for chunk in body.strip().split("\n\n"):
        lines = chunk.splitlines()
        m = re.match(r"^kg(?: ([a-z][\w-]*))? \[OPTIONS\]", lines[0])
        assert m, lines[0]
        name = m.group(1) or ""
        args = [a.strip("[].") for a in re.findall(r"\s([A-Z][A-Z_]*(?:\.\.\.)?\]?)", lines[0])
                if a != "COMMAND"]
        opts: set[str] = set()
        for line in lines[1:]:
            row = line.strip()
            if row.startswith("-"):
                for tok in re.split(r"\s{2,}", row)[0].replace("/", " ").split():
                    if _OPT.match(tok):
                        opts.add(tok.rstrip(","))
        ref[name] = {"options": opts, "arguments": [a for a in args if a not in ("COMMAND", "ARGS")]}
    return ref


def test_the_two_commands_stay_at_the_very_top():
    head = README.split("\n## ", 1)[0]
    assert head.index("bash scripts/demo.sh") < head.index("bash scripts/test.sh")
    assert README.startswith("# chainkg")


def test_cli_reference_is_current():
    assert cli_reference.current_block(README) == cli_reference.readme_block(), (
        "run: python scripts/cli_reference.py --write")


def test_cli_reference_agrees_with_help_output():
    ref = _readme_reference()
    top = _kg_help()
    commands = _help_commands(top)
    assert commands, "no command list in kg --help"
    assert set(ref) - {""} == set(commands), "every command of kg --help, and only those"
    assert ref[""]["options"] == _help_options(top)
    for name in commands:
        text = _kg_help(name)
        assert ref[name]["options"] == _help_options(text), f"kg {name}: README vs --help options"
        assert [a.rstrip(".") for a in ref[name]["arguments"]] == _help_arguments(text), (
            f"kg {name}: README vs --help arguments")


def test_help_parser_sees_what_it_should():
    """The parser of --help pages finds real options (so the comparison above can fail)."""
    text = _kg_help("query")
    opts = _help_options(text)
    assert {"--graph", "-g", "--param", "-p", "--allow-remote", "--limit"} <= opts
    assert "--help" not in opts
    assert "QUERY" in _help_arguments(text)


def test_ontology_tables_are_current():
    assert ontology_table.current_block(README) == ontology_table.readme_block(), (
        "run: python scripts/ontology_table.py --write")


@pytest.mark.parametrize("name", ontology_table.FILES)
def test_every_class_and_property_of_the_ontology_is_in_the_readme(name):
    from rdflib import Graph

    g = Graph().parse(ROOT / "ontology" / name)
    classes, props = ontology_table.terms(name)
    assert classes and props
    block = ontology_table.current_block(README)
    listed = set(re.findall(r"^\| `([\w:]+)` \|", block, flags=re.M))
    for term in [*classes, *props]:
        assert g.qname(term) in listed, f"{g.qname(term)} of ontology/{name} missing from README"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshots_exist_and_are_referenced():
    images = re.findall(r"!\[[^\]]*\]\((docs/images/[\w.-]+\.png)\)", README)
    assert len(images) >= 2
    assert any("explorer" in i for i in images) and any("chain-" in i for i in images)
    for rel in images:
        w, h = _png_size(ROOT / rel)
        assert w >= 800 and h >= 450, rel
    committed = {f"docs/images/{p.name}" for p in (ROOT / "docs" / "images").glob("*.png")}
    assert committed <= set(images), "every committed screenshot is shown in the README"


def test_readme_names_the_notebooks_that_exist():
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert nb.name in README, nb.name
