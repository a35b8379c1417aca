"""README.md is generated from nbs/index.ipynb (`make readme`); it must not drift from it."""
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_readme_matches_index_notebook(tmp_path):
    subprocess.run([str(Path(sys.executable).parent/'jupyter'), 'nbconvert', '--log-level=WARN', '--to', 'markdown',
                    str(ROOT/'nbs'/'index.ipynb'), '--RegexRemovePreprocessor.patterns=["#\\\\| hide"]',   # as `make readme`
                    '--output-dir', str(tmp_path), '--output', 'README'], check=True)
    assert (tmp_path/'README.md').read_text() == (ROOT/'README.md').read_text(), 'README.md is stale: run `make readme`'

def test_readme_quick_start_has_the_two_commands():
    quick_start = (ROOT/'README.md').read_text().split('## Quick start')[1].split('##')[0]
    assert 'make app' in quick_start and 'make test' in quick_start
