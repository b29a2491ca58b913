"""A fast line diff (patience anchors, then difflib on the small gaps) with difflib-compatible opcodes."""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Sequence
from typing import Literal

Tag = Literal["equal", "replace", "delete", "insert"]
Opcode = tuple[Tag, int, int, int, int]

_DIFFLIB_LIMIT = 250_000
"""Above this many line pairs a gap without unique anchors is reported as one replace instead of searched."""


def _unique_common(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Lines unique in both ranges as (a index, b index) pairs, cut to their longest b-increasing run."""
    sub_a, sub_b = a[alo:ahi], b[blo:bhi]
    count_a, count_b = Counter(sub_a), Counter(sub_b)
    where_b = {line: j for j, line in enumerate(sub_b, blo) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(sub_a, alo) if count_a[line] == 1 and line in where_b]
    if all(pairs[k][1] < pairs[k + 1][1] for k in range(len(pairs) - 1)):
        return pairs
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


def _runs(anchors: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Consecutive anchors ``(i, j), (i + 1, j + 1), ...`` joined into ``(i, j, size)`` runs."""
    runs: list[tuple[int, int, int]] = []
    for i, j in anchors:
        if runs:
            ri, rj, size = runs[-1]
            if ri + size == i and rj + size == j:
                runs[-1] = (ri, rj, size + 1)
                continue
        runs.append((i, j, 1))
    return runs


def _matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Matching (i, j, size) blocks of ``a`` and ``b``, in order, ending with the ``(len a, len b, 0)`` sentinel."""
    found: list[tuple[int, int, int]] = []
    stack: list[tuple[int, int, int, int]] = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        start_a, start_b = alo, blo
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo += 1
            blo += 1
        if alo > start_a:
            found.append((start_a, start_b, alo - start_a))
        end_a = ahi
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
        if ahi < end_a:
            found.append((ahi, bhi, end_a - ahi))
        if alo >= ahi or blo >= bhi:
            continue
        if ahi - alo == 1 or bhi - blo == 1:
            # One line on a side (the common case of an edited line): at most one match, found directly.
            if ahi - alo == 1 and a[alo] in b[blo:bhi]:
                found.append((alo, b.index(a[alo], blo, bhi), 1))
            elif bhi - blo == 1 and ahi - alo > 1 and b[blo] in a[alo:ahi]:
                found.append((a.index(b[blo], alo, ahi), blo, 1))
            continue
        anchors = _unique_common(a, alo, ahi, b, blo, bhi)
        if anchors:
            prev_i, prev_j = alo, blo
            for i, j, size in _runs(anchors):
                found.append((i, j, size))
                if prev_i < i and prev_j < j:
                    stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + size, j + size
            if prev_i < ahi and prev_j < bhi:
                stack.append((prev_i, ahi, prev_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= _DIFFLIB_LIMIT:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            found.extend((alo + i, blo + j, size) for i, j, size in matcher.get_matching_blocks() if size)
    found.sort()
    blocks: list[tuple[int, int, int]] = []
    for i, j, size in found:
        if blocks:
            bi, bj, bsize = blocks[-1]
            if bi + bsize == i and bj + bsize == j:
                blocks[-1] = (bi, bj, bsize + size)
                continue
        blocks.append((i, j, size))
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
