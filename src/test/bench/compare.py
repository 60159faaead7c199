#!/usr/bin/env python3
"""Runs the service's benchmark and the PyTorch peer one after the other, alternating which goes
first, several times per cell, and prints ours/peer ratios (min / median / max over the runs).

  python3 src/test/bench/compare.py --runs 3 --cells lstm,gru,rnn

Needs the peer (../shared/bench/torch_charrnn.py, run with /usr/bin/python3 and Debian's
python3-torch + libopenblas0-openmp) and tinyshakespeare. Every raw JSON line goes to
target/bench/results.jsonl. Arguments after `--` go to both programs (same flags, same protocol).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
METRICS = [("train_chars_per_s", "train chars/s"), ("sample_chars_per_s_b1", "sample 1 stream chars/s"),
           ("sample_chars_per_s_b16", "sample 16 streams chars/s"), ("val_bpc", "validation bits/char")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "torch_charrnn.py"))
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpora", "tinyshakespeare.txt"))
    parser.add_argument("--budget-iters", default="300")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    for path in (args.peer, args.corpus):
        if not os.path.exists(path):
            sys.exit("missing %s" % path)
    classpath = build_classpath()
    os.makedirs(os.path.join(ROOT, "target", "bench"), exist_ok=True)
    log = open(os.path.join(ROOT, "target", "bench", "results.jsonl"), "a")
    common = ["--corpus", args.corpus, "--budget-iters", args.budget_iters] + extra
    # as the service runs (entrypoint.sh, spring-boot:run): with the Vector API kernel of batched generation
    ours_cmd = ["java", "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-cp", classpath,
                "dev.charrnn.bench.CharRnnBenchmark"]
    peer_cmd = ["/usr/bin/python3", args.peer]
    for cell in args.cells.split(","):
        pairs = []
        for run in range(args.runs):
            order = [("ours", ours_cmd), ("peer", peer_cmd)]
            if run % 2 == 1:
                order.reverse()
            result = {}
            for name, cmd in order:
                result[name] = run_one(cmd + ["--cell", cell] + common, name, cell, run)
                log.write(json.dumps(dict(result[name], side=name)) + "\n")
                log.flush()
            pairs.append(result)
        report(cell, pairs)


def build_classpath():
    # the service module (sources in src/, build output in service/target) with the core it builds on
    target = os.path.join(ROOT, "service", "target")
    out = os.path.join(target, "bench.classpath")
    subprocess.run([os.path.join(ROOT, "mvnw"), "-B", "-q", "-pl", "service", "-am", "test-compile",
                    "dependency:build-classpath", "-Dmdep.outputFile=" + out, "-Dmdep.includeScope=test"],
                   cwd=ROOT, check=True)
    with open(out) as f:
        deps = f.read().strip()
    return os.pathsep.join([os.path.join(target, "test-classes"), os.path.join(target, "classes"), deps])


def run_one(cmd, name, cell, run):
    args = cmd[cmd.index("--cell"):]
    print("# %s %s run %d: %s" % (cell, name, run + 1, " ".join(args)), flush=True)
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1")) if name == "ours" else os.environ
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit("%s failed (%d):\n%s\n%s" % (name, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    result = json.loads(lines[-1])
    # every budget iteration from the first, warm-up included: the time to the 300-iteration model
    result["budget_chars_per_s"] = result["batch"] * result["seq"] * result["iters"] / result["train_seconds_total"]
    return result


def report(cell, pairs):
    print("\n== %s: %d runs, ours / peer ==" % (cell, len(pairs)))
    print("%-28s %12s %12s   %s" % ("metric", "ours (med)", "peer (med)", "ratio min / median / max"))
    for key, label in METRICS + [("budget_chars_per_s", "train chars/s, whole budget")]:
        ours = [p["ours"][key] for p in pairs]
        peer = [p["peer"][key] for p in pairs]
        ratios = sorted(o / q for o, q in zip(ours, peer))
        print("%-28s %12.4g %12.4g   %.2f / %.2f / %.2f" % (label, statistics.median(ours), statistics.median(peer),
                                                          ratios[0], statistics.median(ratios), ratios[-1]))
    contended = ["run %d %s" % (i + 1, side) for i, p in enumerate(pairs) for side in ("ours", "peer")
                 if p[side].get("contended")]
    print("%-28s %s" % ("contended timings", ", ".join(contended) if contended else "none (other and steal <= 0.1 core)"))
    clean = [p for p in pairs if not p["ours"].get("contended") and not p["peer"].get("contended")]
    if contended and clean:
        ratios = sorted(p["ours"]["train_chars_per_s"] / p["peer"]["train_chars_per_s"] for p in clean)
        print("%-28s %.2f / %.2f / %.2f over %d uncontended pairs" % ("train ratio, uncontended", ratios[0],
                                                                   statistics.median(ratios), ratios[-1], len(clean)))
    for key in ("p50_ms", "p99_ms"):
        values = sorted(p["ours"].get(key, float("nan")) for p in pairs)
        print("%-28s %12.4g   (ours only; min %.4g, max %.4g)" % (key, statistics.median(values), values[0], values[-1]))
    print(flush=True)


if __name__ == "__main__":
    main()
