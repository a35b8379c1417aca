"""The yardstick of real handwriting: `make real-benchmark`, or `python -m scripts.real_benchmark [--models DIR]`.

Prints the tables of `handwritten_digits.yardstick` (the evaluation notebook's first section): real digits from
outside MNIST that no model trained on, and non-digits drawn for the yardstick alone, read through the app's own
path (`read_number`), with what the visitor is told; then each source's accuracy as the model reads its framed
digits; then the MNIST figures from the model's record, labelled as MNIST-made.
"""
import argparse, json
from pathlib import Path

import numpy as np

from handwritten_digits.core import models_dir
from handwritten_digits.predict import DigitRecognizer
from handwritten_digits.real_writers import dev_files, usps_part, optdigits_part
from handwritten_digits.yardstick import yardstick, print_yardstick

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', type=Path, default=models_dir(), help='folder holding digits.tflite and its record')
    args = parser.parse_args()
    recognizer = DigitRecognizer(args.models/'digits.tflite')
    print(f'model: {args.models}\n')
    print_yardstick(*yardstick(recognizer))
    print('\nsingle digits as the model reads them framed (most likely digit, no segmentation, no caveat):')
    for name, (images, labels) in {'USPS validation': usps_part('validation'), 'optdigits validation': optdigits_part('validation')}.items():
        print(f'  {name:22} {np.mean([p.digit == y for p, y in zip(recognizer.predict_framed(images), labels)]):7.2%}')
    if photos := dev_files('photos'):
        print(f'  {"development photos":22} {np.mean([recognizer.predict(p).digit == int(l) for p, l, _ in photos]):7.2%}')
    record = json.loads((args.models/'digits.json').read_text())
    print(f'\nMNIST-made, from {args.models.name}/digits.json: test {record["test_accuracy"]:.2%}, validation {record["validation_accuracy"]:.2%}')

if __name__ == '__main__': main()
