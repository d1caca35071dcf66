#!/usr/bin/env python3
"""Evaluates the demo model on make_data.py's held-out prompts.

Two back ends:
  --url http://127.0.0.1:8000   POSTs each prompt to a running `sluice serve`'s
                                /generate/structured (the lab's endpoint: the
                                DatabaseSchema grammar is enforced) at
                                temperature 0 and reads the SSE stream;
  --torch CKPT                  greedy decoding of a train.py checkpoint in
                                PyTorch, with no grammar (so "valid JSON" is
                                the model's own rate), for checking a model
                                before the engine can run it.

Reports: valid JSON rate (the answer parses and has the DatabaseSchema shape),
table_name exact-match rate (the requested entity in snake_case), named-column
recall (columns the prompt names that appear, by name) and the rate of prompts
whose named columns all appear, type plausibility of the named columns that
appear (make_data.plausible_type), and generation speed.

  eval.py --data DIR (--url URL | --serve CMD [--port N]) [--model sluice-demo] [--limit 30]
          [--min-table-acc 0.8] [--min-json 1.0] [--min-col-recall 0.7] [--json OUT]
Exit status 1 when a --min-* bar is missed (the CI smoke check).
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_data  # noqa: E402
from split_words import byte_decoder  # noqa: E402


def check_shape(obj):
    if not isinstance(obj, dict) or not isinstance(obj.get("table_name"), str):
        return False
    cols = obj.get("columns")
    if not isinstance(cols, list):
        return False
    for c in cols:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or \
                not isinstance(c.get("data_type"), str):
            return False
        if "is_nullable" in c and not isinstance(c["is_nullable"], bool):
            return False
    return True


# ------------------------------------------------------------ gateway back end
def gateway_generate(url, model, prompt, timeout):
    body = {"prompt": prompt, "temperature": 0}
    if model:
        body["model"] = model
    req = urllib.request.Request(url.rstrip("/") + "/generate/structured",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    t0 = time.time()
    n_tokens, text, final = 0, "", None
    t_first = None
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        for raw in resp:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            try:
                ev = json.loads(payload)
            except ValueError:
                continue
            st = ev.get("status")
            if st == "generating":
                if t_first is None:
                    t_first = time.time()
                n_tokens += 1
                text += ev.get("token", "")
            elif st is not None:
                final = ev
                break
    t1 = time.time()
    return text, final, n_tokens, (t_first or t1) - t0, t1 - (t_first or t1)


# -------------------------------------------------------------- torch back end
class TorchRunner:
    def __init__(self, ckpt, tokenizer, tokenize_bin, system):
        import torch
        from model import Config, Model
        from train import tokenize
        self.torch = torch
        ck = torch.load(ckpt, map_location="cpu")
        self.model = Model(Config(**ck["config"]))
        self.model.load_state_dict(ck["state_dict"])
        self.model.eval()
        self.tokenizer, self.tokenize_bin = tokenizer, tokenize_bin
        self.tokenize = tokenize
        tok = json.load(open(tokenizer))
        self.id_to_piece = {}
        for k, v in tok["model"]["vocab"].items():
            self.id_to_piece[v] = k
        for t in tok.get("added_tokens", []):
            self.id_to_piece[t["id"]] = t["content"]
        self.im_end = next(t["id"] for t in tok["added_tokens"] if t["content"] == "<|im_end|>")
        self.byte_dec = byte_decoder()
        self.system = system

    def prefill_all(self, prompts):
        texts = [make_data.render_chat(self.system, p) for p in prompts]
        return self.tokenize(self.tokenize_bin, self.tokenizer, texts)

    def decode_piece(self, ids):
        out = bytearray()
        for i in ids:
            p = self.id_to_piece[i]
            if p.startswith("<|") and p.endswith("|>"):
                out += p.encode()
            else:
                out += bytes(self.byte_dec[ch] for ch in p)
        return out.decode("utf-8", "replace")

    def greedy(self, ids, max_new=400):
        torch, m = self.torch, self.model
        c = m.c
        hd = c.n_rot or c.n_embd // c.n_head  # the rotated dims of a head
        from model import rope_tables
        caches = [None] * c.n_layer
        out = []
        pos = 0
        x_ids = ids
        with torch.no_grad():
            for _ in range(max_new):
                T = len(x_ids)
                cos, sin = rope_tables(hd, torch.arange(pos, pos + T), c.rope_base)
                x = m.embd(torch.tensor([x_ids]))
                for li, b in enumerate(m.blocks):
                    q, k, v = b.qkv(x, cos, sin)
                    if caches[li] is not None:
                        k = torch.cat([caches[li][0], k], 2)
                        v = torch.cat([caches[li][1], v], 2)
                    caches[li] = (k, v)
                    S = k.shape[2]
                    mask = torch.full((T, S), float("-inf")).triu(S - T + 1)
                    x = b.finish(x, q, k, v, mask)
                logits = m.logits(x[0, -1])
                nxt = int(logits.argmax())
                pos += T
                if nxt == self.im_end or pos >= c.context_length:
                    break
                out.append(nxt)
                x_ids = [nxt]
        return out


# ------------------------------------------------------------------- scoring
def entity_form(prompt, table):
    """How the prompt writes the entity: snake_case, UPPER, CamelCase, words,
    run together or other (misspelt or reworded)."""
    if table in prompt:
        return "snake_case"
    if table.upper() in prompt:
        return "UPPER"
    if make_data.camel(table) in prompt:
        return "CamelCase"
    low = prompt.lower()
    if table.replace("_", " ") in low:
        return "words"
    if table.replace("_", "") in low:
        return "run together"
    return "other"


def breakdown(tally):
    """{key: [right, prompts]} -> {key: {prompts, accuracy}}, most prompts first."""
    return {k: {"prompts": n, "accuracy": hit / n}
            for k, (hit, n) in sorted(tally.items(), key=lambda kv: -kv[1][1])}


def score(rows, answers):
    n = len(rows)
    by_form, by_phrasing = {}, {}
    valid = table_ok = 0
    named_total = named_hit = all_named = with_named = type_total = type_ok = 0
    failures = []
    for r, ans in zip(rows, answers):
        obj = None
        try:
            obj = json.loads(ans) if isinstance(ans, str) else ans
        except ValueError:
            obj = None
        ok_shape = obj is not None and check_shape(obj)
        valid += ok_shape
        t_ok = ok_shape and obj["table_name"] == r["table_name"]
        table_ok += t_ok
        for key, tally in ((entity_form(r["user"], r["table_name"]), by_form),
                           (r.get("phrasing", "?"), by_phrasing)):
            hit = tally.setdefault(key, [0, 0])
            hit[0] += t_ok
            hit[1] += 1
        got = {}
        if ok_shape:
            for c in obj["columns"]:
                got.setdefault(c["name"], c["data_type"])
        hits = 0
        for col in r["named_columns"]:
            named_total += 1
            if col in got:
                hits += 1
                type_total += 1
                type_ok += make_data.plausible_type(col, got[col])
        named_hit += hits
        if r["named_columns"]:
            with_named += 1
            all_named += hits == len(r["named_columns"])
        if not t_ok or hits != len(r["named_columns"]):
            failures.append({"prompt": r["user"], "want_table": r["table_name"],
                             "want_columns": r["named_columns"],
                             "got": ans if isinstance(ans, str) else json.dumps(ans)})
    return {
        "prompts": n,
        "valid_json_rate": valid / n,
        "table_name_accuracy": table_ok / n,
        "named_column_recall": named_hit / max(1, named_total),
        "prompts_naming_columns": with_named,
        "prompts_with_all_named_columns": all_named / max(1, with_named),
        "named_columns": named_total,
        "type_plausibility": type_ok / max(1, type_total),
        "table_name_by_entity_form": breakdown(by_form),
        "table_name_by_phrasing": breakdown(by_phrasing),
    }, failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "eval"),
                    help="dir with heldout.jsonl (and system.txt for --torch)")
    ap.add_argument("--url")
    ap.add_argument("--model", default="")
    ap.add_argument("--serve", help="start this server command (e.g. 'build/x/sluice serve "
                    "--config demo.toml') on --port, restarting it if it dies")
    ap.add_argument("--port", type=int, default=18431)
    ap.add_argument("--torch", dest="ckpt")
    ap.add_argument("--tokenizer")
    ap.add_argument("--tokenize-bin")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--min-table-acc", type=float, default=0.0)
    ap.add_argument("--min-json", type=float, default=0.0)
    ap.add_argument("--min-col-recall", type=float, default=0.0)
    ap.add_argument("--json", help="write the report (and failures) here")
    ap.add_argument("--show-failures", type=int, default=5)
    args = ap.parse_args()

    rows = [json.loads(l) for l in open(os.path.join(args.data, "heldout.jsonl"))]
    if args.limit:
        rows = rows[:args.limit]
    answers = []
    t0 = time.time()
    speed = {}
    if args.serve:
        args.url = f"http://127.0.0.1:{args.port}"
    server = None
    crashes = 0

    def ensure_server():
        nonlocal server, crashes
        if server is not None and server.poll() is None:
            return
        if server is not None:
            crashes += 1
        server = subprocess.Popen(args.serve.split() + ["--listen", f"127.0.0.1:{args.port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(args.url + "/ready", timeout=1).read()
                return
            except Exception:
                time.sleep(0.05)

    if args.url:
        n_tok, gen_s, ttft = 0, 0.0, 0.0
        for i, r in enumerate(rows):
            if args.serve:
                ensure_server()
            for attempt in range(2 if args.serve else 1):
                try:
                    text, final, k, first, gen = gateway_generate(args.url, args.model,
                                                                  r["user"], args.timeout)
                    if final is None and args.serve and attempt == 0:
                        raise ConnectionError("stream ended without a final event")
                    break
                except Exception as e:  # a failed request counts as an invalid answer
                    text, final, k, first, gen = f"<error: {e}>", None, 0, 0.0, 0.0
                    if args.serve:  # the server died after the previous answer: restart
                        server.wait(timeout=10)
                        ensure_server()
            n_tok += k
            gen_s += gen
            ttft += first
            if final is not None and final.get("status") == "success":
                answers.append(final.get("data"))
            else:
                answers.append(text if final is None else json.dumps(final))
        speed = {"tokens": n_tok, "tokens_per_s": n_tok / max(gen_s, 1e-9),
                 "mean_time_to_first_token_s": ttft / len(rows)}
        if args.serve:
            time.sleep(0.2)
            if server.poll() is not None:
                crashes += 1
            else:
                server.terminate()
                server.wait()
            speed["server_restarts_after_crash"] = crashes
    elif args.ckpt:
        system = open(os.path.join(args.data, "system.txt")).read() \
            if os.path.exists(os.path.join(args.data, "system.txt")) else make_data.lab_system_message()
        runner = TorchRunner(args.ckpt, args.tokenizer, args.tokenize_bin, system)
        prompt_ids = runner.prefill_all([r["user"] for r in rows])
        n_tok = 0
        for ids in prompt_ids:
            out = runner.greedy(ids)
            n_tok += len(out)
            answers.append(runner.decode_piece(out))
        speed = {"tokens": n_tok, "tokens_per_s": n_tok / (time.time() - t0)}
    else:
        sys.exit("eval.py: give --url or --torch")
    report, failures = score(rows, answers)
    report.update(speed)
    report["backend"] = "gateway " + args.url if args.url else "torch " + args.ckpt
    report["wall_s"] = time.time() - t0
    print(json.dumps(report, indent=1))
    for f in failures[:args.show_failures]:
        print("FAIL", json.dumps(f))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"report": report, "failures": failures}, f, indent=1)
    bad = []
    if report["table_name_accuracy"] < args.min_table_acc:
        bad.append(f"table_name accuracy {report['table_name_accuracy']:.3f} < {args.min_table_acc}")
    if report["valid_json_rate"] < args.min_json:
        bad.append(f"valid JSON rate {report['valid_json_rate']:.3f} < {args.min_json}")
    if report["named_column_recall"] < args.min_col_recall:
        bad.append(f"named-column recall {report['named_column_recall']:.3f} < {args.min_col_recall}")
    if report.get("server_restarts_after_crash", 0) > 0:
        bad.append(f"the gateway crashed {report['server_restarts_after_crash']} time(s)")
    for b in bad:
        print("eval.py: " + b, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
