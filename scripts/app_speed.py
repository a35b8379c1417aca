"""Does the app stay fast over a long visit? Time from upload to answer on a fresh page and after many uploads.

One visitor in headless Chromium uploads a 10-file batch, then one pen drawing at a time (a new name each time, so
each card can be told apart), then a 10-file batch again. Prints the time from picking the files to the answer on
the page (median of each 20 single uploads), the two batch times, and what the page and its kernel hold at the end:
cards, DOM nodes, JavaScript heap, kernel memory. The machine's load moves the times; the sizes should not move.
Usage: python -m scripts.app_speed [--uploads 60]"""
import argparse, shutil, statistics, tempfile, time
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.appserver import ROOT, running_app, launch_chromium, kernel_memory_mb

SAMPLE = ROOT/'data'/'samples'/'3-pen.png'
BATCH = 10

def answer_seconds(page, paths: list[Path]) -> float:
    "Upload `paths` and wait until the first of them has its card on top of the results and the last its card below."
    with page.expect_file_chooser() as chooser: page.click('button.widget-upload')
    start = time.perf_counter()
    chooser.value.set_files([str(p) for p in paths])
    page.wait_for_function('([first, last, k]) => { const cards = document.querySelectorAll(".hd-results .hd-card");'
                           ' return cards.length > k && cards[0].getAttribute("aria-label") === first'
                           ' && cards[k].getAttribute("aria-label") === last; }',
                           arg=[paths[0].name, paths[-1].name, len(paths) - 1], timeout=120_000)
    return time.perf_counter() - start

def js_heap_mb(cdp) -> float:
    "The page's JavaScript heap after a garbage collection: what the page keeps, not what it has yet to free."
    cdp.send('HeapProfiler.collectGarbage')
    return cdp.send('Runtime.getHeapUsage')['usedSize'] / 2**20

def median_ms(times) -> str: return f'{statistics.median(times) * 1000:.0f} ms'

def main(uploads: int):
    folder = Path(tempfile.mkdtemp())
    name = iter(range(10**6))
    copies = lambda n: [Path(shutil.copy(SAMPLE, folder/f'upload-{next(name):05d}.png')) for _ in range(n)]
    with running_app() as (url, voila), sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        page.goto(url)
        page.locator('button.widget-upload').wait_for(timeout=60_000)
        first_batch = answer_seconds(page, copies(BATCH))
        page.get_by_role('button', name='Clear results').click()
        cdp = page.context.new_cdp_session(page)
        heap, kernel = [js_heap_mb(cdp)], [max(kernel_memory_mb(voila))]
        singles = [answer_seconds(page, copies(1)) for _ in range(uploads)]
        last_batch = answer_seconds(page, copies(BATCH))
        heap.append(js_heap_mb(cdp)), kernel.append(max(kernel_memory_mb(voila)))
        cards, nodes = page.locator('.hd-results .hd-card').count(), page.evaluate('document.querySelectorAll("*").length')
        browser.close()
    print('single upload to answer, median of each 20: ' + ', '.join(
          f'{k + 1}-{k + 20}: {median_ms(singles[k:k + 20])}' for k in range(0, uploads, 20)))
    print(f'{BATCH}-file batch: on a fresh page {first_batch:.2f} s, after {uploads + BATCH} uploads {last_batch:.2f} s')
    print(f'after {uploads + 2 * BATCH} uploads: {cards} cards on the page, {nodes} DOM nodes; page JS heap '
          f'{heap[0]:.0f} -> {heap[1]:.0f} MB, kernel {kernel[0]:.0f} -> {kernel[1]:.0f} MB (after the first batch -> at the end)')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uploads', type=int, default=60)
    main(parser.parse_args().uploads)
