"""The embedding paths: the one chosen on this machine matches float32 at the bar; the choice logic itself."""

import json
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from claimcheck import embed, precision, store
from claimcheck.errors import ModelError
from claimcheck.precision import PathResult


def _result(path, per_second, mean=1.0, least=1.0):
    return PathResult(path, per_second, mean, least)


def test_the_fastest_path_at_the_bar_is_chosen_not_the_fastest_overall():
    results = [_result("fp32", 100), _result("onnx-fp32", 150), _result("onnx-int8-pc", 400, 0.985, 0.96),
               _result("onnx-int8-pc-rr", 250, 0.992, 0.975)]
    assert precision.record_of(results)["choice"] == "onnx-int8-pc-rr"


def test_a_torch_path_must_be_clearly_faster_than_an_onnx_one_to_be_chosen():
    # torch costs every process seconds to import; onnxruntime does not.
    assert precision.record_of([_result("fp32", 100), _result("bf16", 330), _result("onnx-fp32", 300)])["choice"] == "onnx-fp32"
    assert precision.record_of([_result("fp32", 100), _result("bf16", 400), _result("onnx-fp32", 300)])["choice"] == "bf16"


@pytest.mark.parametrize(("mean", "least", "meets"), [(0.99, 0.97, True), (0.9899, 0.99, False), (0.999, 0.9699, False)])
def test_the_bar_needs_both_the_mean_and_the_minimum(mean, least, meets):
    assert _result("x", 1, mean, least).meets_bar is meets


def test_int8_request_takes_the_fastest_int8_recipe_at_the_bar_and_refuses_when_none_meets_it():
    record = precision.record_of([_result("fp32", 100), _result("onnx-int8-pc", 300, 0.98, 0.9),
                                  _result("onnx-int8-pc-rr", 200, 0.995, 0.98)])
    assert precision.pick(record, "int8") == "onnx-int8-pc-rr"
    assert precision.pick(record, "auto") == "onnx-int8-pc-rr"
    assert precision.pick(record, "fp32") == "fp32"
    lossy = precision.record_of([_result("fp32", 100), _result("onnx-int8-pc", 300, 0.98, 0.9)])
    with pytest.raises(ModelError, match="no int8 variant"):
        precision.pick(lossy, "int8")
    with pytest.raises(ModelError, match="not available"):
        precision.pick(lossy, "onnx-fp32")


@pytest.mark.parametrize(("value", "wanted"), [("", "auto"), ("FP32", "fp32"), ("bfloat16", "bf16"),
                                                 ("onnx", "onnx-fp32"), ("int8", "int8"),
                                                 ("onnx-int8-pc-rr", "onnx-int8-pc-rr")])
def test_claimcheck_precision_names(monkeypatch, value, wanted):
    monkeypatch.setenv("CLAIMCHECK_PRECISION", value)
    assert precision.requested() == wanted


def test_an_unknown_claimcheck_precision_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("CLAIMCHECK_PRECISION", "fp8")
    with pytest.raises(ModelError, match="CLAIMCHECK_PRECISION='fp8' is not one of"):
        precision.requested()


def test_measure_scores_every_path_against_fp32_and_keeps_rejected_recipes():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(len(precision.PROBE_SENTENCES), 8)).astype(np.float32)
    encoders = {"fp32": lambda texts: base[: len(texts)], "noisy": lambda texts: base[: len(texts)] + 0.5}
    rejected = [_result("onnx-int8-pc", 0.0, 0.9, 0.8)]
    results = {r.path: r for r in precision.measure(encoders, rounds=1, rejected=rejected)}
    assert results["fp32"].mean_cosine == pytest.approx(1.0) and results["fp32"].per_second > 0
    assert results["noisy"].mean_cosine < 0.99
    assert results["onnx-int8-pc"] == rejected[0]


def test_an_onnx_path_is_timed_at_each_batch_size_and_remembered_at_its_fastest(monkeypatch):
    seen = []

    def encode(texts, size):
        seen.append(size)
        return np.ones((len(texts), 4), dtype=np.float32)

    timings = {4: 2.0, 8: 1.0, 16: 3.0, 32: 4.0}  # seconds per round: a CPU on which batches of 8 run fastest
    monkeypatch.setattr(precision, "_best_times", lambda encoders, texts, rounds: {k: timings[k] for k in encoders})
    assert precision.fastest_batch(encode) == 8
    assert set(seen) == set(precision.BATCH_SIZES)  # each size ran (its warm-up) before the timing
    monkeypatch.undo()
    fixed = lambda texts: np.ones((len(texts), 4), dtype=np.float32)  # noqa: E731
    record = precision.record_of(precision.measure({"fp32": fixed, "onnx-fp32": fixed}, rounds=1,
                                                   batches={"onnx-fp32": 8}))
    assert {p["path"]: p["batch"] for p in record["paths"]} == {"fp32": 0, "onnx-fp32": 8}
    old = {**record, "paths": [{k: v for k, v in p.items() if k != "batch"} for p in record["paths"]]}
    assert precision.pick(old, "onnx-fp32") == "onnx-fp32"  # a record from before batch sizes still reads


def test_choices_are_remembered_in_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMCHECK_CACHE", str(tmp_path))
    key = precision.machine_key("m", "digest")
    assert precision.remembered(key) is None
    precision.remember(key, {"choice": "fp32", "paths": []})
    precision.remember("other", {"choice": "bf16", "paths": []})
    assert precision.remembered(key)["choice"] == "fp32"
    assert json.loads((tmp_path / "paths.json").read_text()).keys() == {key, "other"}
    assert key != precision.machine_key("m", "other digest")


# --- the real model ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_chosen_path_matches_fp32_at_the_bar_on_the_seed_claims(seeds_run):
    """Held-out sentences (the seeds' claims, not the probe set), one odd-sized batch and a batch of one."""
    _, db, _, real = seeds_run
    texts = [row[0] for row in db.execute("SELECT text FROM claims ORDER BY id")]
    assert len(texts) > 100
    record = real.path_record
    assert real.precision == record["choice"]
    if real.precision.startswith("onnx"):  # it runs at the batch size it was measured fastest at
        chosen = next(p for p in record["paths"] if p["path"] == real.precision)
        assert real.onnx.batch_size == chosen["batch"] in precision.BATCH_SIZES
    reference = embed.SentenceTransformerEmbedder(real.name, precision="fp32")
    expected = reference.embed_batch(texts)
    got = np.vstack([real.embed_batch(texts[:-1]), real.embed_batch(texts[-1:])])
    cosines = np.sum(expected * got, axis=1)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.97, (real.precision, cosines.mean(), cosines.min())
    stored = store.vectors_of(db, real.name, [1])[1]
    assert float(stored @ expected[0]) >= 0.97  # what the pipeline stored is interchangeable with fp32 too


@pytest.mark.e2e
def test_an_onnx_choice_embeds_in_a_process_that_never_imports_torch(seeds_run):
    _, _, _, real = seeds_run
    real.embed_batch(["warm"])  # the path is measured and exported by now
    probe = ("import sys; from claimcheck import embed; e = embed.load_embedder('all-MiniLM-L6-v2');"
             " v = e.embed_batch(['Police arrested three men.']); print(e.precision, v.shape[1], 'torch' in sys.modules)")
    path, dimension, torch_loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                                   check=True).stdout.split()
    assert path == real.precision and dimension == "384"
    assert torch_loaded == str(not path.startswith("onnx"))


@pytest.mark.e2e
def test_adding_an_article_with_onnx_loads_onnxruntime_but_not_torch_and_parses_in_a_worker(seeds_run, tmp_path):
    import shutil

    settings, db, _, real = seeds_run
    real.embed_batch(["warm"])
    copy = tmp_path / "copy.db"
    db.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copy(settings.db_path, copy)
    article = tmp_path / "kent_courier.txt"
    shutil.copy(Path(__file__).parent / "data" / "conflicts" / "kent_courier.txt", article)
    script = ("import sys; from claimcheck.cli import app\n"
              "try: app([\"report\", sys.argv[1], \"--db\", sys.argv[2], \"--out\", sys.argv[3]])\n"
              "except SystemExit as end: code = end.code\n"
              "from claimcheck.segment import _workers\n"
              "print(code, *(name in sys.modules for name in ('torch', 'spacy', 'onnxruntime')), _workers(1, True))")
    done = subprocess.run([sys.executable, "-c", script, str(article), str(copy), str(tmp_path / "r.md")],
                          capture_output=True, text=True, check=True)
    code, torch_loaded, spacy_loaded, onnx_loaded, workers = done.stdout.split()[-5:]
    assert "1 new" in done.stdout and code in {"0", "None"}
    # spaCy loads in the worker that parses the article, while this process loads the model meanwhile.
    assert spacy_loaded == str(workers == "0")
    assert onnx_loaded == str(real.precision.startswith("onnx"))
    assert torch_loaded == str(not real.precision.startswith("onnx"))


@pytest.mark.e2e
def test_an_export_traces_eager_attention_matches_the_model_and_drops_older_int8_variants(tmp_path, monkeypatch):
    from sentence_transformers import SentenceTransformer

    from claimcheck import onnx_embed

    model = SentenceTransformer(str(embed.default_model_path()), device="cpu", local_files_only=True)
    encoder = model[0].auto_model
    before = encoder.config._attn_implementation
    with onnx_embed._traced_attention(encoder):
        assert encoder.config._attn_implementation == "eager"
    assert encoder.config._attn_implementation == before  # the torch model is left as it was
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "model-int8-pc.onnx").write_bytes(b"quantised from an older export")
    onnx_embed.export(model, folder)
    assert onnx_embed.is_exported(folder) and not (folder / "model-int8-pc.onnx").exists()
    texts = ["Police arrested three men.", "The camp at Sangatte closed in 2002, the Home Office said on Tuesday."]
    got = onnx_embed.OnnxEncoder(folder).encode(texts)
    expected = model.encode(texts, normalize_embeddings=True)
    assert np.sum(got * expected, axis=1).min() > 0.9999
    # Batches run side by side on two threads: each text's vector is the one it gets alone, in its place.
    monkeypatch.setattr(onnx_embed, "usable_cores", lambda: 2)
    many = [f"{word} " * (n % 23 + 1) + f"figure {n}." for n, word in enumerate(["Police", "The camp", "A"] * 50)]
    encoder = onnx_embed.OnnxEncoder(folder, batch_size=8)
    alone = np.vstack([encoder._run([text]) for text in many])
    assert np.abs(encoder.encode(many) - alone).max() < 1e-5
    assert encoder._pool._max_workers == 2 and encoder._pool._threads  # the pool ran them
