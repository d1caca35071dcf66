#!/usr/bin/env python3
"""Checks that the demo model's evaluation is held out, as models/README.md
says: regenerates the data the way reproduce.sh does and fails when

  - the held-out prompts differ from tools/demo_model/eval/heldout.jsonl
    (the file the eval and CI read must be what make_data.py makes);
  - a training chat asks for a held-out table, or repeats a held-out prompt;
  - a training prompt uses a held-out phrasing (the lab's own "Generate a {T}
    schema" excepted: it is in both on purpose) or a held-out phrasing's cue
    word ("needs", "for me"), a training table is a
    held-out base entity, or its name has a held-out composition head or
    modifier in it.

Standard library only (no torch): CI runs it.

Usage: check_data.py [--flags "…make_data.py flags…"]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_data  # noqa: E402



def reproduce_flags():
    """make_data.py's flags as reproduce.sh passes them (read from it, so the
    two cannot drift apart)."""
    marker = 'make_data.py" --out "$DATA"'
    with open(os.path.join(HERE, "reproduce.sh")) as f:
        for line in f:
            if marker in line:
                return line.split(marker, 1)[1].strip()
    sys.exit("check_data: no make_data.py line in reproduce.sh")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flags", help="make_data.py flags (default: reproduce.sh's)")
    args = ap.parse_args()
    if args.flags is None:
        args.flags = reproduce_flags()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), "--out", out,
                        *shlex.split(args.flags)], check=True, stdout=subprocess.DEVNULL)
        train = load(os.path.join(out, "train.jsonl"))
        held = load(os.path.join(out, "heldout.jsonl"))
    problems = []
    # the system message the model trains on is the one the gateway sends
    # (tests/integration/structured.test.mjs compares the gateway's with this file)
    with open(os.path.join(HERE, "eval", "system.txt")) as f:
        if f.read() != make_data.lab_system_message():
            problems.append("eval/system.txt is not make_data.lab_system_message(); regenerate it")
    committed = load(os.path.join(HERE, "eval", "heldout.jsonl"))
    if committed != held:
        problems.append("eval/heldout.jsonl is not what make_data.py generates; regenerate it")

    held_names = {r["table_name"] for r in held}
    held_prompts = {r["user"] for r in held}
    lab = make_data.HELDOUT_ENTITY_TEMPLATES[0]
    held_phrasings = set(make_data.HELDOUT_ENTITY_TEMPLATES + make_data.HELDOUT_COLUMN_TEMPLATES) - {lab}
    held_parts = make_data.HELDOUT_HEADS | make_data.HELDOUT_MODIFIERS
    for r in train:
        name = r["table_name"]
        if name in held_names:
            problems.append(f"training asks for held-out table {name!r}: {r['user']!r}")
        if r["user"] in held_prompts:
            problems.append(f"training repeats a held-out prompt: {r['user']!r}")
        if r["phrasing"] in held_phrasings:
            problems.append(f"training uses held-out phrasing {r['phrasing']!r}")
        cue = next((c for c in make_data.HELDOUT_CUES if c in r["phrasing"].lower()), None)
        if cue:  # e.g. filler words that happen to spell one ("... for meba")
            problems.append(f"training phrasing {r['phrasing']!r} carries held-out cue {cue!r}")
        if name in make_data.HELDOUT_BASE or any(p in held_parts for p in name.split("_")):
            problems.append(f"training table {name!r} is, or is made from, a held-out entity")
        if len(problems) > 20:
            break
    for p in dict.fromkeys(problems):
        print("check_data:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_data: {len(train)} training chats, {len(held)} held-out prompts "
          f"({len(held_names)} tables, {len(held_phrasings) + 1} phrasings): held out")


if __name__ == "__main__":
    main()
