"""Reads a DSJSON decision export with Vowpal Wabbit 9 and reports how many
examples VW parsed, beside the file's line count, as one JSON line.

    python vw_check.py EXPORT.dsjson

Exits 1 when VW did not take every line as an example (it skips lines it
cannot parse, so the two counts are the check).
"""

import json
import sys

import vowpalwabbit


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        lines = sum(1 for line in f if line.strip())
    ws = vowpalwabbit.Workspace(f"--cb_explore_adf --dsjson -d {path} --quiet")
    ws.run_parser()
    examples = int(ws.get_weighted_examples())
    ws.finish()
    print(json.dumps({"vw": vowpalwabbit.__version__, "lines": lines, "examples": examples}))
    return 0 if examples == lines and lines > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
