"""Measure the recognizer and the app on this machine and print the figures (`make benchmark`).

Figures: how long hostile inputs take to be refused and the memory they cost (targets: each ≤ 1 s and ≤ +200 MB);
MNIST test accuracy of the shipped model; single-image latency (28×28 array, 1-megapixel PNG, 12-megapixel JPEG:
decode + normalize + predict); batch throughput; one training epoch of our model and of the original tutorial's
model; the app's page-ready time and memory per visitor kernel."""
import argparse, io, statistics, tempfile, time, zlib
from pathlib import Path

import numpy as np
from PIL import Image

from scripts.appserver import ROOT, running_app, launch_chromium, kernel_memory_mb

def timed(fn, repeat):
    "Median and 95th percentile of `repeat` timed calls of `fn`, in milliseconds (after one warm-up call)."
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))

def photo(width, height, format, digit_path) -> bytes:
    "A photo-sized image with a sample digit in the middle, with sensor-like noise so it compresses like a photo."
    noise = np.random.default_rng(0).normal(0, 6, (height, width, 1))
    page = Image.fromarray(np.clip(np.array([232, 228, 214]) + noise, 0, 255).astype(np.uint8))
    digit = Image.open(digit_path).convert('RGB').resize((height // 3, height // 3))
    page.paste(digit, ((width - digit.width) // 2, (height - digit.height) // 2))
    buffer = io.BytesIO(); page.save(buffer, format, **({'quality': 90} if format == 'JPEG' else {}))
    return buffer.getvalue()

def png_file(width, height) -> bytes:
    "A valid black grayscale PNG of any size, compressed row by row, so that making it costs little memory."
    def chunk(kind, data): return len(data).to_bytes(4, 'big') + kind + data + zlib.crc32(kind + data).to_bytes(4, 'big')
    rows_per_block = max(1, 2**20 // (width + 1))
    compressor, idat = zlib.compressobj(9), []
    for start in range(0, height, rows_per_block):
        idat.append(compressor.compress(bytes((width + 1) * min(rows_per_block, height - start))))   # filter byte + pixels
    idat.append(compressor.flush())
    header = width.to_bytes(4, 'big') + height.to_bytes(4, 'big') + bytes([8, 0, 0, 0, 0])
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', b''.join(idat)) + chunk(b'IEND', b'')

def _status_kb(field) -> int:
    "A memory figure of this process from /proc/self/status (Linux), in kB."
    return next(int(line.split()[1]) for line in Path('/proc/self/status').read_text().splitlines() if line.startswith(field + ':'))

def cost(fn) -> tuple[float, float, BaseException|None]:
    "Seconds `fn()` takes, its peak resident memory above what the process held before (MB), and what it raised."
    Path('/proc/self/clear_refs').write_text('5')   # reset the kernel's high-water mark (VmHWM) to the current size
    before = _status_kb('VmRSS')
    start = time.perf_counter()
    try: fn(); raised = None
    except Exception as e: raised = e
    return time.perf_counter() - start, (_status_kb('VmHWM') - before) / 1024, raised

def hostile_figures():
    "Each hostile input through `DigitRecognizer.predict`: refused with the package's own error, in how long, at what memory."
    from handwritten_digits import DigitRecognizer, DigitImageError
    rec = DigitRecognizer()
    rec.predict(ROOT/'data'/'samples'/'4-photo.jpg')   # warm up: the model is loaded before anything is measured
    work = Path(tempfile.mkdtemp())
    closed = open(ROOT/'data'/'samples'/'4-photo.jpg', 'rb'); closed.close()
    text = open(ROOT/'data'/'samples'/'4-photo.jpg', 'r', encoding='latin-1')
    with open(work/'huge.png', 'wb') as f: f.truncate(150 * 2**20)   # sparse: 150 MB long, no disk space
    tall, bomb = png_file(1, 50_000_000), png_file(8_000, 8_000)
    cases = {'10000×10000 float64 array (800 MB)': np.full((10_000, 10_000), 0.5),
             '1000×1000 object array': np.empty((1000, 1000), object),
             '1000×1000 complex128 array': np.ones((1000, 1000), np.complex128),
             'closed file object': closed,
             'file object opened in text mode': text,
             f'1×50,000,000 PNG ({len(tall) / 1e3:.0f} kB)': tall,
             f'8000×8000 PNG, 64 megapixels ({len(bomb) / 1e3:.0f} kB)': bomb,
             '150 MB file on disk': work/'huge.png',
             '/dev/zero, endless': '/dev/zero'}
    for name, source in cases.items():
        seconds, megabytes, raised = cost(lambda: rec.predict(source))
        verdict = 'refused' if isinstance(raised, DigitImageError) else f'NOT REFUSED ({raised!r})'
        within = 'within' if seconds <= 1 and megabytes <= 200 else 'OVER'
        print(f'hostile input, {name:42} {verdict} in {seconds * 1000:6.1f} ms, peak memory +{megabytes:4.0f} MB '
              f'({within} target) [{type(raised).__name__}: {raised}]')
    text.close()

def recognizer_figures(repeat):
    from handwritten_digits import DigitRecognizer
    from handwritten_digits.data import load_mnist
    from handwritten_digits.normalize import frame_digit
    rec = DigitRecognizer()
    _, (x_test, y_test) = load_mnist()
    framed = np.stack([frame_digit(x) for x in x_test.astype(np.float32) / 255])
    accuracy = (np.concatenate([rec.probabilities(b) for b in np.array_split(framed, 10)]).argmax(1) == y_test).mean()
    print(f'MNIST test accuracy (shipped model, LiteRT runtime): {accuracy:.2%}')
    sample = ROOT/'data'/'samples'/'4-photo.jpg'
    inputs = {'28×28 array': x_test[0], '1-megapixel PNG': photo(1155, 866, 'PNG', sample),
              '12-megapixel JPEG': photo(4000, 3000, 'JPEG', sample)}
    for name, source in inputs.items():
        median, p95 = timed(lambda: rec.predict(source), repeat)
        print(f'single image, {name:18} decode + normalize + predict: median {median:6.1f} ms, p95 {p95:6.1f} ms')
    median, _ = timed(lambda: rec.probabilities(framed[:1]), repeat)
    print(f'model call alone, one framed digit: median {median:.2f} ms')
    batch = framed[:2000]
    for threads in (1, 2):
        runtime = DigitRecognizer(threads=threads)
        runtime.probabilities(batch)
        start = time.perf_counter(); runtime.probabilities(batch); seconds = time.perf_counter() - start
        print(f'batch throughput, 2000 framed digits in one call, {threads} thread{"s" * (threads > 1)}: {len(batch) / seconds:,.0f} images/s')

def training_figures():
    import keras, tensorflow as tf
    from handwritten_digits.data import load_mnist
    from handwritten_digits.core import NUM_CLASSES
    from handwritten_digits.model import digit_model, tutorial_model, frame_all, augment
    (x_train, y_train), _ = load_mnist()
    x, y = frame_all(x_train[:55000]), keras.utils.to_categorical(y_train[:55000], 10)
    ours = digit_model(); ours.compile('adam', 'categorical_crossentropy')   # eleven outputs: the digits and "not a digit"
    data = (tf.data.Dataset.from_tensor_slices((x, keras.utils.to_categorical(y_train[:55000], NUM_CLASSES))).shuffle(len(x)).batch(128, drop_remainder=True)
            .map(lambda a, b: (augment(a), b), num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
    start = time.perf_counter(); ours.fit(data, epochs=1, verbose=0); ours_seconds = time.perf_counter() - start
    tutorial = tutorial_model(); tutorial.compile('adam', 'categorical_crossentropy')
    start = time.perf_counter(); tutorial.fit(x, y, batch_size=32, epochs=1, verbose=0); tutorial_seconds = time.perf_counter() - start
    print(f'one training epoch on 55,000 images: ours (augmented, batch 128) {ours_seconds:.0f} s, '
          f'tutorial model (batch 32) {tutorial_seconds:.0f} s, ratio {ours_seconds / tutorial_seconds:.2f}')

def app_figures():
    from playwright.sync_api import sync_playwright
    with running_app() as (url, voila):
        time.sleep(15)   # let the pre-heated kernels finish running the notebook, as on a server that has been up a while
        photo_path = Path(tempfile.mkdtemp())/'phone.jpg'
        photo_path.write_bytes(photo(4000, 3000, 'JPEG', ROOT/'data'/'samples'/'6-photo.jpg'))
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url)
            page.locator('button.widget-upload').wait_for(state='visible', timeout=60_000)
            ready = time.perf_counter() - start
            answers = []
            for _ in range(5):
                cards = page.locator('.hd-card').count()
                with page.expect_file_chooser() as chooser: page.click('button.widget-upload')
                start = time.perf_counter()
                chooser.value.set_files(str(photo_path))
                page.locator('.hd-card').nth(cards).wait_for(timeout=60_000)
                answers.append(time.perf_counter() - start)
            right = page.locator('.hd-card .hd-digit').first.inner_text() == '6'
            browser.close()
        print(f'app: page opened to usable upload button: {ready:.2f} s')
        print(f'app: 12-megapixel JPEG ({photo_path.stat().st_size / 1e6:.1f} MB) from upload to answer on the page: '
              f'median {statistics.median(answers) * 1000:.0f} ms, slowest {max(answers) * 1000:.0f} ms of 5 (answer right: {right})')
        sizes = kernel_memory_mb(voila)
        print(f'app: resident memory per visitor kernel: {", ".join(f"{s:.0f} MB" for s in sizes)} ({len(sizes)} kernels)')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=50, help='timed calls per latency figure')
    parser.add_argument('--skip', nargs='*', default=[], choices=['hostile', 'recognizer', 'training', 'app'])
    args = parser.parse_args()
    if 'hostile' not in args.skip: hostile_figures()
    if 'recognizer' not in args.skip: recognizer_figures(args.repeat)
    if 'training' not in args.skip: training_figures()
    if 'app' not in args.skip: app_figures()
