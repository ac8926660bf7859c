"""mt: Ukrainian news into English, with names kept straight.

The public API is imported lazily, so `import mt` stays cheap::

    from mt import load_corpus, translate_corpus, Translator, TranslateOptions, EngineOptions
"""

__version__ = "0.1.0"

_API = {
    "load_corpus": "mt.corpus", "CorpusOptions": "mt.corpus", "Document": "mt.corpus", "parse_text": "mt.corpus",
    "Translator": "mt.translate", "TranslateOptions": "mt.translate", "EngineOptions": "mt.engines",
    "create_engine": "mt.engines", "translate_corpus": "mt.pipeline", "load_glossary": "mt.glossary",
    "Glossary": "mt.glossary",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mt' has no attribute {name!r}")
