"""Figures for reading whole numbers (issue 12): `make number-benchmark`, or `python scripts/number_benchmark.py --count 400`.

Prints exact-string accuracy on the seeded number benchmark built from MNIST *test* digits (overall, touching vs apart,
by length, by kind) beside the per-digit accuracy that bounds it; the development set's numbers and single-digit photos
read through `read_number`; the time to read a 12-megapixel photo of an 8-digit number; and the time and memory a page
of text costs before it is refused. The dev set is read from $HANDWRITING_DEV (default /work/shared/datasets/handwriting-dev)
and skipped where absent.
"""
import argparse, collections, csv, io, os, resource, statistics, time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from handwritten_digits.data import load_mnist
from handwritten_digits.normalize import DigitImageError
from handwritten_digits.numbers import read_number
from handwritten_digits.number_samples import number_benchmark, write_number, photograph
from handwritten_digits.predict import DigitRecognizer

DEV = Path(os.environ.get('HANDWRITING_DEV', '/work/shared/datasets/handwriting-dev'))

def peak_mb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def attempt(source, recognizer) -> tuple[str, float]:
    "The text read (or the error's class name) and the seconds it took."
    start = time.perf_counter()
    try: text = read_number(source, recognizer).text
    except DigitImageError as e: text = type(e).__name__
    return text, time.perf_counter() - start

def page_of_text(recognizer):
    "A 12-megapixel photo of a printed page: refused or flagged, how fast, and how much memory it added."
    page = Image.new('L', (3024, 4032), 245); pen = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=56)
    for row in range(48): pen.text((150, 150 + 78 * row), 'Dear Sam, the meeting moved to room 214 at 10:30 on the 3rd.', fill=25, font=font)
    data = io.BytesIO(); page.save(data, 'JPEG', quality=85)
    before = peak_mb()
    start = time.perf_counter()
    try: outcome = 'read as ' + repr(read_number(data.getvalue(), recognizer).text)[:30] + ' (flagged uncertain?)'
    except DigitImageError as e: outcome = f'{type(e).__name__}: {e}'
    print(f'page of text: {time.perf_counter() - start:.2f} s, +{peak_mb() - before:.0f} MB peak; {outcome}')

def speed(recognizer, images, labels, repeats=7):
    "Median time to read a 12-megapixel JPEG of an 8-digit number (after a warm-up read)."
    rng = np.random.default_rng(12)
    chosen = rng.choice(len(images), 8, replace=False)
    ink = write_number(images[chosen], 300, True, rng)
    photo = photograph(ink, (4032, 3024), (800, 1300), False, rng)
    text = ''.join(str(labels[i]) for i in chosen)
    times = [attempt(photo, recognizer) for _ in range(repeats + 1)][1:]
    print(f'12-MP photo of an 8-digit number ({len(photo) / 1e6:.1f} MB JPEG): median {1000 * statistics.median(t for _, t in times):.0f} ms,'
          f' read {times[0][0]!r} for {text!r}')

def benchmark(recognizer, images, labels, count: int):
    "Exact-string accuracy on `count` benchmark numbers, by group, beside the per-digit accuracy bound."
    groups, times = collections.defaultdict(lambda: [0, 0]), []
    digits_right = numbers_all_right = 0
    for sample in number_benchmark(count, mnist_test=(images, labels)):
        text, seconds = attempt(sample.photo, recognizer)
        times.append(seconds)
        right = text == sample.text
        for group in ('overall', 'touching' if sample.touching else 'apart', f'{len(sample.text)} digits', sample.kind):
            groups[group][0] += right; groups[group][1] += 1
        alone = [p.digit for p in recognizer.predict_framed(images[list(sample.mnist_indices)] / 255)]
        correct = sum(int(c) == d for c, d in zip(sample.text, alone))
        digits_right += correct; numbers_all_right += correct == len(sample.text)
    digit_total = sum(int(g.split()[0]) * n for g, (_, n) in groups.items() if g.endswith('digits'))
    print(f'number benchmark: {count} photos of MNIST test digits, seed 0; median read {1000 * statistics.median(times):.0f} ms')
    order = ['overall', 'touching', 'apart'] + [f'{n} digits' for n in range(3, 9)] + ['pen', 'pencil', 'small pencil', 'punctuation']
    for group in order:
        if group in groups: print(f'  {group:13s} {groups[group][0] / groups[group][1]:6.1%} exact ({groups[group][0]}/{groups[group][1]})')
    print(f'  per-digit accuracy of the model on the same MNIST digits, each alone: {digits_right / digit_total:.2%}; '
          f'numbers whose every digit alone is right (the bound): {numbers_all_right / count:.1%}')

def development_set(recognizer):
    "The dev set's whole numbers, and its single-digit photos read as numbers."
    if not DEV.exists(): return print(f'development set not found at {DEV}: skipped')
    rows = list(csv.DictReader(open(DEV/'numbers'/'labels.csv')))
    results = [(row['text'], attempt(DEV/'numbers'/row['file'], recognizer)[0]) for row in rows]
    print(f'dev numbers: {sum(t == r.replace(chr(10), " ") for t, r in results)}/{len(rows)} exact: ' +
          ', '.join(f'{t}->{r!r}' for t, r in results))
    photos = list(csv.DictReader(open(DEV/'photos'/'labels.csv')))
    read = [attempt(DEV/'photos'/row['file'], recognizer)[0] for row in photos]
    right = sum(r == row['label'] for r, row in zip(read, photos))
    print(f'dev single-digit photos through read_number: {right}/{len(photos)} ({right / len(photos):.0%}) one digit, the right one; '
          f'misread: {[(row["file"], r) for r, row in zip(read, photos) if r != row["label"]]}')

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=400, help='benchmark numbers to read (default 400)')
    args = parser.parse_args(argv)
    recognizer = DigitRecognizer()
    page_of_text(recognizer)   # first, so that its peak memory is not hidden by the 12-megapixel renders after it
    (_, _), (images, labels) = load_mnist()
    speed(recognizer, images, labels)
    development_set(recognizer)
    benchmark(recognizer, images, labels, args.count)

if __name__ == '__main__': main()
