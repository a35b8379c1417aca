"""The default install (`pip install .`) recognizes digits and serves the app without TensorFlow: its requirements
leave out what only training needs, and no module on the default path imports it."""
import subprocess, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING_ONLY = ('tensorflow', 'keras', 'matplotlib', 'skimage')   # brought by the `train` extra
PIP_NAMES = {'tensorflow', 'keras', 'matplotlib', 'scikit-image'}

def requirements(key: str) -> set[str]:
    "The package names (without versions) listed under `key` in settings.ini."
    config = ConfigParser(delimiters=['=']); config.read(ROOT/'settings.ini', encoding='utf-8')
    return {spec.split('>')[0].split('<')[0].split('=')[0].split('[')[0] for spec in config['DEFAULT'][key].split()}

def test_training_packages_are_an_extra():
    assert not requirements('requirements') & PIP_NAMES
    assert PIP_NAMES <= requirements('train_requirements')

# Import every module of the default path with the training-only packages made unimportable, then recognize a digit.
BLOCKED_RUN = f'''
import importlib, importlib.abc, pkgutil, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {TRAINING_ONLY!r}: raise ImportError(f'{{name}} is not in the default install')
sys.meta_path.insert(0, Refuse())
import handwritten_digits
training = {{'model'}}   # the one module for training: it imports TensorFlow
for module in pkgutil.iter_modules(handwritten_digits.__path__):
    if module.name not in training and not module.name.startswith('_') and not module.ispkg:
        importlib.import_module(f'handwritten_digits.{{module.name}}')
from handwritten_digits import DigitRecognizer
from handwritten_digits.core import samples_dir
print(DigitRecognizer().predict(samples_dir()/'4-photo.jpg').digit)
'''

def test_default_path_runs_without_training_packages():
    run = subprocess.run([sys.executable, '-c', BLOCKED_RUN], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == '4'
