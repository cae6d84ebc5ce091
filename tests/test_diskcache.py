"""Dictionaries kept on disk between processes (kg.diskcache)."""

from __future__ import annotations

import pytest

from kg import diskcache
from kg.diskcache import disk_cached


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHAINKG_CACHE_DIR", str(folder))
    return folder


def _counting(source):
    calls = []

    @disk_cached(lambda: [source])
    def build():
        calls.append(1)
        return {"lines": source.read_text(encoding="utf-8").split()}

    return build, calls


def test_built_once_then_read_back_until_an_input_changes(cache, tmp_path):
    source = tmp_path / "words.txt"
    source.write_text("太原 长治", encoding="utf-8")
    build, calls = _counting(source)
    assert build() == {"lines": ["太原", "长治"]} and len(calls) == 1
    assert build() == {"lines": ["太原", "长治"]} and len(calls) == 1  # from disk
    assert len(list(cache.glob("*.pickle"))) == 1
    source.write_text("太原 长治 朔州", encoding="utf-8")  # an edited data file: built again
    assert build() == {"lines": ["太原", "长治", "朔州"]} and len(calls) == 2
    assert len(list(cache.glob("*.pickle"))) == 1  # the old entry is gone
    source.unlink()  # a missing input is part of the key too
    with pytest.raises(FileNotFoundError):
        build()


def test_two_copies_of_the_same_inputs_share_the_entry(cache, tmp_path):
    """The key is made of the input files' names and contents, not where they are: a
    second install of the same data reads the first one's entry (and does not replace
    it, which made two installs rebuild each other's dictionaries on every run)."""
    one, two = tmp_path / "one", tmp_path / "two"
    for d in (one, two):
        d.mkdir()
        (d / "words.txt").write_text("太原 长治", encoding="utf-8")
    build_one, calls_one = _counting(one / "words.txt")
    build_two, calls_two = _counting(two / "words.txt")
    assert build_one() == build_two() == {"lines": ["太原", "长治"]}
    assert len(calls_one) == 1 and calls_two == []
    assert build_one() and len(calls_one) == 1 and len(list(cache.glob("*.pickle"))) == 1
    (two / "words.txt").write_text("太原", encoding="utf-8")  # different data: its own entry
    assert build_two() == {"lines": ["太原"]} and len(calls_two) == 1


def test_a_torn_entry_is_built_again(cache, tmp_path):
    source = tmp_path / "words.txt"
    source.write_text("太原", encoding="utf-8")
    build, calls = _counting(source)
    build()
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:5])
    assert build() == {"lines": ["太原"]} and len(calls) == 2
    assert build() == {"lines": ["太原"]} and len(calls) == 2


@pytest.mark.parametrize("setting", ["off", "unwritable"])
def test_without_a_usable_folder_the_value_is_built_each_time(tmp_path, monkeypatch, setting):
    source = tmp_path / "words.txt"
    source.write_text("太原", encoding="utf-8")
    if setting == "off":
        monkeypatch.setenv("CHAINKG_CACHE_DIR", "off")
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("CHAINKG_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    build, calls = _counting(source)
    assert build() == build() == {"lines": ["太原"]} and len(calls) == 2
    if setting == "off":
        assert diskcache.cache_dir() is None


def test_the_extraction_dictionaries_read_back_equal_the_built_ones(cache):
    from kg.extract.relations_chain import chain_feeds
    from kg.lexicon import chain_vocabulary
    from kg.regions import _jieba_words, places

    for fn in (places, _jieba_words, chain_vocabulary, chain_feeds):
        disk = fn.__wrapped__  # below the in-process lru_cache
        built = disk.uncached()
        assert built, fn.__name__
        assert disk() == built  # written
        assert disk() == built  # and read back
    assert len(list(cache.glob("*.pickle"))) == 4


def test_a_value_derived_from_files_is_kept_while_they_stay_as_they_were(cache, tmp_path):
    import os

    source = tmp_path / "module.py"
    source.write_text("x = 1\n", encoding="utf-8")
    calls = []

    def compute():
        calls.append(1)
        return f"shape of {source.read_text(encoding='utf-8').strip()}"

    assert diskcache.memo_by_files("shape", [source], compute) == "shape of x = 1"
    assert diskcache.memo_by_files("shape", [source], compute) == "shape of x = 1"
    assert len(calls) == 1
    assert diskcache.memo_by_files("other", [source], compute) and len(calls) == 2  # by name
    source.write_text("x = 2\n", encoding="utf-8")  # same size: the modification time tells
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert diskcache.memo_by_files("shape", [source], compute) == "shape of x = 2"
    assert len(calls) == 3
    (cache / "memo.json").write_text("{not json", encoding="utf-8")  # torn: computed again
    assert diskcache.memo_by_files("shape", [source], compute) == "shape of x = 2"
    assert len(calls) == 4
    source.unlink()  # a missing file: computed, not kept
    assert diskcache.memo_by_files("shape", [source], lambda: "gone") == "gone"


def test_the_build_fingerprints_read_back_equal_those_computed(cache, monkeypatch):
    from kg import pipeline

    monkeypatch.setattr(pipeline, "_CODE_KEY", None)  # not the one this process has
    key = pipeline._compute_code_key()
    assert pipeline._code_key() == key
    assert diskcache.memo_by_files("code key", pipeline._fingerprinted_files(), lambda: "x") == key


def test_two_installs_keep_their_own_memo_entries(cache, tmp_path):
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    for f in (one, two):
        f.write_text("x = 1\n", encoding="utf-8")
    calls = []

    def compute(f):
        return lambda: calls.append(f) or f.name

    for _ in range(3):  # alternating: each reads its own entry back
        assert diskcache.memo_by_files("shape", [one], compute(one)) == "one.py"
        assert diskcache.memo_by_files("shape", [two], compute(two)) == "two.py"
    assert calls == [one, two]


def test_extraction_reads_its_vocabularies_from_the_cache_without_rdflib(cache):
    """A process that extracts a document (an update's) finds the life-cycle, indicator and
    consistency vocabularies on disk as plain values: rdflib is not imported, and the
    values are those the vocabularies give when parsed."""
    import subprocess
    import sys
    from pathlib import Path

    seed = next((Path(__file__).resolve().parents[1] / "data" / "corpus").glob("*.txt"))
    code = (
        "import sys\n"
        "from kg.extract import extract_document\n"
        "from kg.ingest import ingest_file\n"
        "from kg.consistency import consistency_rules\n"
        f"extract_document(ingest_file({str(seed)!r}))\n"
        "consistency_rules()\n"
        "print('rdflib' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(2)]
    assert runs == [["True"], ["False"]]  # parsed once, then read back

    from kg.consistency import consistency_rules
    from kg.indicators import _default_catalogue_rows, indicator_catalogue
    from kg.lifecycle import _vocabulary
    from kg.resources import ontology_dir

    assert _vocabulary.__wrapped__() == _vocabulary.__wrapped__.uncached()
    assert consistency_rules.__wrapped__() == consistency_rules.__wrapped__.uncached()
    assert _default_catalogue_rows() == _default_catalogue_rows.uncached()
    # a catalogue of another file is parsed from it, and equals the default one's for the same file
    assert indicator_catalogue(str(ontology_dir() / "lifecycle.ttl")) == indicator_catalogue()
