"""Where things live in the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``data/datapackage.json``.

    Notebooks run in their own folder, and test builds run in a copy of the
    repository, so the data is found from where the code runs, not from where
    the package is installed.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "datapackage.json").is_file():
            return folder
    return ROOT
