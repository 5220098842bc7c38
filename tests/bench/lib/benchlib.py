"""Shared helpers of the scripts/bench sections (tests/bench/sections/*).

A section runs with the environment scripts/bench sets (see scripts/bench --help):
HEAPDRIFT_BENCH_BUILD, _OUT, _FRAGMENT, _QUICK, _PAIRS, _SOURCE. It measures and writes
its markdown fragment with write_fragment(). Timings are interleaved rounds: each round
runs every command compared once, back to back, in an order that moves from round to
round (round_order: none always runs first, or after the same one, on a warm cache);
any two commands of the same rounds make pairs, whose ratio is B/A; we quote the
median of the pair ratios and their min-max spread, and for rows judged against a
target the median to three decimals with its 95 % confidence interval (median_ci).
"""
import json
import math
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time

BUILD = os.environ.get("HEAPDRIFT_BENCH_BUILD", "build")
OUT = os.environ.get("HEAPDRIFT_BENCH_OUT", os.path.join(BUILD, "bench", "scratch"))
FRAGMENT = os.environ.get("HEAPDRIFT_BENCH_FRAGMENT", os.path.join(OUT, "fragment.md"))
QUICK = os.environ.get("HEAPDRIFT_BENCH_QUICK", "0") == "1"
PAIRS = int(os.environ.get("HEAPDRIFT_BENCH_PAIRS", "3" if QUICK else "10"))
# Rows judged against a margin of a few per cent: a median of 10 pairs moved by that
# much between runs on this shared machine, and one of 20 by 2-5 %, so these take
# three times as many.
TIGHT_PAIRS = 3 * PAIRS
SOURCE = os.environ.get("HEAPDRIFT_BENCH_SOURCE", os.getcwd())

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"


def exe(name):
    return os.path.join(BUILD, name)


class Cmd:
    """A command line with extra environment variables; `setup` runs before each run
    (not timed), e.g. to empty an output directory."""

    def __init__(self, argv, env=None, label=None, setup=None):
        self.argv = [str(a) for a in argv]
        self.env = {k: str(v) for k, v in (env or {}).items()}
        self.label = label
        self.setup = setup

    def shell(self):
        """The command as one would type it (paths relative to the source tree)."""
        parts = [f"{k}={shlex.quote(short(v))}" for k, v in self.env.items()]
        parts += [shlex.quote(short(a)) for a in self.argv]
        return " ".join(parts)


def short(text):
    """Paths under the build or source tree as `build/...` / relative, for the docs."""
    text = str(text)
    build = os.path.abspath(BUILD)
    text = text.replace(build + "/", "build/").replace(build, "build")
    return text.replace(os.path.abspath(SOURCE) + "/", "")


class Run:
    def __init__(self, wall, usage, stdout, stderr):
        self.wall, self.stdout, self.stderr = wall, stdout, stderr
        self.user, self.sys = usage.ru_utime, usage.ru_stime
        self.cpu = self.user + self.sys
        self.maxrss_kib, self.minflt = usage.ru_maxrss, usage.ru_minflt

    def value(self, key):
        """`key VALUE` from the program's output, as a float."""
        for line in self.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key:
                return float(parts[1])
        raise RuntimeError(f"no '{key}' in the output of the run:\n{self.stdout}")


def measure(cmd, check=True):
    """Runs cmd once: wall seconds, CPU seconds (user and system, of it and of the
    children it waited for), minor page faults and the max RSS of its largest process
    (wait4's rusage)."""
    if cmd.setup:
        cmd.setup()
    env = dict(os.environ)
    env.update(cmd.env)
    out_path = os.path.join(OUT, ".stdout")
    err_path = os.path.join(OUT, ".stderr")
    os.makedirs(OUT, exist_ok=True)
    with open(out_path, "w") as fo, open(err_path, "w") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd.argv, env=env, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as f:
        out = f.read()
    with open(err_path) as f:
        err = f.read()
    if check and p.returncode != 0:
        raise RuntimeError(f"exit status {p.returncode}: {cmd.shell()}\n{err[-2000:]}")
    return Run(wall, usage, out, err)


def median_ci(values, confidence=0.95):
    """The distribution-free confidence interval of the median: the order statistics
    x(k) and x(n+1-k), k the largest with P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2.
    With 30 pairs, the 10th and 21st smallest ratios. Too few values for the
    confidence: their min and max."""
    xs = sorted(values)
    n = len(xs)
    tail = (1 - confidence) / 2
    k, below = 0, 0.0  # below = P(Binomial(n, 1/2) <= k - 1)
    while k < n and below + math.comb(n, k) / 2 ** n <= tail:
        below += math.comb(n, k) / 2 ** n
        k += 1
    return (xs[0], xs[-1]) if k == 0 else (xs[k - 1], xs[n - k])


class PairResult:
    def __init__(self, a, b, runs_a, runs_b):
        self.a, self.b, self.runs_a, self.runs_b = a, b, runs_a, runs_b
        self.ratios = [rb.wall / ra.wall for ra, rb in zip(runs_a, runs_b)]
        self.cpu_ratios = [rb.cpu / ra.cpu for ra, rb in zip(runs_a, runs_b) if ra.cpu > 0]
        self.user_ratios = [rb.user / ra.user for ra, rb in zip(runs_a, runs_b) if ra.user > 0]

    @property
    def ratio(self):
        return statistics.median(self.ratios)

    def spread(self):
        return min(self.ratios), max(self.ratios)

    @property
    def cpu_ratio(self):
        return statistics.median(self.cpu_ratios) if self.cpu_ratios else float("nan")

    @property
    def user_ratio(self):
        return statistics.median(self.user_ratios) if self.user_ratios else float("nan")

    def values(self, side, attr):
        return [getattr(r, attr) for r in (self.runs_a if side == "a" else self.runs_b)]

    def median(self, side, attr):
        return statistics.median(self.values(side, attr))

    def cell(self):
        lo, hi = self.spread()
        return f"{self.ratio:.2f}× ({lo:.2f}–{hi:.2f})"

    def ci_cell(self, spread=False):
        """The median to three decimals and its 95 % confidence interval (then, with
        `spread`, the min–max)."""
        ci_lo, ci_hi = median_ci(self.ratios)
        lo, hi = self.spread()
        return f"{self.ratio:.3f}× (CI {ci_lo:.3f}–{ci_hi:.3f}" + (f"; {lo:.2f}–{hi:.2f})" if spread else ")")

    def target_cell(self):
        """For a row judged against a target."""
        return self.ci_cell(spread=True)

    def to_json(self):
        return {
            "a": self.a.shell(), "b": self.b.shell(),
            "wall_a": [r.wall for r in self.runs_a], "wall_b": [r.wall for r in self.runs_b],
            "cpu_a": [r.cpu for r in self.runs_a], "cpu_b": [r.cpu for r in self.runs_b],
            "user_a": [r.user for r in self.runs_a], "user_b": [r.user for r in self.runs_b],
            "minflt_a": [r.minflt for r in self.runs_a], "minflt_b": [r.minflt for r in self.runs_b],
            "maxrss_kib_a": [r.maxrss_kib for r in self.runs_a], "maxrss_kib_b": [r.maxrss_kib for r in self.runs_b],
            "ratios": self.ratios, "median_ratio": self.ratio, "median_ci": median_ci(self.ratios),
            "cpu_ratios": self.cpu_ratios,
        }


_results = {}


def round_order(i, k):
    """The order in which round i runs k commands: rotated one place from round to round
    (each command takes each place), and reversed every k rounds (each runs as often
    before as after each other one)."""
    order = list(range(i % k, k)) + list(range(i % k))
    return order[::-1] if (i // k) % 2 else order


class Rounds:
    """Runs of several commands taken in the same rounds (rounds()): any two of them
    compare round by round, as a pair."""

    def __init__(self, cmds, runs):
        self.cmds, self.runs = cmds, runs  # label -> Cmd, label -> [Run], round by round

    def pair(self, a, b, name):
        """b against a over the same rounds, saved to OUT/results.json under `name`."""
        r = PairResult(self.cmds[a], self.cmds[b], self.runs[a], self.runs[b])
        _results[name] = r.to_json()
        save_results()
        log(f"  {name}: {r.cell()}  (cpu {r.cpu_ratio:.2f}×)")
        return r


def rounds(name, cmds, n=None, warmup=True, check=None):
    """n interleaved rounds of `cmds` (label -> Cmd), each running every command once
    in round_order, after one unmeasured run of each. check(label, run) may validate
    each run. The commands measured together share the moments of this machine's load,
    so that a ratio between any two of them (a candidate over the floor of any shim, say)
    is as good as one against the baseline."""
    n = n or PAIRS
    labels = list(cmds)
    log(f"{name}: {n} rounds\n" + "\n".join(f"  {l}: {c.shell()}" for l, c in cmds.items()))
    if warmup:
        for c in cmds.values():
            measure(c)
    runs = {l: [] for l in labels}
    for i in range(n):
        for j in round_order(i, len(labels)):
            run = measure(cmds[labels[j]])
            runs[labels[j]].append(run)
            if check:
                check(labels[j], run)
        log(f"  round {i + 1}: " + " ".join(f"{l} {runs[l][-1].wall:.3f}s" for l in labels))
    return Rounds(cmds, runs)


def pairs(name, a, b, n=None, warmup=True, check_b=None):
    """n interleaved pairs of a (baseline) and b; returns a PairResult, also saved to
    OUT/results.json under `name`. check_b(run) may validate each b run."""
    check = (lambda label, run: label == "b" and check_b(run)) if check_b else None
    return rounds(name, {"a": a, "b": b}, n, warmup, check).pair("a", "b", name)


def save_results(extra=None):
    if extra:
        _results.update(extra)
    os.makedirs(OUT, exist_ok=True)
    tmp = os.path.join(OUT, ".results.json.tmp")
    with open(tmp, "w") as f:
        json.dump(_results, f, indent=1)
    os.replace(tmp, os.path.join(OUT, "results.json"))


_targets = []


def target(what, limit, measured, met, floor=None, over_floor=None):
    """A row of the "Targets" table that opens docs/PERFORMANCE.md: scripts/bench
    gathers the rows of every section from FRAGMENT.targets.json. Cells are text; `met`
    says whether `measured` meets `limit`."""
    _targets.append({"target": what, "limit": limit, "measured": measured, "met": bool(met),
                     "floor": floor or "—", "over_floor": over_floor or "—"})
    path = FRAGMENT + ".targets.json"
    with open(path + ".tmp", "w") as f:
        json.dump(_targets, f, indent=1)
    os.replace(path + ".tmp", path)


def ratio_target(what, limit, result, floor=None, over_floor=None):
    """target() for a wall-time ratio, met when the median of its pairs is at most
    `limit` (issue #5). `floor`: the floor of any shim over the same baseline;
    `over_floor`: the candidate over that floor; both from the same rounds as `result`."""
    target(what, f"≤ {limit:g}×", result.target_cell(), result.ratio <= limit,
           floor.cell() if floor else None, over_floor.ci_cell() if over_floor else None)


def log(text):
    print(text, file=sys.stderr, flush=True)


def fresh_dir(path):
    """A setup function emptying `path` (a recording directory) before each run, with
    the /tmp/perf-<pid>.map the JIT recorder wrote for each of its processes: hundreds
    of runs would otherwise leave hundreds of them behind."""
    def setup():
        if os.path.isdir(path):
            for name in os.listdir(path):
                if name.isdigit():
                    try:
                        os.remove(f"/tmp/perf-{name}.map")
                    except FileNotFoundError:
                        pass
        shutil.rmtree(path, ignore_errors=True)
    return setup


def write_fragment(text):
    """Writes the section's markdown atomically (scripts/bench assembles fragments)."""
    tmp = FRAGMENT + ".tmp"
    with open(tmp, "w") as f:
        f.write(text.rstrip() + "\n")
    os.replace(tmp, FRAGMENT)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def commands_block(cmds):
    """A fenced block of the exact commands (deduplicated, in order)."""
    seen, lines = set(), []
    for c in cmds:
        s = c.shell() if isinstance(c, Cmd) else str(c)
        if s not in seen:
            seen.add(s)
            lines.append(s)
    return "```sh\n" + "\n".join(lines) + "\n```"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


# --- heapdrift -------------------------------------------------------------------

def record(argv, out_dir, rate=None, env=None, label=None):
    """`heapdrift record` of argv into out_dir (emptied before each run)."""
    opts = ["-o", out_dir] + (["--sample-rate", rate] if rate else [])
    return Cmd([exe("heapdrift"), "record"] + opts + ["--"] + list(argv), env=env, label=label,
               setup=fresh_dir(out_dir))


def main_snapshots(rec_dir):
    """The snapshot files of a recording's main process, oldest first."""
    with open(os.path.join(rec_dir, "recording.json")) as f:
        pid = json.load(f)["main_pid"]
    d = os.path.join(rec_dir, str(pid))
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.startswith("snap-") and n.endswith(".hds"))


class Dump:
    """`heapdrift dump SNAPSHOT` parsed: counters, modules, stacks, samples."""

    def __init__(self, snapshot):
        text = subprocess.run([exe("heapdrift"), "dump", snapshot], check=True, capture_output=True,
                              text=True).stdout
        self.counters, self.memory, self.modules, self.stacks, self.samples = {}, {}, [], {}, []
        section, stack = None, None
        for line in text.splitlines():
            if not line.startswith(" "):
                section = line.split()[0]
                continue
            f = line.split()
            if section == "counters":
                self.counters[f[0]] = int(f[1])
            elif section == "memory" and len(f) == 2 and f[1].isdigit():
                self.memory[f[0]] = int(f[1])
            elif section == "modules" and len(f) >= 3 and f[1] == "bias":
                self.modules.append((f[0], int(f[2], 16)))
            elif section == "stacks":
                if f[0] == "stack":
                    stack = self.stacks.setdefault(int(f[1]), [])
                else:
                    stack.append(int(f[0], 16))
            elif section == "samples" and f[0].startswith("0x"):
                self.samples.append((int(f[1]), float(f[2]), int(f[4])))  # size, weight, stack

    def site_bytes(self, binary, function):
        """Estimated live bytes of the samples whose stack passes through `function`
        of `binary` (sum of size x weight)."""
        lo, hi = symbol_range(binary, function)
        real = os.path.realpath(binary)
        bias = next(b for path, b in self.modules if os.path.realpath(path) == real)
        hit = {sid for sid, frames in self.stacks.items() if any(lo <= f - 1 - bias < hi for f in frames)}
        return sum(size * weight for size, weight, sid in self.samples if sid in hit)


def symbol_range(binary, function):
    """[start, end) of the function whose demangled name starts with `function(`."""
    out = subprocess.run(["nm", "-C", "-S", "--defined-only", binary], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        f = line.split(None, 3)
        if len(f) == 4 and f[3].rsplit("(", 1)[0].split("::")[-1] == function:
            start, size = int(f[0], 16), int(f[1], 16)
            return start, start + size
    raise RuntimeError(f"no function {function} in {binary}")


def jemalloc_site_bytes(heap_file, binary, function):
    """jemalloc's estimate of the live bytes through `function`, from a heap_v2
    profile, unbiased per stack as jeprof does (AdjustSamples: bytes / (1 - exp(-mean
    size / sampling period)))."""
    import math
    lo, hi = symbol_range(binary, function)
    real = os.path.realpath(binary)
    with open(heap_file) as f:
        lines = f.read().splitlines()
    period = int(lines[0].split("/")[1])
    maps = []
    if "MAPPED_LIBRARIES:" in lines:
        for line in lines[lines.index("MAPPED_LIBRARIES:") + 1:]:
            f = line.split()
            if len(f) >= 6 and os.path.realpath(f[5]) == real:
                start, end = (int(x, 16) for x in f[0].split("-"))
                maps.append((start, end, int(f[2], 16)))
    total, stack = 0.0, None
    for line in lines[1:]:
        if line.startswith("@"):
            stack = [int(x, 16) for x in line.split()[1:]]
        elif line.startswith("  t*:") and stack is not None:
            count, size = (int(x) for x in line.split("[")[0].split(":")[1:3])
            in_site = any(s <= a - 1 < e and lo <= a - 1 - s + off < hi for a in stack for s, e, off in maps)
            if in_site and count:
                total += size / (1 - math.exp(-(size / count) / period))
            stack = None
    return total
