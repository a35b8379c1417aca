"""Load test of the app (`make load-test`): N visitors at once against a local Voilà, each uploading images.

Opens N browser sessions on one Voilà server on 127.0.0.1, has every session upload three sample images, waits
for all the answers, checks each one, and prints the timings and the memory of the server and its kernels.
Bounded: every wait has a time limit, and the server is stopped at the end."""
import argparse, sys, time

import psutil
from playwright.sync_api import sync_playwright, expect

from appserver import ROOT, running_app, launch_chromium, kernel_memory_mb

SAMPLES = ROOT/'data'/'samples'

def main(sessions: int, timeout_s: int) -> int:
    with running_app(timeout=timeout_s) as (url, server), sync_playwright() as p:
        browser = launch_chromium(p)
        start = time.perf_counter()
        pages = [browser.new_context().new_page() for _ in range(sessions)]
        for page in pages: page.goto(url, wait_until='commit')
        for page in pages: expect(page.locator('button.widget-upload')).to_be_visible(timeout=timeout_s * 1000)
        ready = time.perf_counter() - start
        expected = {}
        for k, page in enumerate(pages):
            digits = [(k + j) % 10 for j in range(3)]
            files = [SAMPLES/f'{d}-{"photo.jpg" if j % 2 else "pen.png"}' for j, d in enumerate(digits)]
            with page.expect_file_chooser() as chooser: page.click('button.widget-upload')
            chooser.value.set_files([str(f) for f in files])
            expected[k] = sorted(str(d) for d in digits)
        uploaded = time.perf_counter()
        right = 0
        for k, page in enumerate(pages):
            cards = page.locator('.hd-card .hd-digit')
            try:
                expect(cards).to_have_count(3, timeout=timeout_s * 1000)
                answers = sorted(cards.all_inner_texts())
            except AssertionError: answers = []
            right += answers == expected[k]
            if answers != expected[k]: print(f'session {k}: expected {expected[k]}, got {answers}')
        answered = time.perf_counter() - uploaded
        kernel_mb = kernel_memory_mb(server)
        server_mb = psutil.Process(server.pid).memory_info().rss / 2**20
        browser.close()
    print(f'{sessions} sessions: all pages usable after {ready:.1f} s; {3 * sessions} uploads answered in {answered:.1f} s')
    print(f'{right} of {sessions} sessions got every answer right, {sessions - right} failed or dropped')
    print(f'memory: Voilà server {server_mb:.0f} MB; {len(kernel_mb)} kernels, {min(kernel_mb):.0f}–{max(kernel_mb):.0f} MB each, '
          f'{sum(kernel_mb):.0f} MB in all')
    return 0 if right == sessions else 1

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sessions', type=int, default=10)
    parser.add_argument('--timeout', type=int, default=180, help='seconds any one wait may take')
    args = parser.parse_args()
    sys.exit(main(args.sessions, args.timeout))
