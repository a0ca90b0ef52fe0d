"""Python code an image build runs (`python -c`, heredocs, scripts a RUN names): the calls in it,
read once with `ast` (never run)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Call:
    line: int  # 1-based, in the code
    name: str  # the called expression's dotted name: `torch.cuda.is_available`, `x.from_pretrained`
    rooted: bool  # the dotted name starts at a plain name (`torch.hub.load`, not `f().load`)
    pretrained: bool  # passes `pretrained=True`


def may_call(source: str, words) -> bool:
    """False only when `source` cannot call a name containing none of `words`: identifiers are
    written in the code as they are named (for ASCII code; Python folds other identifiers with
    NFKC), so `print(1)` is not parsed to look for `from_pretrained`."""
    return not source.isascii() or any(w in source for w in words)


def parse_python(source: str | bytes):
    """The `ast` of Python code, or None when it does not parse. Quietly: what the compiler warns
    about in the code (an invalid escape such as `"\\d"`) is not for the user of a linter."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def python_calls(source: str) -> list[Call] | None:
    """Every call in `source`, in `ast.walk` order; None when the code does not parse."""
    import ast

    tree = parse_python(source)
    if tree is None:
        return None
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts, func = [], node.func
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        rooted = isinstance(func, ast.Name)
        if rooted:
            parts.append(func.id)
        pretrained = any(k.arg == "pretrained" and isinstance(k.value, ast.Constant) and k.value.value is True
                         for k in node.keywords)
        out.append(Call(node.lineno, ".".join(reversed(parts)), rooted, pretrained))
    return out
