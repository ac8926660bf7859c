"""mt: Ukrainian news into English, with names kept straight.

The public API is imported lazily, so `import mt` stays cheap::

    from mt import translate_corpus, TranslateOptions, EngineOptions, brief_corpus, load_glossary
"""

__version__ = "0.1.0"

_API = {
    "translate_corpus": "mt.translate", "summarize_corpus": "mt.summarize", "brief_corpus": "mt.brief",
    "TranslateOptions": "mt.translator", "Translator": "mt.translator",
    "SummarizeOptions": "mt.summarizer", "Summarizer": "mt.summarizer",
    "EngineOptions": "mt.engines", "create_engine": "mt.engines",
    "load_corpus": "mt.inputs.corpus", "CorpusOptions": "mt.inputs.document", "Document": "mt.inputs.document",
    "parse_text": "mt.inputs.parse", "load_glossary": "mt.glossary", "Glossary": "mt.glossary",
    "evaluate": "mt.evaluate", "EvaluateOptions": "mt.evaluate",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mt' has no attribute {name!r}")
