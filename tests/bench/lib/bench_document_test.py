"""scripts/bench's assembly of docs/PERFORMANCE.md: a run of some sections keeps the
others as the document had them, with their rows of the Targets table."""
import importlib.machinery
import importlib.util
import json
import os
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "../../../scripts/bench")
_loader = importlib.machinery.SourceFileLoader("bench_script", SCRIPT)
bench = importlib.util.module_from_spec(importlib.util.spec_from_loader("bench_script", _loader))
_loader.exec_module(bench)

SECTIONS = [("churn", ""), ("real", ""), ("analyzer", "")]


def row(target, met):
    return {"target": target, "limit": "≤ 1×", "measured": "0.9×", "met": met, "floor": "—", "over_floor": "—"}


class Document(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.doc = os.path.join(self.tmp.name, "PERFORMANCE.md")

    def tearDown(self):
        self.tmp.cleanup()

    def run_sections(self, sections, cpu=None):
        """Fragments as a run of `sections` ({name: (text, rows)}) leaves them, then assembly."""
        frag_dir = tempfile.mkdtemp(dir=self.tmp.name)
        for name, (text, rows) in sections.items():
            base = os.path.join(frag_dir, name + ".md")
            with open(base, "w") as f:
                f.write(f"## {name.title()}\n\n{text}\n")
            with open(base + ".meta", "w") as f:
                f.write(f"Section `{name}` measured 2026-01-01 00:00 UTC on {cpu or bench.cpu_model()} "
                        f"at commit abc in 1 s (full run, 10 pairs).")
            if rows:
                with open(base + ".targets.json", "w") as f:
                    json.dump(rows, f)
        bench.assemble(SECTIONS, frag_dir, False, self.doc, [])
        with open(self.doc) as f:
            return f.read()

    def targets(self, text):
        table = text[text.index("| target | limit |"):].split("\n\n")[0].split("\n")[2:]
        return [line.split(" | ")[0].lstrip("| ") for line in table]

    def test_a_run_of_one_section_keeps_the_others_and_their_targets(self):
        self.run_sections({"churn": ("churn, first run", [row("churn 2", True), row("churn 16", True)]),
                           "real": ("real, first run", [row("g++", False)]),
                           "analyzer": ("analyzer, first run", [])})
        text = self.run_sections({"real": ("real, second run", [row("g++", True), row("sqlite3", True)])})
        self.assertIn("churn, first run", text)
        self.assertIn("analyzer, first run", text)
        self.assertIn("real, second run", text)
        self.assertNotIn("real, first run", text)
        self.assertEqual(self.targets(text), ["churn 2", "churn 16", "g++", "sqlite3"])
        self.assertIn("4 of 4 met", text)
        self.assertLess(text.index("## Churn"), text.index("## Real"))
        self.assertLess(text.index("## Real"), text.index("## Analyzer"))

    def test_assembling_again_with_no_fragments_changes_only_the_header(self):
        first = self.run_sections({"churn": ("churn text", [row("churn 2", False)]),
                                   "analyzer": ("analyzer text", [row("leaks", True)])})
        again = self.run_sections({})
        body = lambda t: t[t.index("## Targets"):]
        self.assertEqual(body(first), body(again))
        self.assertIn("1 of 2 met", again)

    def test_sections_measured_on_another_cpu_are_named_in_the_header(self):
        self.run_sections({"churn": ("churn text", [])}, cpu="Test CPU 9000")
        text = self.run_sections({"real": ("real text", [])})
        machine = next(line for line in text.split("\n") if line.startswith("- Machine:"))
        self.assertIn("sections churn were measured on Test CPU 9000", machine)
        self.assertNotIn("real", machine)


if __name__ == "__main__":
    unittest.main()
