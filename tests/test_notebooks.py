"""The tutorial notebooks run from a clean state and show what they promise.

Each notebook of ``notebooks/`` is executed with nbclient on a kernel of this Python (the
venv), in a temporary copy of the working tree (no ``out/``, no earlier outputs), with
``notebooks/`` as its working directory. Notebook 03 reads ``../shared/eval/dev/texts/``
beside the repository, as it does for a user; when that folder is not there, the copy gets
one holding the bundled corpus so the notebook still runs.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
_IGNORE_NAMES = shutil.ignore_patterns(".venv", ".git", "out", "__pycache__", ".pytest_cache",
                                       ".ruff_cache", ".hypothesis", "*.egg-info",
                                       ".ipynb_checkpoints")


def _ignore(folder, names):
    """Leave out build outputs, caches and large generated files (benchmark corpora)."""
    skip = set(_IGNORE_NAMES(folder, names))
    for n in names:
        p = Path(folder) / n
        if p.is_file() and not p.is_symlink() and p.stat().st_size > 20_000_000:
            skip.add(n)
    return skip


def test_three_notebooks_committed_without_outputs():
    assert NOTEBOOKS == ["01_build_and_query.ipynb", "02_industry_chains.ipynb",
                         "03_bring_your_own_documents.ipynb"]
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


def test_notebooks_match_their_generator():
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import make_notebooks
    finally:
        sys.path.pop(0)
    for name, cells in make_notebooks.NOTEBOOKS.items():
        text = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert text == make_notebooks.make(cells), f"{name}: run python notebooks/make_notebooks.py"


def test_notebooks_keep_logic_in_kg():
    """Notebooks call kg; they define no functions or classes of their own."""
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "import kg" in code or "from kg" in code, name
        assert "\ndef " not in "\n" + code and "\nclass " not in "\n" + code, name


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A clean copy of the working tree, a sibling ``shared/eval/dev/texts`` and a kernel spec
    for this interpreter."""
    base = tmp_path_factory.mktemp("nbrun")
    repo = base / "main"
    shutil.copytree(ROOT, repo, ignore=_ignore, symlinks=True)
    for nb_path in (repo / "notebooks").glob("*.ipynb"):  # clean state: no outputs at all
        assert '"outputs": []' in nb_path.read_text(encoding="utf-8")
    texts = base / "shared" / "eval" / "dev" / "texts"
    real = ROOT.parent / "shared" / "eval" / "dev" / "texts"
    if real.is_dir() and any(real.glob("*.txt")):
        shutil.copytree(real, texts)
    else:
        shutil.copytree(ROOT / "data" / "corpus", texts)
    kernels = base / "jupyter" / "kernels" / "chainkg-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "chainkg test", "language": "python"}), encoding="utf-8")
    return repo, base / "jupyter"


def _run(workspace, name, monkeypatch):
    repo, jupyter = workspace
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(repo / "notebooks" / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="chainkg-test",
                                     resources={"metadata": {"path": str(repo / "notebooks")}})
    client.execute()  # raises CellExecutionError with the cell and traceback on any error
    return repo, nb


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def _text(nb) -> str:
    parts = []
    for out in _outputs(nb):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
            parts.append(out.data.get("text/html", ""))
    return "\n".join(parts)


def _no_missing_glyphs(nb):
    streams = "\n".join(o.text for o in _outputs(nb) if o.output_type == "stream")
    assert "missing from font" not in streams, "tofu: a CJK glyph was drawn without a CJK font"


def test_01_build_and_query(workspace, monkeypatch):
    repo, nb = _run(workspace, "01_build_and_query.ipynb", monkeypatch)
    assert (repo / "out" / "notebook-01" / "graph.trig").is_file()
    text = _text(nb)
    assert "kg:Company" in text and "entities-by-type" in text
    html_tables = [o for o in _outputs(nb) if "data" in o and "<table" in o.data.get("text/html", "")]
    assert len(html_tables) >= 5  # counts, query library, entities, projects, provenance …
    _no_missing_glyphs(nb)


def test_02_industry_chains(workspace, monkeypatch):
    repo, nb = _run(workspace, "02_industry_chains.ipynb", monkeypatch)
    text = _text(nb)
    assert "长治市" in text and "平鲁经济技术开发区" in text
    assert "补链" in text or "延链" in text
    pngs = [o for o in _outputs(nb) if "data" in o and "image/png" in o.data]
    assert len(pngs) >= 2, "one coverage chart per scope"
    frames = [o for o in _outputs(nb) if "data" in o and "<iframe srcdoc=" in o.data.get("text/html", "")]
    assert len(frames) == 2, "the 全景图 of each scope rendered inline"
    _no_missing_glyphs(nb)


def test_03_bring_your_own_documents(workspace, monkeypatch):
    repo, nb = _run(workspace, "03_bring_your_own_documents.ipynb", monkeypatch)
    assert (repo / "out" / "notebook-03" / "graph.trig").is_file()
    text = _text(nb)
    assert "added: [" in text and "removed: []" in text
    assert "conforms" in text  # the SHACL summary
    _no_missing_glyphs(nb)
