"""Figures for reading whole numbers: `make number-benchmark`, or `python -m scripts.number_benchmark --count 300`.

Prints exact-string accuracy on the seeded number benchmark built from real writers' digits that no model trained on
(the USPS validation part; `--digits mnist` uses MNIST's test digits instead), overall, touching / apart, by length and
by kind (pages on desks included), how many readings come without a caveat and how many of those are wrong, beside
the per-digit ceiling; the same for RapidOCR (PP-OCR, bundled weights, offline) on the same photos where it is
installed (`make number-benchmark` installs it); the development set's numbers and single-digit photos read through
`read_number`; the time to read a 12-megapixel photo of an 8-digit number; and the time and memory a page of text
costs before it is refused. The dev set is found as `real_writers.dev_files` finds it and skipped where absent.
"""
import argparse, collections, io, resource, statistics, time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from handwritten_digits.data import load_mnist
from handwritten_digits.normalize import DigitImageError
from handwritten_digits.numbers import read_number
from handwritten_digits.number_samples import number_benchmark, write_number, photograph
from handwritten_digits.real_writers import dev_files, framed_as_uploads, usps_digits
from handwritten_digits.predict import DigitRecognizer

def peak_mb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def attempt(source, recognizer) -> tuple[str, bool, float]:
    "The text read (or the error's class name), whether it was given without a caveat, and the seconds it took."
    start = time.perf_counter()
    try: reading = read_number(source, recognizer); text, sure = reading.text, reading.is_confident
    except DigitImageError as e: text, sure = type(e).__name__, False
    return text, sure, time.perf_counter() - start

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
    print(f'12-MP photo of an 8-digit number ({len(photo) / 1e6:.1f} MB JPEG): median {1000 * statistics.median(t for _, _, t in times):.0f} ms,'
          f' read {times[0][0]!r} for {text!r}')

def rapidocr_reader():
    "RapidOCR's engine, reading digits only (a function of JPEG bytes), or None where it is not installed."
    try: from rapidocr import RapidOCR
    except ImportError: return None
    import logging
    engine = RapidOCR()
    logging.getLogger('RapidOCR').setLevel(logging.WARNING)
    def read(photo: bytes) -> str:
        result = engine(photo)
        return ''.join(ch for text in (result.txts or ()) for ch in text if ch.isdigit())
    return read

GROUPS = ['overall', 'touching', 'apart'] + [f'{n} digits' for n in range(3, 9)] + ['pen', 'pencil', 'small pencil', 'punctuation', 'on a desk']

def benchmark(recognizer, images, labels, count: int, source: str, ocr=None):
    "Exact-string accuracy of `read_number` (and of `ocr`, if given) on `count` benchmark numbers, by group, and the per-digit ceiling."
    ours, theirs, times = collections.defaultdict(lambda: [0, 0]), collections.defaultdict(lambda: [0, 0]), []
    sure_right = sure_wrong = 0   # readings given without a caveat
    digits_right = digit_total = numbers_all_right = 0
    for sample in number_benchmark(count, digits=(images, labels)):
        text, sure, seconds = attempt(sample.photo, recognizer)
        times.append(seconds)
        right = text.replace('\n', '') == sample.text
        sure_right += sure and right; sure_wrong += sure and not right
        other = ocr(sample.photo) if ocr else None
        for group in ('overall', 'touching' if sample.touching else 'apart', f'{len(sample.text)} digits', sample.kind):
            ours[group][0] += right; ours[group][1] += 1
            if ocr: theirs[group][0] += other == sample.text; theirs[group][1] += 1
        alone = [p.digit for p in recognizer.predict_framed(framed_as_uploads(images[list(sample.indices)]))]
        correct = sum(int(c) == d for c, d in zip(sample.text, alone))
        digits_right += correct; digit_total += len(alone); numbers_all_right += correct == len(sample.text)
    print(f'number benchmark: {count} photos of {source}, seed 0; our median read {1000 * statistics.median(times):.0f} ms')
    print(f'  {"":13s} {"read_number":>22s}' + (f'  {"RapidOCR":>22s}' if ocr else ''))
    for group in GROUPS:
        if group not in ours: continue
        row = f'  {group:13s} {ours[group][0] / ours[group][1]:7.1%} exact ({ours[group][0]:3d}/{ours[group][1]:3d})'
        if ocr: row += f'  {theirs[group][0] / theirs[group][1]:7.1%} exact ({theirs[group][0]:3d}/{theirs[group][1]:3d})'
        print(row)
    print(f'  without a caveat: {(sure_right + sure_wrong) / count:.1%} of the photos, right {sure_right / count:.1%}, wrong {sure_wrong / count:.1%} '
          f'(the rest come with a caveat or are declined)')
    print(f'  ceiling: per-digit accuracy of our model on the same digits, each alone: {digits_right / digit_total:.2%}; '
          f'numbers whose every digit alone is right: {numbers_all_right / count:.1%}')

def development_set(recognizer, ocr=None):
    "The dev set's whole numbers (also by `ocr`, if given), and its single-digit photos read as numbers."
    numbers, photos = dev_files('numbers'), dev_files('photos')
    if not numbers: return print('development set not found: skipped')
    squeeze = lambda text: ''.join(text.split())
    results = [(text, attempt(path, recognizer)[0]) for path, text, _ in numbers]
    print(f'dev numbers: {sum(squeeze(t) == squeeze(r) for t, r in results)}/{len(numbers)} exact: ' +
          ', '.join(f'{t}->{r!r}' for t, r in results))
    if ocr:
        read = [(text, ocr(path.read_bytes())) for path, text, _ in numbers]
        print(f'dev numbers by RapidOCR: {sum(squeeze(t) == r for t, r in read)}/{len(numbers)} exact: ' + ', '.join(f'{t}->{r!r}' for t, r in read))
    read = [(label, attempt(path, recognizer)[0]) for path, label, _ in photos]
    right = sum(r == label for label, r in read)
    print(f'dev single-digit photos through read_number: {right}/{len(photos)} ({right / len(photos):.1%}) one digit, the right one; '
          f'misread: {[(path.parent.name + "/" + path.name, r) for (path, _, _), (label, r) in zip(photos, read) if r != label]}')

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=300, help='benchmark numbers to read (default 300)')
    parser.add_argument('--digits', choices=['usps', 'mnist'], default='usps', help='whose digits write the numbers')
    parser.add_argument('--no-ocr', action='store_true', help='leave RapidOCR out even where it is installed')
    args = parser.parse_args(argv)
    recognizer = DigitRecognizer()
    ocr = None if args.no_ocr else rapidocr_reader()
    if ocr is None: print('RapidOCR is not installed (pip install rapidocr onnxruntime): its figures are left out')
    page_of_text(recognizer)   # first, so that its peak memory is not hidden by the 12-megapixel renders after it
    images, labels = usps_digits('validation') if args.digits == 'usps' else load_mnist()[1]
    speed(recognizer, images, labels)
    development_set(recognizer, ocr)
    source = 'USPS validation digits (real writers, never trained on)' if args.digits == 'usps' else 'MNIST test digits'
    benchmark(recognizer, images, labels, args.count, source, ocr)

if __name__ == '__main__': main()
