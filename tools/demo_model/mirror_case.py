#!/usr/bin/env python3
"""Gives a byte-level BPE tokenizer an UPPER-case twin of every lower-case
piece, so that "GUEST_CREDITS" is split exactly like "guest_credits".

A trained vocabulary has "guest" and "credits" but spells the same words in
capitals with whatever short upper-case pieces the corpus happened to merge,
so the model has nothing to copy from when a prompt shouts. This script adds,
right after each merge (a, b) whose pieces hold a lower-case ASCII letter, the
merge (A, B) of their upper-case forms, and the tokens it makes. BPE applies
merges by rank, so an all-capitals word then goes through the same merges as
its lower-case form and ends as the same pieces in capitals. Upper-case merges
the trainer had learnt on its own keep their place when they come first and
are dropped when a twin already made the pair. Token ids: the special tokens
and the original vocabulary keep theirs; the twins follow.

train.py ties each twin to its lower-case piece (install_copy_circuit's
identity code), so copying "GUEST" reads as copying "guest".

Usage: mirror_case.py IN.json OUT.json
"""
import json
import sys

UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def upper(piece):
    """ASCII letters only: byte-level pieces spell other bytes as other
    characters ("Ġ" is the space), which must not change."""
    return piece.translate(UPPER)


def lower(piece):
    return piece.translate(LOWER)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    t = json.load(open(src))
    vocab = dict(t["model"]["vocab"])
    n_before, next_id = len(vocab), 1 + max(vocab.values())
    merges, seen = [], set()

    def add(a, b):
        nonlocal next_id
        if (a, b) in seen:
            return
        seen.add((a, b))
        merges.append([a, b])
        for tok in (a, b, a + b):
            if tok not in vocab:
                vocab[tok] = next_id
                next_id += 1

    for a, b in t["model"]["merges"]:
        add(a, b)
        ua, ub = upper(a), upper(b)
        if (ua, ub) != (a, b):
            add(ua, ub)
    t["model"]["vocab"] = vocab
    t["model"]["merges"] = merges
    json.dump(t, open(dst, "w"), ensure_ascii=False)
    print(f"{n_before} -> {len(vocab)} tokens, {len(merges)} merges")


if __name__ == "__main__":
    main()
