"""Install handwritten_digits from settings.ini, the single place its metadata lives (nbdev 2 layout)."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

here = Path(__file__).parent
config = ConfigParser(delimiters=['='])
config.read(here / 'settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

licenses = {'apache2': 'Apache-2.0'}   # SPDX expressions
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(here / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    author=cfg['author'],
    **({'url': cfg['git_url']} if cfg['git_url'] else {}),   # no public repository yet
    license=licenses[cfg['license']],
    keywords=cfg['keywords'].split(),
    classifiers=[f'Development Status :: {statuses[int(cfg["status"]) - 1]}',
                 f'Intended Audience :: {cfg["audience"]}',
                 f'Natural Language :: {cfg["language"]}',
                 'Programming Language :: Python :: 3.11'],
    python_requires=f'>={cfg["min_python"]}',
    # the trained model and the sample images ship inside the package, where `models_dir()` and `samples_dir()` look,
    # and so do the page's stylesheet and script, where `cards.static_text` reads them
    packages=[cfg['lib_name'], f'{cfg["lib_name"]}.models', f'{cfg["lib_name"]}.samples', f'{cfg["lib_name"]}.static'],
    package_dir={f'{cfg["lib_name"]}.models': 'models', f'{cfg["lib_name"]}.samples': 'data/samples'},
    package_data={cfg['lib_name']: ['jupyter/voila/templates/*/*'],   # the app's page template
                  f'{cfg["lib_name"]}.static': ['*.css', '*.js'],
                  f'{cfg["lib_name"]}.models': ['*.keras', '*.tflite', '*.json', '*.npz'],
                  f'{cfg["lib_name"]}.samples': ['*.png', '*.jpg']},
    # the app's notebook and Voilà settings, so that `handwritten_digits app` serves it from an installed package
    data_files=[('share/handwritten_digits', ['nbs/07_app.ipynb', 'voila.json'])],
    install_requires=cfg['requirements'].split(),
    # [train] brings TensorFlow for training and export; [dev] is everything: [train] and the notebook and test tools
    extras_require={'train': cfg['train_requirements'].split(),
                    'dev': cfg['train_requirements'].split() + cfg['dev_requirements'].split()},
    entry_points={'console_scripts': cfg['console_scripts'].split(),
                  'nbdev': [f'{cfg["lib_path"]}={cfg["lib_path"]}._modidx:d']},
    zip_safe=False,
)
