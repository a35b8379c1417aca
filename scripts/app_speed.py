"""Does the app stay fast over a long visit? Time from upload to answer on a fresh page and after many uploads.

One visitor in headless Chromium uploads the same pen drawing again and again (under a new name each time); prints the time from picking the file
to its card on top of the page, for the first uploads and for the last ones, and the page's size in DOM nodes.
Usage: python scripts/app_speed.py [--uploads 60]"""
import argparse, shutil, statistics, tempfile, time
from pathlib import Path

from playwright.sync_api import sync_playwright

from appserver import ROOT, running_app, launch_chromium

SAMPLE = ROOT/'data'/'samples'/'3-pen.png'

def answer_seconds(page, path: Path) -> float:
    "Upload `path` and wait for its card on top of the results."
    with page.expect_file_chooser() as chooser: page.click('button.widget-upload')
    start = time.perf_counter()
    chooser.value.set_files(str(path))
    page.wait_for_function("name => document.querySelector('.hd-results .hd-card')?.getAttribute('aria-label') === name",
                           arg=path.name, timeout=60_000)
    return time.perf_counter() - start

def main(uploads: int):
    with running_app() as (url, _), sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        page.goto(url)
        page.locator('button.widget-upload').wait_for(timeout=60_000)
        folder = Path(tempfile.mkdtemp())
        copies = [shutil.copy(SAMPLE, folder/f'upload-{k:04d}.png') for k in range(1, uploads + 1)]   # each card told apart by name
        times = [answer_seconds(page, Path(copy)) for copy in copies]
        nodes = page.evaluate('document.querySelectorAll("*").length')
        cards = page.locator('.hd-results .hd-card').count()
        browser.close()
    first, last = times[:5], times[-5:]
    print(f'upload to answer, uploads 1-5: median {statistics.median(first) * 1000:.0f} ms; uploads {uploads - 4}-{uploads}: '
          f'median {statistics.median(last) * 1000:.0f} ms (ratio {statistics.median(last) / statistics.median(first):.2f})')
    print(f'after {uploads} uploads: {cards} cards on the page, {nodes} DOM nodes')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--uploads', type=int, default=60)
    main(parser.parse_args().uploads)
