"""LLMoin Desktop: a sovereign, offline AI assistant for public administrations."""

__version__ = "0.1.0"
