"""The code of the documentation runs as written.

The pages in :data:`RUN_PAGES` are followed as a new user would, each in an
empty folder of its own that stands for the root of a clone (``examples/``
of this checkout is linked into it), with ``HOME`` pointing into it (so
``~/syne-tune`` is a fresh results folder) and ``SYNETUNE_FOLDER`` unset.
Their fenced code blocks are taken in page order:

* a block with a title (```` ```python title="train.py" ````) is a file the
  page asks you to save: it is written under that name, not run;
* a ```` ```python ```` block without a title is saved as a script and run
  with this interpreter;
* a ```` ```bash ```` block is run with ``bash -e``;
* a block right after the line ``<!-- docs-test: skip (reason) -->`` is not
  run. The reason must be given, and a page may have at most
  :data:`MAX_SKIPPED` such blocks;
* blocks in other languages (``text``, ``console``, ...) show output and are
  not run.

Every command must exit with status 0. The pages use small budgets (a few
seconds of tuning each) so that the whole module runs in well under a
minute on two cores; the test shrinks nothing.

Python blocks of all the other pages are compiled (not run): they must at
least be valid Python.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs"
#: Pages whose code blocks are run, in this order of the site.
RUN_PAGES = ["getting_started.md", "faq.md"]
#: Blocks a run page may mark as not run.
MAX_SKIPPED = 2
#: Seconds one block may take.
BLOCK_TIMEOUT = 120

SKIP_MARK = re.compile(r"^<!--\s*docs-test:\s*skip\s*(.*?)\s*-->$")
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)\s*(.*)$")
TITLE = re.compile(r'title="([^"]+)"')


@dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    title: str | None
    code: str
    line: int  # 1-based line of the opening fence
    skip_reason: str | None  # None: not marked as skipped

    def where(self, page: str) -> str:
        return f"{page}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a markdown page, in order.

    Parameters
    ----------
    path
        The page.

    Returns
    -------
    list of Block
        Language, title, code, line and skip mark of each block.

    Raises
    ------
    ValueError
        If a fence is never closed.
    """
    lines = path.read_text().splitlines()
    blocks = []
    i = 0
    previous = ""  # the last non-blank line before the current one
    while i < len(lines):
        match = FENCE.match(lines[i].strip())
        if match is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, language, rest = match.groups()
        title_match = TITLE.search(rest)
        indent = len(lines[i]) - len(lines[i].lstrip())
        start = i
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{path.name}:{start + 1}: code block never closed")
        skip = SKIP_MARK.match(previous)
        blocks.append(
            Block(
                language=language.lower(),
                title=title_match.group(1) if title_match else None,
                code="\n".join(body) + "\n",
                line=start + 1,
                skip_reason=skip.group(1) if skip else None,
            )
        )
        previous = ""
        i += 1
    return blocks


def _environment(workdir: Path) -> dict:
    env = dict(os.environ)
    env.pop("SYNETUNE_FOLDER", None)  # the pages use the default, ~/syne-tune
    # keep the converted benchmarks where they are, whatever HOME is
    env.setdefault("SYNE_TUNE_BLACKBOX_REPOSITORY", str(Path.home() / ".blackbox-repository"))
    # and matplotlib's font cache (rebuilt in every fresh HOME otherwise: seconds each time)
    env.setdefault("MPLCONFIGDIR", str(Path.home() / ".cache" / "matplotlib"))
    env.update(HOME=str(workdir), MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    # the interpreter running the tests comes first, as in an activated environment
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _run(block: Block, page: str, command: list[str], workdir: Path, env: dict) -> None:
    try:
        proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired as ex:
        pytest.fail(f"{block.where(page)}: still running after {BLOCK_TIMEOUT}s:\n{block.code}\n{ex.stdout}\n{ex.stderr}")
    assert proc.returncode == 0, (
        f"{block.where(page)}: exit status {proc.returncode} of\n{block.code}\n"
        f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-5000:]}"
    )


@pytest.mark.parametrize("page", RUN_PAGES)
def test_run_page_code_blocks_are_marked(page):
    blocks = code_blocks(DOCS / page)
    skipped = [b for b in blocks if b.skip_reason is not None]
    assert all(b.skip_reason for b in skipped), [b.where(page) for b in skipped if not b.skip_reason]
    assert len(skipped) <= MAX_SKIPPED, f"{page}: {len(skipped)} blocks not run: {[b.where(page) for b in skipped]}"
    runnable = [b for b in blocks if b.language in ("python", "bash") and b.skip_reason is None]
    assert any(b.title is None for b in runnable), f"{page} runs nothing"
    for b in blocks:
        if b.title is not None:
            assert "/" not in b.title and b.skip_reason is None, f"{b.where(page)}: bad file block {b.title!r}"


@pytest.mark.parametrize("page", RUN_PAGES)
def test_run_page_code_blocks_run(page, tmp_path):
    (tmp_path / "examples").symlink_to(REPO_ROOT / "examples", target_is_directory=True)
    env = _environment(tmp_path)
    for number, block in enumerate(code_blocks(DOCS / page)):
        if block.skip_reason is not None:
            continue
        if block.title is not None:
            (tmp_path / block.title).write_text(block.code)
        elif block.language == "python":
            script = tmp_path / f"_block_{number}.py"
            script.write_text(block.code)
            _run(block, page, [sys.executable, script.name], tmp_path, env)
        elif block.language == "bash":
            _run(block, page, ["bash", "-e", "-c", block.code], tmp_path, env)


@pytest.mark.parametrize("page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")))
def test_python_blocks_compile(page):
    for block in code_blocks(DOCS / page):
        if block.language == "python":
            try:
                compile(block.code, block.where(page), "exec")
            except SyntaxError as ex:
                pytest.fail(f"{block.where(page)}: {ex}\n{block.code}")


def test_block_parser_reads_titles_skips_and_indented_fences(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n"
        '```python title="a.py"\nprint(1)\n```\n\n'
        "<!-- docs-test: skip (needs a cluster) -->\n"
        "```bash\necho no\n```\n\n"
        "* item:\n\n    ```python\n    x = 1\n    ```\n"
    )
    a, b, c = code_blocks(page)
    assert (a.language, a.title, a.code, a.skip_reason) == ("python", "a.py", "print(1)\n", None)
    assert (b.language, b.skip_reason) == ("bash", "(needs a cluster)")
    assert (c.code, c.skip_reason) == ("x = 1\n", None)
