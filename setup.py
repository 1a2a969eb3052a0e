"""Only the optional C extension; all metadata lives in pyproject.toml.

``_topk`` makes token sampling cheaper (llmoin_desktop/core/engine/sampling.py). It is
optional: without a C compiler the install still succeeds and the engine falls back to
llama.cpp's own ``llama_sampler_sample``.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "llmoin_desktop.core.engine._topk",
            sources=["llmoin_desktop/core/engine/_topk.c"],
            optional=True,
        )
    ]
)
