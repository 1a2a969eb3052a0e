"""Copies of a GGUF file with another chat template, written with the `gguf` package.

Real deployments use models whose chat templates behave differently (system role rejected,
strict alternation, reasoning blocks). The demo model's weights with such a template reproduce
each behaviour on the real llama.cpp engine in a second, without a 3-12 B download."""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE_KEY = "tokenizer.chat_template"


def copy_with_chat_template(src: Path, dst: Path, template: str | None) -> Path:
    """Write ``dst``: every key and tensor of ``src``, the chat template replaced (None: removed)."""
    import gguf

    reader = gguf.GGUFReader(str(src))
    arch = str(reader.fields["general.architecture"].contents())
    writer = gguf.GGUFWriter(str(dst), arch=arch, endianess=reader.endianess)
    for fld in reader.fields.values():
        # The writer adds the architecture and the GGUF.* header values itself.
        if fld.name in ("general.architecture", CHAT_TEMPLATE_KEY) or fld.name.startswith("GGUF."):
            continue
        vtype = fld.types[0]
        sub = fld.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(fld.name, fld.contents(), vtype, sub_type=sub)
    if template is not None:
        writer.add_chat_template(template)
    for t in reader.tensors:
        writer.add_tensor_info(t.name, t.data.shape, t.data.dtype, t.data.nbytes, t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for t in reader.tensors:
        writer.write_tensor_data(t.data, tensor_endianess=reader.endianess)
    writer.close()
    return dst
