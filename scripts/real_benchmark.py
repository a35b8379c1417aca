"""The yardstick of real handwriting: `make real-benchmark`, or `python scripts/real_benchmark.py [--models DIR]`.

Everything graded here is from outside MNIST and was never trained or calibrated on: the USPS *validation* part
(`real_writers.split_by_class`), optdigits' validation half, the development photos (`handwriting-dev/`), and
non-digits drawn for this benchmark alone (pen-written capital letters, words, photos). It prints

1. single-digit accuracy per source, as the model reads framed digits (`predict_framed`, `predict`);
2. what the app tells a visitor, through the app's own path (`read_number`, as `ui.result_card` uses it):
   real digits right without a caveat / right with a caveat / declined / wrong, per source;
   non-digits declined / shown as a number with a caveat / shown as a confident number, per kind;
3. MNIST figures from the model's record, labelled as MNIST-made.
"""
import argparse, collections, io, json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from handwritten_digits.core import models_dir
from handwritten_digits.normalize import DigitImageError
from handwritten_digits.numbers import read_number
from handwritten_digits.predict import DigitRecognizer
from handwritten_digits.real_writers import (load_usps, load_optdigits, split_by_class, framed_as_uploads, dev_files,
                                             OPTDIGITS_SHARES)
from handwritten_digits.samples import pen_ink, on_paper, skimage_photo, HELD_OUT_PHOTOS

SEED = 20261202          # no training or calibration set is drawn with this seed
PHOTOS_PER_SOURCE = 400  # real digits rendered as phone photos per source (each read through `read_number`)
SCANS_PER_SOURCE = 400   # and sent as the small scans they are

def _arc(cx, cy, rx, ry, start, stop, steps=20):
    angles = np.radians(np.linspace(start, stop, steps))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))

PEN_CAPITALS = {   # capital letters as a hand writes them, in a unit box; none reads as a digit
    'A': [[(0.1, 0.95), (0.5, 0.05), (0.9, 0.95)], [(0.28, 0.6), (0.72, 0.6)]],
    'C': [_arc(0.55, 0.5, 0.4, 0.45, 40, 320)],
    'E': [[(0.8, 0.05), (0.2, 0.05), (0.2, 0.95), (0.8, 0.95)], [(0.2, 0.5), (0.65, 0.5)]],
    'F': [[(0.8, 0.05), (0.2, 0.05), (0.2, 0.95)], [(0.2, 0.5), (0.65, 0.5)]],
    'H': [[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.8, 0.95)], [(0.2, 0.5), (0.8, 0.5)]],
    'K': [[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.2, 0.55)], [(0.35, 0.45), (0.85, 0.95)]],
    'M': [[(0.1, 0.95), (0.15, 0.05), (0.5, 0.6), (0.85, 0.05), (0.9, 0.95)]],
    'N': [[(0.2, 0.95), (0.2, 0.05), (0.8, 0.95), (0.8, 0.05)]],
    'P': [[(0.2, 0.95), (0.2, 0.05)] + _arc(0.4, 0.3, 0.35, 0.25, -90, 90) + [(0.2, 0.55)]],
    'R': [[(0.2, 0.95), (0.2, 0.05)] + _arc(0.4, 0.3, 0.35, 0.25, -90, 90) + [(0.2, 0.55), (0.85, 0.95)]],
    'T': [[(0.1, 0.05), (0.9, 0.05)], [(0.5, 0.05), (0.5, 0.95)]],
    'U': [[(0.2, 0.05)] + _arc(0.5, 0.6, 0.3, 0.35, 180, 0) + [(0.8, 0.05)]],
    'V': [[(0.1, 0.05), (0.5, 0.95), (0.9, 0.05)]],
    'W': [[(0.05, 0.05), (0.28, 0.95), (0.5, 0.35), (0.72, 0.95), (0.95, 0.05)]],
    'X': [[(0.15, 0.05), (0.85, 0.95)], [(0.85, 0.05), (0.15, 0.95)]],
    'Y': [[(0.1, 0.05), (0.5, 0.5), (0.9, 0.05)], [(0.5, 0.5), (0.5, 0.95)]],
    'smiley': [_arc(0.5, 0.5, 0.45, 0.45, 0, 360, 40), [(0.35, 0.35)], [(0.65, 0.35)], _arc(0.5, 0.55, 0.25, 0.2, 20, 160)],
    'star': [[(0.5, 0.05), (0.78, 0.92), (0.05, 0.38), (0.95, 0.38), (0.22, 0.92), (0.5, 0.05)]],
    'arrow': [[(0.05, 0.5), (0.95, 0.5)], [(0.7, 0.25), (0.95, 0.5), (0.7, 0.75)]],
}
WORDS = ('Hello', 'OK', 'Yes', 'Name:', 'Total', 'Hi!')

def jpeg(image: Image.Image, quality=85) -> bytes:
    buffer = io.BytesIO(); image.convert('RGB').save(buffer, 'JPEG', quality=quality)
    return buffer.getvalue()

def ink_photo(ink: np.ndarray, rng, side=(90, 220)) -> bytes:
    "An ink map in [0, 1] enlarged to a random size and photographed on paper, as a JPEG."
    height = int(rng.integers(*side))
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    enlarged = np.asarray(Image.fromarray(np.float32(ink), 'F').resize((width, height), Image.Resampling.BICUBIC)).clip(0, 1)
    return jpeg(on_paper(enlarged, rng), int(rng.integers(60, 92)))

def non_digits(rng) -> dict[str, list[bytes]]:
    "The non-digits of this benchmark, by kind, as the files a visitor would upload."
    kinds = collections.defaultdict(list)
    for name, strokes in PEN_CAPITALS.items():
        for _ in range(3):
            kinds['pen capitals and signs'].append(ink_photo(pen_ink(strokes, rng, size=160), rng))
    for word in WORDS:
        canvas = Image.new('L', (60 * len(word), 90), 0)
        ImageDraw.Draw(canvas).text((10, 10), word, fill=255, font=ImageFont.load_default(size=60))
        kinds['printed words'].append(ink_photo(np.asarray(canvas, np.float32) / 255, rng, (60, 120)))
    for name in HELD_OUT_PHOTOS:
        photo = skimage_photo(name)
        kinds['photos never trained on'].append(jpeg(Image.fromarray(np.uint8(photo * 255))))
        for _ in range(4):
            side = int(min(photo.shape) * rng.uniform(0.3, 0.6))
            y, x = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
            kinds['crops of photos never trained on'].append(jpeg(Image.fromarray(np.uint8(photo[y:y + side, x:x + side] * 255))))
    for name in ('brick', 'clock', 'cat', 'coins', 'astronaut', 'camera', 'horse', 'moon'):   # trained on as crops only
        kinds['whole photos (crops trained on)'].append(jpeg(Image.fromarray(np.uint8(skimage_photo(name) * 255))))
    return kinds

def real_digits(rng) -> dict[str, list[tuple[object, int]]]:
    "Real digits from outside MNIST that no model saw, by source, as `(file or array, label)`."
    usps, usps_labels = load_usps()
    usps_val = split_by_class(usps_labels)['validation']
    optdigits, opt_labels = load_optdigits()
    opt_val = split_by_class(opt_labels, shares=OPTDIGITS_SHARES)['validation']
    pick = lambda indices, count: rng.choice(indices, min(count, len(indices)), replace=False)
    sources = {
        'USPS validation as phone photos': [(ink_photo(usps[i] / 255, rng), usps_labels[i]) for i in pick(usps_val, PHOTOS_PER_SOURCE)],
        'USPS validation as 16×16 scans': [(255 - usps[i], usps_labels[i]) for i in pick(usps_val, SCANS_PER_SOURCE)],
        'optdigits validation as phone photos': [(ink_photo(optdigits[i], rng), opt_labels[i]) for i in pick(opt_val, PHOTOS_PER_SOURCE)],
        'optdigits validation as 8×8 scans': [(np.uint8(255 - 255 * optdigits[i]), opt_labels[i]) for i in pick(opt_val, SCANS_PER_SOURCE)],
    }
    photos = dev_files('photos')
    if photos: sources['development photos (8 writers)'] = [(path, int(label)) for path, label, _ in photos]
    return sources

def told(source, recognizer) -> tuple[str, str]:
    "What the app shows for `source`: `('declined'|'caveat'|'sure', text)`, as `ui.result_card` decides it."
    try: reading = read_number(source, recognizer)
    except DigitImageError: return 'declined', ''
    if len(reading.digits) == 1 and not reading.digits[0].is_digit: return 'declined', ''
    return ('sure' if reading.is_confident else 'caveat'), reading.text

def framed_accuracy(recognizer) -> dict[str, float]:
    "Share of digits whose most likely class is right, as the model reads them framed (no segmentation)."
    usps, usps_labels = load_usps()
    optdigits, opt_labels = load_optdigits()
    parts = {'USPS validation': (usps, usps_labels, split_by_class(usps_labels)['validation']),
             'optdigits validation': (optdigits, opt_labels, split_by_class(opt_labels, shares=OPTDIGITS_SHARES)['validation'])}
    figures = {}
    for name, (images, labels, chosen) in parts.items():
        predictions = recognizer.predict_framed(framed_as_uploads(images[chosen]))
        figures[name] = np.mean([p.digit == y for p, y in zip(predictions, labels[chosen])])
    photos = dev_files('photos')
    if photos:
        figures['development photos'] = np.mean([recognizer.predict(path).digit == int(label) for path, label, _ in photos])
    return figures

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', type=Path, default=models_dir(), help='folder holding digits.tflite and its record')
    args = parser.parse_args()
    recognizer = DigitRecognizer(args.models/'digits.tflite')
    rng = np.random.default_rng(SEED)
    print(f'model: {args.models}\n')
    print('1. Single digits, as the model reads them (most likely digit; no segmentation, no caveats)')
    for name, accuracy in framed_accuracy(recognizer).items(): print(f'   {name:40} {accuracy:7.2%}')

    print('\n2a. Real digits through the app\'s path (read_number):   n   right, sure  right, caveat  declined   wrong')
    totals = collections.Counter()
    for name, items in real_digits(rng).items():
        counts = collections.Counter()
        for source, label in items:
            verdict, text = told(source, recognizer)
            counts['declined' if verdict == 'declined' else 'wrong' if text != str(label) else f'right {verdict}'] += 1
        totals.update(counts)
        n = len(items)
        print(f'   {name:40} {n:4}  {counts["right sure"] / n:10.1%}  {counts["right caveat"] / n:12.1%}'
              f'  {counts["declined"] / n:8.1%}  {counts["wrong"] / n:6.1%}')
    n = sum(totals.values())
    print(f'   {"all real digits":40} {n:4}  {totals["right sure"] / n:10.1%}  {totals["right caveat"] / n:12.1%}'
          f'  {totals["declined"] / n:8.1%}  {totals["wrong"] / n:6.1%}')

    print('\n2b. Non-digits through the app\'s path:                  n    declined  number, caveat  confident number')
    totals = collections.Counter()
    for kind, files in non_digits(rng).items():
        counts = collections.Counter(told(data, recognizer)[0] for data in files)
        totals.update(counts)
        n = len(files)
        print(f'   {kind:40} {n:4}  {counts["declined"] / n:9.1%}  {counts["caveat"] / n:14.1%}  {counts["sure"] / n:16.1%}')
    n = sum(totals.values())
    print(f'   {"all non-digits":40} {n:4}  {totals["declined"] / n:9.1%}  {totals["caveat"] / n:14.1%}  {totals["sure"] / n:16.1%}')

    record = json.loads((args.models/'digits.json').read_text())
    print(f'\n3. MNIST-made, from {args.models.name}/digits.json: test {record["test_accuracy"]:.2%}, '
          f'validation {record["validation_accuracy"]:.2%}')

if __name__ == '__main__': main()
