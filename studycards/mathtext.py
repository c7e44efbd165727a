"""LaTeX maths as readable Unicode text for the terminal: ``\\frac{a+b}{c}``
is ``(a+b)/c``, ``x_i^2`` is ``xᵢ²``, ``\\forall x \\in \\mathbb{R}`` is ``∀ x ∈ ℝ``.

pylatexenc parses it: it is maintained and widely used, parses tolerantly and
knows ``\\text``, ``\\mathbb``, accents and environments, where flatlatex
drops every space and fails on ``\\text`` and ``\\sin``, and unicodeit leaves
``\\frac`` and ``\\text`` as they are. What it lacks for maths (bracketed
fractions, Unicode sub- and superscripts, spaces round relations, unknown
macros kept by name) is added here as its own rules.

pylatexenc is imported only when a field has maths; when it is missing or
fails, the source is shown as written, without its delimiters.
"""

from __future__ import annotations

import re
from typing import Any

SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ⊤ᵀ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡᵀᵀ",
    )
)
SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
# Written as they are, raised or not: x^* is x*, f^\prime is f′.
_AS_IS = {"*", "′", "″", "†", "‡", "∗", "'", "°", "∘"}


def script(text: str, table: dict[str, str], mark: str) -> str:
    """``text`` raised (``mark`` "^") or lowered ("_"): Unicode super- or
    subscript characters when every character has one, else ``^x`` or
    ``^(xy)``."""
    text = " ".join(text.split())
    if not text:
        return ""
    if text in _AS_IS:
        return text
    squeezed = text.replace(" ", "")
    if all(c in table for c in squeezed):
        return "".join(table[c] for c in squeezed)
    if len(squeezed) == 1 or _ATOM.fullmatch(text):
        return mark + text
    return f"{mark}({text})"


_ATOM = re.compile(r"[^\W_]+|[^\w\s]")  # one word or one symbol needs no brackets
_WS = re.compile(r"[ \t\n\r\f\v\xa0]+")
_RELATION = re.compile(r" *([=≠≤≥≈≡≅≃∼∝∈∉∋⊂⊃⊆⊇⊊→←↔⇒⇐⇔↦⟶⟹⟸⟺∘]) *")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def readable_source(source: str) -> str:
    """What is shown when the maths cannot be converted: the source itself,
    spaces collapsed."""
    return _collapse(source)


def to_unicode(source: str, *, text_mode: bool = False, display: bool = False) -> str:
    """Readable text for one piece of LaTeX, given without its delimiters.
    ``text_mode`` is for Anki's ``[latex]…[/latex]`` (text with ``$…$``
    inside); otherwise ``source`` is maths. ``display`` keeps the line
    breaks of ``\\\\`` rows; inline maths is one line."""
    source = source.replace("\xa0", " ")
    if not source.strip():
        return ""
    converter = _converter()
    if converter is None or len(source) > 20_000:
        return readable_source(source)
    try:
        text = converter(_brace_scripts(source) if text_mode else f"\\({_brace_scripts(source)}\\)")
    except Exception:  # a parser bug or a pathological input: show the source
        return readable_source(source)
    text = text.replace("\xa0", " ")
    if not text_mode:
        text = _RELATION.sub(r" \1 ", text)
    if display:
        lines = [_collapse(line) for line in text.split("\n")]
        return "\n".join(line for line in lines if line)
    return _collapse(text)


_SCRIPT_MACRO = re.compile(r"([\^_])\s*\\(frac|dfrac|tfrac|cfrac|binom|sqrt|text|mathrm|mathbf|mathbb|mathcal|operatorname)(?![a-zA-Z])")
_MACRO_ARGS = {"frac": 2, "dfrac": 2, "tfrac": 2, "cfrac": 2, "binom": 2}


def _brace_scripts(source: str) -> str:
    """``x^\\frac{1}{p}`` as ``x^{\\frac{1}{p}}``: TeX reads the macro and its
    arguments as the script, pylatexenc would take the bare macro."""
    if "^\\" not in source and "_\\" not in source and not re.search(r"[\^_]\s+\\", source):
        return source
    out, pos = [], 0
    for match in _SCRIPT_MACRO.finditer(source):
        if match.start() < pos:
            continue
        end = match.end()
        if match.group(2) == "sqrt" and source.startswith("[", end):
            close = source.find("]", end)
            end = close + 1 if close > 0 else end
        for _ in range(_MACRO_ARGS.get(match.group(2), 1)):
            end = _group_end(source, end)
        out.append(source[pos : match.start()] + match.group(1) + "{" + source[match.start() + 1 : end] + "}")
        pos = end
    out.append(source[pos:])
    return "".join(out)


def _group_end(source: str, pos: int) -> int:
    """Where the braced group (or single character) at ``pos`` ends."""
    while pos < len(source) and source[pos].isspace():
        pos += 1
    if pos >= len(source):
        return pos
    if source[pos] != "{":
        return pos + 2 if source[pos] == "\\" and pos + 1 < len(source) else pos + 1
    depth, index = 0, pos
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2  # an escaped brace, or a macro's first letter
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if not depth:
                return index + 1
        index += 1
    return len(source)


_CONVERTER: Any = None  # None: not tried yet; False: pylatexenc unavailable


def _converter():  # type: ignore[no-untyped-def]
    global _CONVERTER
    if _CONVERTER is None:
        try:
            _CONVERTER = _build()
        except Exception:  # not installed, or an API this code does not know
            _CONVERTER = False
    return _CONVERTER or None


def _build():  # type: ignore[no-untyped-def]
    import logging

    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, SpecialsTextSpec, get_default_latex_context_db

    logging.getLogger("pylatexenc").setLevel(logging.CRITICAL)  # tolerant parsing logs every oddity

    def arg_text(node, l2tobj, index=-1):  # type: ignore[no-untyped-def]
        args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
        if not args or not -len(args) <= index < len(args) or args[index] is None:
            return ""
        return _collapse(l2tobj.nodelist_to_text([args[index]]))

    def bracket(text: str) -> str:
        return text if _ATOM.fullmatch(text) else f"({text})"

    def frac(node, l2tobj):  # type: ignore[no-untyped-def]
        return f"{bracket(arg_text(node, l2tobj, 0))}/{bracket(arg_text(node, l2tobj, 1))}"

    def binom(node, l2tobj):  # type: ignore[no-untyped-def]
        return f"C({arg_text(node, l2tobj, 0)}, {arg_text(node, l2tobj, 1)})"

    def sqrt(node, l2tobj):  # type: ignore[no-untyped-def]
        root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(arg_text(node, l2tobj, 0))
        if root is None:
            root = script(arg_text(node, l2tobj, 0), SUPERSCRIPT, "^") + "√"
        return root + bracket(arg_text(node, l2tobj, 1))

    def stacked(table, mark):  # type: ignore[no-untyped-def]
        def repl(node, l2tobj):  # type: ignore[no-untyped-def]
            return arg_text(node, l2tobj, 1) + script(arg_text(node, l2tobj, 0), table, mark)

        return repl

    def raised(table, mark):  # type: ignore[no-untyped-def]
        def repl(node, l2tobj):  # type: ignore[no-untyped-def]
            return script(arg_text(node, l2tobj, 0), table, mark)

        return repl

    def named(node, l2tobj):  # type: ignore[no-untyped-def]
        args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
        return _WS.sub(" ", l2tobj.nodelist_to_text([args[0]])) if args and args[0] is not None else ""

    def word(name: str):  # type: ignore[no-untyped-def]
        return MacroTextSpec(name, name)

    symbols = {
        "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", "vert": "|", "lvert": "|", "rvert": "|", "mid": " | ",
        "iff": " ⟺ ", "implies": " ⟹ ", "impliedby": " ⟸ ", "coloneqq": " ≔ ", "triangleq": " ≜ ",
        "quad": "  ", "qquad": "   ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ",
        "left": "", "right": "", "middle": "",
        **{size + side: "" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r", "m")},
        "displaystyle": "", "textstyle": "", "limits": "", "nolimits": "", "nonumber": "", "notag": "",
    }
    words = ["det", "Pr", "arg", "argmax", "argmin", "deg", "dim", "gcd", "hom", "ker", "lcm", "rank", "sgn", "tr", "Var", "Cov", "diag", "softmax"]
    context = get_default_latex_context_db()
    context.add_context_category(
        "studycards",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=frac) for name in ("frac", "dfrac", "tfrac", "cfrac")]
        + [MacroTextSpec(name, simplify_repl=binom) for name in ("binom", "dbinom", "tbinom")]
        + [MacroTextSpec("sqrt", simplify_repl=sqrt)]
        + [MacroTextSpec(name, simplify_repl=stacked(SUPERSCRIPT, "^")) for name in ("overset", "stackrel")]
        + [MacroTextSpec("underset", simplify_repl=stacked(SUBSCRIPT, "_"))]
        + [MacroTextSpec(name, simplify_repl=named) for name in ("operatorname", "mathrm", "mathit", "mathsf", "mathtt", "boldsymbol", "bm", "pmb", "overline", "underline", "text", "textrm", "textit", "textbf", "mbox", "hbox")]
        + [MacroTextSpec(name, text) for name, text in symbols.items()]
        + [word(name) for name in words],
        specials=[
            SpecialsTextSpec("^", simplify_repl=raised(SUPERSCRIPT, "^")),
            SpecialsTextSpec("_", simplify_repl=raised(SUBSCRIPT, "_")),
        ],
    )
    one_arg = macrospec.MacroStandardArgsParser("{")
    walker_context = latexwalker.get_default_latex_context_db()
    walker_context.add_context_category(
        "studycards",
        prepend=True,
        macros=[macrospec.MacroSpec(name, "{{") for name in ("frac", "dfrac", "tfrac", "cfrac", "binom", "dbinom", "tbinom", "overset", "underset", "stackrel")]
        + [macrospec.MacroSpec("sqrt", "[{")]
        + [macrospec.MacroSpec(name, "{") for name in ("operatorname", "mathrm", "mathit", "mathsf", "mathtt", "boldsymbol", "bm", "pmb", "overline", "underline", "text", "textrm", "textit", "textbf", "mbox", "hbox")]
        + [macrospec.MacroSpec(name, "") for name in list(symbols) + words],
        specials=[macrospec.SpecialsSpec("^", args_parser=one_arg), macrospec.SpecialsSpec("_", args_parser=one_arg)],
    )

    class Converter(LatexNodes2Text):  # type: ignore[misc]
        def nodelist_to_text(self, nodelist):  # type: ignore[no-untyped-def]
            # As the library does, but a space written between two macros or
            # groups is kept too (\sum_i \log x), not only before letters.
            out: list[str] = []
            prev = None
            for node in nodelist:
                if node is None:
                    continue
                if isinstance(node, latexwalker.LatexCharsNode) and node.chars.isspace():
                    out.append(" ")  # the library drops these
                    prev = node
                    continue
                if prev is not None and _spaced(prev, node):
                    out.append(" ")
                out.append(self.node_to_text(node))
                prev = node
            return "".join(out)

        def macro_node_to_text(self, node):  # type: ignore[no-untyped-def]
            if self.latex_context.get_macro_spec(node.macroname) is None:
                # an unknown macro: its name says more than nothing (\det, \Pr)
                args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
                name = node.macroname if node.macroname.isalpha() else ""
                return name + "".join(self.nodelist_to_text([a]) for a in args if a is not None)
            return super().macro_node_to_text(node)

    def _spaced(prev, node) -> bool:  # type: ignore[no-untyped-def]
        if getattr(prev, "macro_post_space", "") and not (prev.nodeargd and prev.nodeargd.argnlist and any(prev.nodeargd.argnlist)):
            return True  # \alpha x; not \vec x, whose space comes before its argument
        try:
            source, end = prev.parsing_state.s, prev.pos + prev.len
            return end < node.pos and source[end : node.pos].isspace()
        except (AttributeError, TypeError):
            return False

    converter = Converter(latex_context=context, math_mode="text", strict_latex_spaces="based-on-source")

    def convert(latex: str) -> str:
        walker = latexwalker.LatexWalker(latex, latex_context=walker_context, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        return converter.nodelist_to_text(nodes)

    return convert
