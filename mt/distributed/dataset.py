"""`translate_dataset(ds, options)`: a `ray.data.Dataset` of documents in, translations as columns out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from mt.distributed.cluster import RayOptions, _engine_for, connect, plan
from mt.distributed.translate import TranslateWorker, _map_pool
from mt.glossary.stats import term_stats
from mt.inputs.document import CorpusOptions


@dataclass(frozen=True)
class DatasetColumns:
    """Column names `translate_dataset` reads and adds."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"


class _DatasetWorker(TranslateWorker):
    """Rows in, rows out: the translation and its glossary figures as new columns; nothing written."""

    def __init__(self, options, glossary, corpus: CorpusOptions, key: str = ""):
        super().__init__(options, glossary, None, key)
        self.corpus = corpus

    def __call__(self, batch):
        import pandas as pd

        from mt.inputs.document import CorpusError
        from mt.inputs.tables import document_from_record

        rows = batch.to_dict("records")
        docs, errors = [], {}
        for n, record in enumerate(rows):
            doc_id = str(record.get(self.corpus.id_column, n))
            try:
                docs.append(document_from_record(record, id=doc_id, rel="row", source=doc_id, options=self.corpus,
                                                 container="dataset", row=n))
            except CorpusError as exc:
                errors[n] = str(exc)
        results = iter(self.translate(docs))
        added = []
        for n in range(len(rows)):
            if n in errors:
                added.append({"translation": None, "title_en": None, "error": errors[n]})
                continue
            result = next(results)
            stats = term_stats(result)
            error = result.error
            if not error and self.options.strict_glossary and stats["missed"]:
                error = "glossary terms missed (--strict-glossary): " + ", ".join(
                    f"{m['text']}→{m['target']}" for m in stats["missed"])
            added.append({"translation": None if error else "\n".join(result.paragraphs),
                          "title_en": None if error else result.title, "error": error,
                          "glossary_matched": stats["matched"], "glossary_enforced": stats["enforced"],
                          "glossary_repaired": stats["repaired"], "glossary_missed": len(stats["missed"]),
                          "sentences": result.sentences})
        extra = pd.DataFrame(added, columns=["translation", "title_en", "error", "glossary_matched",
                                             "glossary_enforced", "glossary_repaired", "glossary_missed",
                                             "sentences"])
        for name in ("glossary_matched", "glossary_enforced", "glossary_repaired", "glossary_missed", "sentences"):
            extra[name] = extra[name].fillna(0).astype("int64")
        return pd.concat([batch.reset_index(drop=True), extra], axis=1)


def translate_dataset(ds, options=None, ray_options: RayOptions | None = None, *,
                      corpus: CorpusOptions | None = None):
    """Translate a `ray.data.Dataset` with one document per row: a lazy Dataset with columns added.

    Each row needs a text column (`corpus.text_column`, default "text"); "title", "date" and
    "id" are used when present. Added: `translation` (English paragraphs, one per line),
    `title_en`, `error` (None when translated), `sentences` and the glossary figures
    `glossary_matched`, `glossary_enforced`, `glossary_repaired`, `glossary_missed`.
    """
    from mt.glossary import glossary_or_files
    from mt.translator import TranslateOptions

    ray_options = ray_options or RayOptions()
    ray = connect(ray_options)
    options = options or TranslateOptions()
    corpus = corpus or CorpusOptions()
    glossary = glossary_or_files(None, options.glossaries)
    p = plan(ray, ray_options, options.engine.threads)
    if not p.gpus and p.workers * p.cpus >= p.total:
        # the dataset's own read tasks need a CPU: actors that reserved every CPU would wait for
        # them forever, so they reserve a little less (their engines still use `cpus` threads)
        p = replace(p, reserve=max(0.25, (p.total - 1) / p.workers))
    worker_options = replace(options, engine=_engine_for(options.engine, p), glossaries=())
    return _map_pool(ray, ds, _DatasetWorker, p, ray_options, batch_format="pandas",
                     fn_constructor_kwargs=dict(options=worker_options, glossary=ray.put(glossary), corpus=corpus))
