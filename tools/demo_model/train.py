#!/usr/bin/env python3
"""Trains the demo model on make_data.py's chats.

Every chat is `<|im_start|>system\\n{lab system message}<|im_end|>\\n` (the
same for all; run once per batch, see model.forward_prefixed) followed by
`<|im_start|>user\\n{prompt}<|im_end|>\\n<|im_start|>assistant\\n{json}<|im_end|>`.
The loss is on the assistant's tokens (the JSON and the closing <|im_end|>).
Each step is one of four kinds of batch: full chats (--no-system of them
without the system message), answers cut after the last name copied from the
prompt (--short), synthetic copying sequences (--copy, copy_batch) or
synthetic lists copied into column JSON (--list, list_batch). A new
model can start from a hand-written induction circuit (--copy-circuit, see
model.install_copy_circuit).

Tokenization is sluice's own (the tokenize_batch tool on the trained
tokenizer.json), so training sees exactly the ids the engine will.

The learning rate follows warmup + cosine over a wall-clock budget
(--minutes), so a run ends annealed whatever the machine's speed. Logs loss and
tokens/s to --log; writes --out (a checkpoint: config + state_dict) every
--ckpt-minutes and at the end.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Config, Model, install_copy_circuit  # noqa: E402
from split_words import byte_decoder  # noqa: E402
from mirror_case import lower, title as title_case, upper  # noqa: E402


def tokenize(tokenize_bin, tokenizer, texts):
    inp = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    res = subprocess.run([tokenize_bin, "--tokenizer", tokenizer], input=inp,
                         capture_output=True, text=True, check=True)
    out = []
    for line in res.stdout.splitlines():
        o = json.loads(line)
        if "ids" not in o:
            raise SystemExit(f"tokenize_batch: {o}")
        out.append(o["ids"])
    if len(out) != len(texts):
        raise SystemExit("tokenize_batch: line count mismatch")
    return out


def load_data(args):
    system = open(os.path.join(args.data, "system.txt")).read()
    rows = [json.loads(l) for l in open(os.path.join(args.data, "train.jsonl"))]
    prefix_text = "<|im_start|>system\n" + system + "<|im_end|>\n"
    texts = [prefix_text]
    for r in rows:
        texts.append("<|im_start|>user\n" + r["user"] + "<|im_end|>\n<|im_start|>assistant\n")
        texts.append(r["assistant"] + "<|im_end|>")
    ids = tokenize(args.tokenize_bin, args.tokenizer, texts)
    prefix = ids[0]
    samples, shorts = [], []
    max_suffix = args.context - len(prefix)
    nbytes = token_bytes(args.tokenizer)
    for i, r in enumerate(rows):
        u, a = ids[1 + 2 * i], ids[2 + 2 * i]
        if len(u) + len(a) <= max_suffix:
            samples.append((u, a))
            shorts.append((u, a[:copy_end(r, a, nbytes, table_only=i % 2 == 0)]))
    return prefix, samples, shorts


def token_bytes(tokenizer):
    """id -> length in bytes of the token's text (byte-level BPE: one char per byte)."""
    t = json.load(open(tokenizer))
    out = {i: len(tok) for tok, i in t["model"]["vocab"].items()}
    for a in t.get("added_tokens", []):
        out[a["id"]] = len(a["content"].encode())
    return out


def copy_end(row, a, nbytes, table_only):
    """How many answer tokens cover the answer up to the end of the table name
    or (not table_only) of the last name the prompt gives (the table name,
    then any named columns): the part of the answer copied from the prompt."""
    text = row["assistant"]
    marks = ['"table_name":"' + row["table_name"] + '"']
    if not table_only:
        marks += ['"name":"' + c + '"' for c in row.get("named_columns", [])]
    end = max(text.find(m) + len(m) for m in marks if m in text)
    k, seen = 0, 0
    while k < len(a) and seen < end:
        seen += nbytes[a[k]]
        k += 1
    return min(len(a), k + 1)


def batches(samples, batch, rng):
    """Length-sorted within random chunks, so padding stays small."""
    idx = list(range(len(samples)))
    rng.shuffle(idx)
    chunk = batch * 50
    out = []
    for s in range(0, len(idx), chunk):
        part = sorted(idx[s:s + chunk], key=lambda i: len(samples[i][0]) + len(samples[i][1]))
        out += [part[j:j + batch] for j in range(0, len(part), batch)]
    rng.shuffle(out)
    return out


def copy_batch(pieces, seps, start, sep, end, batch, rng, fold=None, title=None, under=None):
    """A synthetic copying batch: `start w1 .. wn sep w1 .. wn end` with random
    word pieces (and separators), loss on the copy. Copying a name the model
    has never seen is what the task needs most and the chats teach least
    (a few tokens per answer); these batches teach it densely. With fold
    ({id: id}, the upper-case twin of a piece and the space for "_"), a third
    of the rows show the source folded: the copy is then in lower case with
    "_", as a name copied from a shouted or spaced-out prompt is. With title
    ({id: id}, a piece's Capitalized twin) and under (the id of "_"), a sixth
    show the words in CamelCase (`Guest Alert s` -> `guest _ alert s`): the
    copy puts "_" at each hump."""
    rows = []
    for _ in range(batch):
        words = [[rng.choice(pieces) for _ in range(rng.randint(1, 3))]
                 for _ in range(rng.randint(3, 14))]
        if title and rng.random() < 1 / 6:
            words = words[:rng.randint(1, 4)]
            for w in words:
                while w[0] not in title:
                    w[0] = rng.choice(pieces)
            src = [t for w in words for t in [title[w[0]]] + w[1:]]
            tgt = [t for w in words for t in [under] + w][1:]
        else:
            tgt = [t for w in words for t in w + [rng.choice(seps)]]
            src = [fold.get(t, t) for t in tgt] if fold and rng.random() < 1 / 3 else tgt
        rows.append((src, tgt + [end], [1.0] * (len(tgt) + 1)))
    return pack_copies(rows, start, sep)


def pack_copies(rows, start, sep):
    """rows of (source, copy, loss weight per copy token) -> x, y, weights for
    `start source sep copy`, the loss on the copy."""
    L = max(len(s) + len(t) + 2 for s, t, _ in rows)
    x = torch.zeros(len(rows), L, dtype=torch.long)
    y = torch.full((len(rows), L), -100, dtype=torch.long)
    w = torch.zeros(len(rows), L)
    for i, (src, tgt, wt) in enumerate(rows):
        full = [start] + src + [sep] + tgt
        x[i, :len(full)] = torch.tensor(full)
        # position j predicts full[j + 1]: the copy from sep on
        y[i, len(src) + 1:len(full) - 1] = torch.tensor(full[len(src) + 2:])
        w[i, len(src) + 1:len(full) - 1] = torch.tensor(wt)
    return x, y, w


def list_batch(pieces, delims, glues, start, sep, end, batch, rng, fold=None, under=None,
               space=None):
    """A synthetic list-walking batch: `start noise : w1 , w2 and w3 sep w1 g w2 g
    w3 end`, where the source joins random items (1-3 word pieces, spaced,
    snake_case or glued) with a prompt's delimiters (", ", " and ", ", and ")
    and the copy joins them with a column's JSON between two names (g: `","data_type":
    "...","is_nullable":...},{"name":"`). After each name the copy must find
    the next item in the source, which the chats teach a few times per answer
    and the model got wrong most (skipped or repeated columns); here every
    row walks 2-8 items. Loss on the items, on the token that ends each name
    and on `end`; none on the rest of g (its type is random here)."""
    rows = []
    for _ in range(batch):
        items = []
        for _ in range(rng.randint(2, 8)):
            ws = [rng.choice(pieces) for _ in range(rng.randint(1, 3))]
            style = rng.random()
            if len(ws) > 1 and style < 0.4:  # spaced words: "_" in the name
                items.append(([t for w in ws for t in (space, w)][1:],
                              [t for w in ws for t in (under, w)][1:]))
            elif len(ws) > 1 and style < 0.7:  # snake_case
                items.append(([t for w in ws for t in (under, w)][1:],) * 2)
            else:
                items.append((ws, ws))
        if fold and rng.random() < 1 / 4:  # a shouted prompt
            items = [([fold.get(t, t) for t in s], c) for s, c in items]
        src = [rng.choice(pieces) for _ in range(rng.randint(0, 4))] + list(rng.choice(delims[":"]))
        tgt, wt = [], []
        for k, (s_item, c_item) in enumerate(items):
            if k:
                last = k == len(items) - 1
                src += list(rng.choice(delims["last" if last and rng.random() < 0.6 else ","]))
                g = rng.choice(glues)
                tgt += g
                wt += [1.0] + [0.0] * (len(g) - 1)
            src += s_item
            tgt += c_item
            wt += [1.0] * len(c_item)
        tgt.append(end)
        wt.append(1.0)
        rows.append((src, tgt, wt))
    return pack_copies(rows, start, sep)


def twins(vocab):
    """{id: id of the piece a copied name writes for it}: an upper-case piece's
    lower-case twin (mirror_case.py), and "_" for the space (a name has "_"
    where the prompt has a space)."""
    out = {i: vocab[lower(k)] for k, i in vocab.items() if k != lower(k) and lower(k) in vocab}
    if "Ġ" in vocab and "_" in vocab:
        out[vocab["Ġ"]] = vocab["_"]
    return out


def identity_groups(tok, n_vocab):
    """(groups, flags) for install_copy_circuit: a token's group is its twin's
    id (itself when it has none); flags mark pieces with an upper-case ASCII
    letter."""
    vocab = tok["model"]["vocab"]
    tw = twins(vocab)
    groups = [tw.get(i, i) for i in range(n_vocab)]
    flags = [0] * n_vocab
    for k, i in vocab.items():
        flags[i] = int(k != lower(k))
    return groups, flags


def value_weights(a, opens, closes, weight, close_weight=1.0):
    """Per answer token: `weight` inside JSON string values (the table name,
    column names and types: what depends on the prompt), `close_weight` on the
    token that closes one (where a copied name must stop), 1 elsewhere (the
    boilerplate, learned early)."""
    w, inside = [], False
    for t in a:
        if inside and t in closes:
            inside = False
            w.append(close_weight)
            continue
        w.append(weight if inside else 1.0)
        if t in opens:
            inside = True
    return w


def make_tensors(samples, group, opens=(), closes=(), weight=1.0, close_weight=1.0):
    L = max(len(samples[i][0]) + len(samples[i][1]) for i in group)
    x = torch.zeros(len(group), L, dtype=torch.long)
    y = torch.full((len(group), L), -100, dtype=torch.long)
    wt = torch.zeros(len(group), L)
    for r, i in enumerate(group):
        u, a = samples[i]
        seq = u + a
        x[r, :len(seq)] = torch.tensor(seq)
        # predict a[k] from position len(u)-1+k
        y[r, len(u) - 1:len(u) - 1 + len(a)] = torch.tensor(a)
        wt[r, len(u) - 1:len(u) - 1 + len(a)] = torch.tensor(
            value_weights(a, opens, closes, weight, close_weight))
    return x, y, wt


def ema_path(out):
    """Where --ema's averaged weights go: ckpt.pt -> ckpt.ema.pt."""
    root, ext = os.path.splitext(out)
    return root + ".ema" + (ext or ".pt")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--tokenize-bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", default=os.path.join(here, "train.log"))
    ap.add_argument("--minutes", type=float, default=55)
    ap.add_argument("--ckpt-minutes", type=float, default=4)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--n-embd", type=int, default=256)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-ff", type=int, default=704)
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--n-rot", type=int, default=0, help="dims of each head RoPE rotates (0: all)")
    ap.add_argument("--copy-circuit", action="store_true",
                    help="start from a hand-written induction circuit (model.install_copy_circuit)")
    ap.add_argument("--space-flag", action="store_true",
                    help="the installed induction head also carries whether the token it "
                         "copies is a space (model.install_copy_circuit)")
    ap.add_argument("--copy-gain", type=float, default=3.0,
                    help="how strongly the installed induction head votes for the copy")
    # Torch's own threads (OpenMP). Matrix products run on OpenBLAS's threads,
    # which start one per core whatever this says; a second torch thread on a
    # 2-core machine only contends with them: 60 steps took 30 s with 1 torch
    # thread, 55-60 s with 2 (run G was trained so), 38 s with both at 1.
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--no-system", type=float, default=0.0,
                    help="share of batches trained without the system message (its 300 "
                         "constant tokens dilute attention; without them copying is learned sooner)")
    ap.add_argument("--value-weight", type=float, default=1.0,
                    help="loss weight of tokens inside JSON string values (names, types)")
    ap.add_argument("--short", type=float, default=0.0,
                    help="share of steps trained on answers cut after the last name copied "
                         "from the prompt: many more copying examples per second of training")
    ap.add_argument("--short-batch", type=int, default=48)
    ap.add_argument("--copy", type=float, default=0.0,
                    help="share of steps on synthetic copying batches (copy_batch)")
    ap.add_argument("--list", type=float, default=0.0,
                    help="share of steps on synthetic list-walking batches (list_batch)")
    ap.add_argument("--close-weight", type=float, default=1.0,
                    help="loss weight of the token that closes a JSON string value")
    ap.add_argument("--camel", action="store_true",
                    help="a sixth of the copying rows show the words in CamelCase "
                         "(needs mirror_case.py's Capitalized twins)")
    ap.add_argument("--resume", help="start from this checkpoint's weights (config from it)")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="also keep an exponential moving average of the weights with this "
                         "decay per step (0.999: about the last 1,000 steps) and save it "
                         "beside --out as <out>.ema.pt, in the same format")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    log = open(args.log, "a" if args.resume else "w")

    def say(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    t_tok = time.time()
    prefix, samples, shorts = load_data(args)
    tok = json.load(open(args.tokenizer))
    n_vocab = 1 + max(list(tok["model"]["vocab"].values()) +
                      [t["id"] for t in tok.get("added_tokens", [])])
    cfg = Config(n_vocab=n_vocab, n_embd=args.n_embd, n_layer=args.n_layer, n_head=args.n_head,
                 n_ff=args.n_ff, context_length=args.context, n_rot=args.n_rot)
    if args.resume:
        ck = torch.load(args.resume, map_location="cpu")
        cfg = Config(**ck["config"])
    model = Model(cfg)
    if args.resume:
        model.load_state_dict(ck["state_dict"])
        say(f"resumed from {args.resume} (step {ck['step']}, loss {ck['loss']:.4f}); data {args.data}")
    elif args.copy_circuit:
        groups, flags = identity_groups(tok, n_vocab)
        install_copy_circuit(model, seed=args.seed, gain=args.copy_gain, groups=groups, flags=flags,
                             space=tok["model"]["vocab"]["Ġ"] if args.space_flag else None)
        say("copy circuit installed (model.install_copy_circuit)")
    n_params = sum(p.numel() for p in model.parameters())
    say(f"config {json.dumps(cfg.to_dict())}")
    say(f"params {n_params}  samples {len(samples)}  prefix {len(prefix)} tokens  "
        f"tokenized in {time.time() - t_tok:.1f}s  threads {torch.get_num_threads()}")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-8)
    prefix_t = torch.tensor(prefix)
    # JSON string values open after `":"` and close at a token starting with `"`.
    vocab = tok["model"]["vocab"]
    opens = {vocab[k] for k in ('":"',) if k in vocab}
    closes = {i for k, i in vocab.items() if k.startswith('"')} - opens
    # word pieces (letters/digits only) and separators for copy_batch
    dec = byte_decoder()
    pieces = [i for k, i in vocab.items() if all(ch in dec for ch in k)
              and bytes(dec[ch] for ch in k).isalnum() and k == lower(k)]
    # the copy's piece -> what a shouted or spaced-out prompt shows instead
    shown = {i: k for k, i in vocab.items()}
    fold = {low: i for i, low in twins(vocab).items() if shown[i] == upper(shown[i])}
    title = {low: i for i, low in twins(vocab).items()
             if shown[i] == title_case(shown[low]) != shown[low]} if args.camel else None
    seps = [vocab[k] for k in ("Ġ", "_", ",", '","', "Ċ") if k in vocab]
    # for list_batch: a prompt's delimiters, and the JSON between two column names
    sp, comma, conj = vocab.get("Ġ"), vocab.get(","), vocab.get("and")
    delims = {":": [[vocab.get(":"), sp]], ",": [[comma, sp], [comma, sp], [comma]],
              "last": [[sp, conj, sp], [comma, sp, conj, sp]]}
    glues = []
    if args.list:
        if None in (sp, comma, conj, vocab.get(":"), vocab.get("_")):
            raise SystemExit("--list needs the tokens 'Ġ', ',', 'and', ':' and '_'")
        glues = tokenize(args.tokenize_bin, args.tokenizer,
                         ['","data_type":"%s","is_nullable":%s},{"name":"' % (t, b)
                          for t in ("INTEGER", "BIGINT", "VARCHAR(255)", "VARCHAR(50)", "TEXT",
                                    "TIMESTAMP", "DATE", "BOOLEAN", "DECIMAL(10,2)")
                          for b in ("true", "false")])
    specials = {a["content"]: a["id"] for a in tok.get("added_tokens", [])}
    budget = args.minutes * 60.0
    t0 = time.time()
    last_ckpt = t0
    step, tokens, epoch = 0, 0, 0
    ema = None
    order, short_order = [], []

    # The averaged weights (--ema): a copy of every tensor, moved toward the
    # trained ones after each step; the first steps average over fewer steps
    # (decay min(--ema, (1 + step) / (10 + step))) so the random start fades fast.
    # state_dict()'s tensors share storage with the parameters the optimizer
    # updates in place, so `live` is read once and stays current.
    live = model.state_dict()
    avg = {k: v.clone() for k, v in live.items()} if args.ema else None

    def save_to(path, state, tag):
        tmp = path + ".tmp"
        torch.save({"config": cfg.to_dict(), "state_dict": state, "step": step,
                    "loss": ema}, tmp)
        os.replace(tmp, path)
        say(f"checkpoint {tag}: step {step} -> {path}")

    def save(tag):
        save_to(args.out, model.state_dict(), tag)
        if avg is not None:
            save_to(ema_path(args.out), avg, tag + " (weight average)")

    t_win, tok_win = time.time(), 0
    while True:
        elapsed = time.time() - t0
        frac = elapsed / budget
        if frac >= 1.0 or (args.max_steps and step >= args.max_steps):
            break
        r = rng.random()
        if r < args.copy:
            x, y, wt = copy_batch(pieces, seps, specials["<|im_start|>"], vocab["Ċ"],
                                  specials["<|im_end|>"], args.short_batch, rng, fold, title,
                                  vocab.get("_"))
        elif r < args.copy + args.list:
            x, y, wt = list_batch(pieces, delims, glues, specials["<|im_start|>"], vocab["Ċ"],
                                  specials["<|im_end|>"], args.short_batch, rng, fold,
                                  vocab.get("_"), sp)
        elif r < args.copy + args.list + args.short:
            if not short_order:
                short_order = batches(shorts, args.short_batch, rng)
            x, y, wt = make_tensors(shorts, short_order.pop(), opens, closes, args.value_weight,
                                    args.close_weight)
        else:
            if not order:
                order = batches(samples, args.batch, rng)
                epoch += 1
            x, y, wt = make_tensors(samples, order.pop(), opens, closes, args.value_weight,
                                    args.close_weight)
        if step < args.warmup:
            lr = args.lr * (step + 1) / args.warmup
        else:
            lr = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for g in opt.param_groups:
            g["lr"] = lr
        if r < args.copy + args.list or rng.random() < args.no_system:
            h = model.hidden(x)  # the chat without the system message: positions from 0
        else:
            h = model.forward_prefixed(prefix_t, x)
        sel = y.view(-1) != -100
        logits = model.logits(h.reshape(-1, cfg.n_embd)[sel])
        per_tok = F.cross_entropy(logits, y.view(-1)[sel], reduction="none")
        w = wt.view(-1)[sel]
        loss = (per_tok * w).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if avg is not None:
            d = min(args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for k, v in avg.items():
                    v.mul_(d).add_(live[k], alpha=1 - d)
        n_tok = int((x != 0).sum())
        tokens += n_tok
        tok_win += n_tok
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 20 == 0:
            now = time.time()
            say(f"step {step} epoch {epoch} loss {loss.item():.4f} ema {ema:.4f} lr {lr:.2e} "
                f"tok/s {tok_win / (now - t_win):.0f} tokens {tokens} elapsed {now - t0:.0f}s")
            t_win, tok_win = now, 0
        if time.time() - last_ckpt > args.ckpt_minutes * 60:
            save("periodic")
            last_ckpt = time.time()
    save("final")
    say(f"done: {step} steps, {tokens} suffix tokens, {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
