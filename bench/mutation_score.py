"""The score of `make mutation`: mutants killed (or timed out) over mutants tested, from
mutmut's own counts, and every survivor by name.

    python -m bench.mutation_score     # after `mutmut run`
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

STATS = Path("mutants/mutmut-cicd-stats.json")


def main() -> None:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    subprocess.run([mutmut, "export-cicd-stats"], check=True, capture_output=True)
    stats = json.loads(STATS.read_text(encoding="utf-8"))
    tested = stats["total"] - stats["skipped"] - stats["no_tests"]
    killed = stats["killed"] + stats["timeout"]
    print(
        f"mutants: {stats['total']}, tested {tested}, killed {stats['killed']}, "
        f"timed out {stats['timeout']}, survived {stats['survived']}, "
        f"no test reaches them {stats['no_tests']}, suspicious {stats['suspicious']}"
    )
    score = f"{killed / tested:.1%}" if tested else "no mutant tested"
    print(f"mutation score: {score}")
    survivors = subprocess.run([mutmut, "results"], check=True, capture_output=True, text=True)
    print(survivors.stdout, end="")


if __name__ == "__main__":
    main()
