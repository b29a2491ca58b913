"""A fast line diff (patience anchors, then difflib on the small gaps) with difflib-compatible opcodes."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence
from typing import Literal

Tag = Literal["equal", "replace", "delete", "insert"]
Opcode = tuple[Tag, int, int, int, int]

_DIFFLIB_LIMIT = 250_000
"""Above this many line pairs a gap without unique anchors is reported as one replace instead of searched."""


def _unique_common(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Lines unique in both ranges as (a index, b index) pairs, cut to their longest b-increasing run."""
    count_a: dict[str, int] = {}
    for i in range(alo, ahi):
        line = a[i]
        count_a[line] = -1 if line in count_a else i
    where_b: dict[str, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if line in count_a:
            where_b[line] = -1 if line in where_b else j
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == i and where_b.get(a[i], -1) >= 0]
    if not pairs:
        return []
    # Patience sorting: longest increasing subsequence of the b indexes.
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1]
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    chain.reverse()
    return chain


def _matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Matching (i, j, size) blocks of ``a`` and ``b``, in order, ending with the ``(len a, len b, 0)`` sentinel."""
    matches: list[tuple[int, int]] = []
    stack: list[tuple[int, int, int, int]] = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            matches.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            matches.append((ahi, bhi))
        if alo >= ahi or blo >= bhi:
            continue
        anchors = _unique_common(a, alo, ahi, b, blo, bhi)
        if anchors:
            prev_i, prev_j = alo, blo
            for i, j in anchors:
                matches.append((i, j))
                stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + 1, j + 1
            stack.append((prev_i, ahi, prev_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= _DIFFLIB_LIMIT:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            for i, j, size in matcher.get_matching_blocks():
                matches.extend((alo + i + k, blo + j + k) for k in range(size))
    matches.sort()
    blocks: list[tuple[int, int, int]] = []
    for i, j in matches:
        if blocks:
            bi, bj, size = blocks[-1]
            if bi + size == i and bj + size == j:
                blocks[-1] = (bi, bj, size + 1)
                continue
        blocks.append((i, j, 1))
    blocks.append((len(a), len(b), 0))
    return blocks


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Edit script turning ``a`` into ``b``, in the shape of :meth:`difflib.SequenceMatcher.get_opcodes`.

    Args:
        a: The old lines.
        b: The new lines.

    Returns:
        ``(tag, i1, i2, j1, j2)`` tuples covering both sequences in order.
    """
    result: list[Opcode] = []
    i = j = 0
    for ai, bj, size in _matching_blocks(a, b):
        tag: Tag | None = None
        if i < ai and j < bj:
            tag = "replace"
        elif i < ai:
            tag = "delete"
        elif j < bj:
            tag = "insert"
        if tag is not None:
            result.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            result.append(("equal", ai, i, bj, j))
    return result


def grouped_opcodes(codes: list[Opcode], context: int = 3) -> list[list[Opcode]]:
    """Group opcodes into hunks with ``context`` lines around each change (as difflib's grouping does).

    Args:
        codes: Output of :func:`opcodes`.
        context: Lines of context kept on each side of a change.

    Returns:
        One list of opcodes per hunk; empty when the sequences are equal.
    """
    if not any(tag != "equal" for tag, *_ in codes):
        return []
    codes = list(codes)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    span = context + context
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > span:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups
