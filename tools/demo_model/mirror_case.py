#!/usr/bin/env python3
"""Gives a byte-level BPE tokenizer a capital twin of every lower-case
piece, so that "GUEST_CREDITS", "GuestCredits" and "Guest credits" are split
exactly like "guest_credits".

A trained vocabulary has "guest" and "credits" but spells the same words in
capitals, or Capitalized, with whatever pieces the corpus happened to merge,
so the model has nothing to copy from when a prompt shouts or writes
CamelCase. This script first drops every learnt piece that mixes cases
("Weather", "rO") with the merges that make them, then adds, right after
each merge (a, b) whose pieces hold a lower-case ASCII letter:

  - the UPPER twin (A, B), for "GUEST";
  - the Title twin (Aa, b) when a starts with a lower-case letter: a's first
    letter in capitals, for "Guest" and each hump of "GuestCredits".

BPE applies merges by rank, so a word in capitals or Capitalized goes through
the same merges as its lower-case form and ends as the same pieces. No merge
joins a lower-case letter to a capital after it, so a CamelCase word always
splits at its humps ("Guest" "Credits"). All-capital merges the trainer had
learnt on its own ("TIMESTAMP") keep their place when they come first and
are dropped when a twin already made the pair. Token ids: the special tokens
and the kept vocabulary keep their order; the twins follow.

train.py ties each twin to its lower-case piece (install_copy_circuit's
identity code), so copying "GUEST" or "Guest" reads as copying "guest".

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


def title(piece):
    """The first character in capitals when it is a lower-case ASCII letter."""
    return upper(piece[0]) + piece[1:] if piece and "a" <= piece[0] <= "z" else piece


def has_capital(piece):
    return piece != lower(piece)


def mixed_case(piece):
    return has_capital(piece) and piece != upper(piece)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    t = json.load(open(src))
    learnt = t["model"]["vocab"]
    n_before = len(learnt)
    dropped = {tok for tok in learnt if mixed_case(tok)}
    kept = sorted((i, tok) for tok, i in learnt.items() if tok not in dropped)
    first = 1 + max([a["id"] for a in t["added_tokens"]] + [-1])
    vocab = {tok: first + n for n, (_, tok) in enumerate(kept)}
    next_id = first + len(kept)
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
        if a + b in dropped:
            continue  # a learnt mixed-case piece: twins of lower-case merges make those
        add(a, b)
        for twin in ((upper(a), upper(b)), (title(a), b)):
            if twin != (a, b):
                add(*twin)
    t["model"]["vocab"] = vocab
    t["model"]["merges"] = merges
    json.dump(t, open(dst, "w"), ensure_ascii=False)
    print(f"{n_before} -> {len(vocab)} tokens ({len(dropped)} learnt mixed-case pieces dropped), "
          f"{len(merges)} merges")


if __name__ == "__main__":
    main()
