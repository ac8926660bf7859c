"""Translation engines: one interface, several back ends.

`create_engine(options)` returns an object with `count_tokens(texts)` and
`generate(texts, ...) -> list[Hypothesis]`; see `mt.engines.base.Engine`.
"""
from mt.engines.base import Engine, EngineOptions, Hypothesis, create_engine

__all__ = ["Engine", "EngineOptions", "Hypothesis", "create_engine"]
