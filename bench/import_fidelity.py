"""Per-field fidelity of the importer over the corpus of real published
documents (fixtures/import_corpus/, each file with expected/<stem>.json):
text, number, category, project, leaders, lead units, supporting units,
deadline and extra columns, plus title and year. Dry runs on a fresh SQLite
database (migrated, so the shipped aliases exist but belong to this district).

    .venv/bin/python bench/import_fidelity.py [--verbose]

Prints the table (and with --verbose every mismatch); appends the table to
bench/results/import_fidelity.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--corpus", type=Path, default=ROOT / "fixtures" / "import_corpus")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-fidelity-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from imports.fidelity import corpus_files, fidelity_table, file_fidelity

    call_command("migrate", verbosity=0)
    results = [file_fidelity(path) for path in corpus_files(args.corpus)]
    table = fidelity_table(results)
    print(table)
    if args.verbose:
        for result in results:
            for line in result.mismatches:
                print(line)
    out = ROOT / "bench" / "results" / "import_fidelity.txt"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{dt.datetime.now():%Y-%m-%d %H:%M} `.venv/bin/python bench/import_fidelity.py`\n{table}\n")


if __name__ == "__main__":
    main()
