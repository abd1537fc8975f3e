"""The flow a worker needs, cut out of flows.yaml's text before it is parsed.

A worker running one task builds one DAG, yet parsing a 1,000-flow file costs more than building
that DAG, so a task's start-up would grow with the number of flows. The worker therefore blanks
every other flow's lines and parses what is left: the defaults, the wanted flow, and empty lines
that keep every value on its original line, so problems are reported at the right line.

Cutting text is sound where YAML's structure follows indentation, as block style does: block
mappings and sequences, plain and block scalars end where a line is indented less. What does not
follow it makes `cut_flows` return None, and the caller parses the whole file:

* anywhere: a quoted scalar or flow collection (`[...]`, `{...}`) left open at the end of a line,
  since its next lines belong to it whatever their indentation (a description could hold a line
  that looks like a flow);
* in the kept text: an alias, which could name an anchor in a blanked flow, and a block scalar
  that keeps its trailing blank lines (`|+`), which blanking the next flow would lengthen.

Flows are kept when a `name:` line of theirs contains `only_table` once case and underscores are
ignored (`snake_case` only lowercases and inserts underscores). That may keep too many, which the
loader's exact match sorts out; if it keeps none (a name written in flow style, say), the loader
parses the whole file. What a worker no longer sees are the other flows' problems: the DAG
processor, which always parses everything, reports those.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# The patterns start with the newline before a line, which the regex engine finds fast (unlike `^`
# under re.M); the text is searched with a newline in front so its first line has one too.
_FLOWS_KEY = re.compile(r"""\n(?:flows|'flows'|"flows")[ \t]*:[ \t]*(?:#[^\n]*)?(?=\n|$)""")
_TOP_LEVEL = re.compile(r"\n[^\s#-]")
"""A line that ends the `flows:` block: a top-level key (column 0, not a sequence item)."""
_FIRST_ITEM = re.compile(r"(?:\n[ \t]*(?:#[^\n]*)?(?=\n))*\n( *)-[ \t]")
_NAME = re.compile(r"""\n *(?:- +)*(?:name|'name'|"name")[ \t]*:([^\n]*)""")

_OPENERS = re.compile(r"""['"\[\]{}]""")
_CLOSED_LINE = re.compile(
    r"""(?:[^'"\[\]{}\#\n]
         | (?<=\S)\#                            # a # inside a plain scalar
         | (?<=[A-Za-z0-9])['"]                 # a quote inside a plain scalar (Rep's)
         | '(?:[^'\n]|'')*'                     # a single-quoted scalar closed on its line
         | "(?:[^"\\\n]|\\.)*"                  # a double-quoted scalar closed on its line
         | \[[^\[\]{}'"\n]*\] | \{[^\[\]{}'"\n]*\}  # a flat flow collection closed on its line
         | (?<=\n)\#.* | (?<=\s)\#.*            # a comment
       )*+""",
    re.X,
)
_NOT_CUTTABLE = re.compile(
    r"""(?:\n[ \t]*|[-:,\[{][ \t]*)\*[^\s,\[\]{}]   # an alias
      | [|>][1-9]?\+                            # a block scalar keeping its trailing blank lines
    """,
    re.X,
)


def cut_flows(text: str, only_table: str) -> str | None:
    """`text` with the flows that cannot be `only_table` blanked, or None where that is unsound."""
    padded = "\n" + text
    if not _lines_close_what_they_open(padded):
        return None
    block = _flows_block(padded)
    if block is None:
        return None
    start, end, indent = block
    items = [m.start() for m in re.compile(rf"\n {{{indent}}}-(?=[ \t\n])").finditer(padded, start, end)]
    wanted = only_table.replace("_", "")
    kept = {
        bisect_right(items, name.start()) - 1
        for name in _NAME.finditer(padded, items[0], end)
        if wanted in name.group(1).lower().replace("_", "")
    }
    if not kept:
        return None
    head, tail = padded[: items[0]], padded[end:]
    pieces = [head]
    for index, (begin, stop) in enumerate(zip(items, [*items[1:], end], strict=True)):
        item = padded[begin:stop]
        if index in kept:
            if _NOT_CUTTABLE.search(item):
                return None
            pieces.append(item)
        else:
            pieces.append("\n" * item.count("\n"))
    if _NOT_CUTTABLE.search(head) or _NOT_CUTTABLE.search(tail):
        return None
    pieces.append(tail)
    return "".join(pieces)[1:]


def _lines_close_what_they_open(padded: str) -> bool:
    """No quoted scalar or flow collection continues on a next line."""
    checked_to = -1
    for opener in _OPENERS.finditer(padded):
        if opener.start() < checked_to:
            continue
        begin = padded.rfind("\n", 0, opener.start()) + 1
        end = padded.find("\n", opener.start())
        end = len(padded) if end < 0 else end
        if _CLOSED_LINE.fullmatch(padded, begin, end) is None:
            return False
        checked_to = end
    return True


def _flows_block(padded: str) -> tuple[int, int, int] | None:
    """Where the items of the top-level `flows:` sequence start and end (at the newline before
    each line), and their indentation."""
    keys = list(_FLOWS_KEY.finditer(padded))
    if len(keys) != 1:
        return None  # none, a repeated key, or `flows: [...]` on one line
    start = keys[0].end()
    top_level = _TOP_LEVEL.search(padded, start)
    end = top_level.start() if top_level else len(padded)
    first = _FIRST_ITEM.match(padded, start, end)
    if first is None:
        return None
    indent = len(first.group(1))
    if indent and re.compile(rf"\n {{0,{indent - 1}}}[^ \n#]").search(padded, first.end(), end):
        return None  # a line indented less than the items, inside their block
    return first.end() - indent - 3, end, indent
