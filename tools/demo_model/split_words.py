#!/usr/bin/env python3
"""Makes a trained byte-level BPE tokenizer spell every word the same way
wherever it stands, so that the model can copy names from the prompt.

The Llama-3 pre-tokenizer glues one leading non-letter to a word: the prompt's
" user_accounts" becomes " user" + "_accounts", while the answer's
`":"user_accounts` becomes `":"` + "user" + "_accounts". With merges like
"Ġuser" and "_accounts" the same word gets different ids (and often a
different segmentation) in the prompt and in the JSON, and a tiny model cannot
learn to copy names it has never seen. This script drops every token that is a
non-alphanumeric byte followed by letters or digits ("Ġuser", "_accounts",
"(id"), with the merges that build them, and renumbers the rest. Then
" user_accounts" is "Ġ" "user" "_" "accounts" and `":"user_accounts` is `":"`
"user" "_" "accounts": the word pieces are identical.

Usage: split_words.py IN.json OUT.json
"""
import json
import sys


def byte_decoder():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def glued(token, dec):
    """A non-alphanumeric byte followed by at least one alphanumeric byte."""
    if len(token) < 2 or any(ch not in dec for ch in token):
        return False
    b = bytes(dec[ch] for ch in token)
    return not chr(b[0]).isalnum() and any(chr(x).isalnum() for x in b[1:])


def main():
    src, dst = sys.argv[1], sys.argv[2]
    t = json.load(open(src))
    dec = byte_decoder()
    vocab = t["model"]["vocab"]
    drop = {tok for tok in vocab if glued(tok, dec)}
    merges = [m for m in t["model"]["merges"] if (m[0] + m[1]) not in drop]
    for a, b in merges:
        if a in drop or b in drop:
            sys.exit(f"kept merge {a!r} {b!r} uses a dropped token")
    kept = sorted((i, tok) for tok, i in vocab.items() if tok not in drop)
    # Special (added) tokens keep their ids, which come first; the rest follow in order.
    first = 1 + max([a["id"] for a in t["added_tokens"]] + [-1])
    if any(i < first for i, _ in kept):
        sys.exit("expected the added tokens' ids before the vocabulary's")
    new_vocab = {tok: first + n for n, (_, tok) in enumerate(kept)}
    t["model"]["vocab"] = new_vocab
    t["model"]["merges"] = merges
    json.dump(t, open(dst, "w"), ensure_ascii=False)
    print(f"{len(vocab)} -> {len(new_vocab)} tokens ({len(drop)} glued tokens dropped), "
          f"{len(merges)} merges")


if __name__ == "__main__":
    main()
