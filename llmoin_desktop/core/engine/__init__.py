"""The only package that talks to an inference engine (llama.cpp in-process, or a server).

Holds the backends (``local.py``: one thread owns the model; ``remote.py``: an OpenAI-compatible
server), model discovery and GGUF reading, chat templates, sampling and threads. May import only
the core foundations (config, errors, i18n, jobs, paths, …): it knows nothing of documents,
the library or tasks.
"""
