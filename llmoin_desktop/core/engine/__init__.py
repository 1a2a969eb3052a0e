"""The only package that talks to an inference engine (llama.cpp in-process, or a server)."""
