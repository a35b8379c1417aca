"""Load test of the app (`make load-test`) against a local Voilà served with voila.json, in two phases.

1. VISITS visitors one after the other: each opens the page, uploads a sample image, checks the answer and leaves
   (as closing or reloading a tab does: the page asks for its kernel's shutdown).
2. SESSIONS visitors at once, each uploading three sample images; then they all leave.

Prints, for each phase, the pages usable and answers right, and the kernels and memory (Voilà's server process and
its kernels) over time, then whether the memory came back to its idle figure (the server after a first visit, with no
visitor). Bounded: every wait has a time limit,
and the server is stopped at the end."""
import argparse, sys, threading, time

import psutil
from playwright.sync_api import sync_playwright, expect

from appserver import ROOT, running_app, launch_chromium, kernel_memory_mb

SAMPLES = ROOT/'data'/'samples'
SAMPLE_EVERY_S = 2        # how often the memory timeline is sampled
FREED_WITHIN_S = 60       # issue 9: a page's kernel is freed within a minute of the page going away
MEMORY_MARGIN = 0.2       # issue 9: after the visits, memory within 20 % of its idle figure
# jupyter_server keeps each websocket's objects for its kernel_info_timeout (60 s) after it closes: memory is
# compared with the idle figure once that has passed since the last visitor left
SETTLE_S = 65

def sample_file(k: int):
    "The k-th sample image (digits 0-9, alternately a pen drawing and a photo) and its digit."
    return SAMPLES/f'{k % 10}-{"photo.jpg" if k // 10 % 2 else "pen.png"}', str(k % 10)

class Timeline:
    "Kernels and memory of a running Voilà server, sampled in the background: (seconds, kernels, server MB, kernels MB)."
    def __init__(self, server):
        self.server, self.samples, self.start, self._stop = psutil.Process(server.pid), [], time.perf_counter(), threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def now(self):
        kernels = kernel_memory_mb(self.server)
        return time.perf_counter() - self.start, len(kernels), self.server.memory_info().rss / 2**20, sum(kernels)

    def _run(self):
        while not self._stop.wait(SAMPLE_EVERY_S): self.samples.append(self.now())

    def stop(self): self._stop.set()

    def report(self, since: float, every_s: float):
        "Print one sample per `every_s` seconds from time `since`."
        shown = since - every_s
        for t, kernels, server_mb, kernels_mb in self.samples:
            if t >= since and t - shown >= every_s:
                print(f'  {t - since:6.0f} s: {kernels:2d} kernels, server {server_mb:4.0f} MB + kernels {kernels_mb:5.0f} MB')
                shown = t

def upload(page, *paths):
    with page.expect_file_chooser() as chooser: page.click('button.widget-upload')
    chooser.value.set_files([str(p) for p in paths])

def answers(page, count: int, timeout_s: float) -> list[str]:
    "The digits of the first `count` result cards, in page order ([] if they did not all arrive in time)."
    cards = page.locator('.hd-card .hd-digit')
    try: expect(cards).to_have_count(count, timeout=timeout_s * 1000)
    except AssertionError: return []
    return cards.all_inner_texts()

def leave(page):
    "Leave the page as a visitor closing or reloading the tab (headless Chromium drops a closing tab's last request)."
    page.goto('about:blank')
    page.context.close()

def sequential_visits(browser, url: str, visits: int, timeout_s: int) -> tuple[int, int]:
    "Phase 1: (pages usable, answers right)."
    usable = right = 0
    for k in range(visits):
        page = browser.new_context().new_page()
        try:
            page.goto(url, timeout=timeout_s * 1000)
            expect(page.locator('button.widget-upload')).to_be_visible(timeout=timeout_s * 1000)
            usable += 1
            path, digit = sample_file(k)
            upload(page, path)
            right += answers(page, 1, timeout_s) == [digit]
        except Exception as e: print(f'visit {k}: {type(e).__name__}: {str(e).splitlines()[0]}')
        finally: leave(page)
    return usable, right

def simultaneous_visits(browser, url: str, sessions: int, timeout_s: int) -> tuple[int, int, float, float]:
    """Phase 2: (pages usable, sessions with every answer right, seconds until all usable, seconds for the answers).
    The pages share each wait's `timeout_s`, so that pages that never work cannot make the phase last longer."""
    start = time.perf_counter()
    left_ms = lambda since: max(1, (since + timeout_s - time.perf_counter()) * 1000)
    pages = [browser.new_context().new_page() for _ in range(sessions)]
    for page in pages: page.goto(url, wait_until='commit', timeout=timeout_s * 1000)
    usable = []
    for page in pages:
        try:
            expect(page.locator('button.widget-upload')).to_be_visible(timeout=left_ms(start))
            usable.append(page)
        except AssertionError: pass
    ready = time.perf_counter() - start
    expected = {}
    for k, page in enumerate(usable):
        files = [sample_file(k + 3 * j) for j in range(3)]
        upload(page, *(path for path, _ in files))
        expected[k] = sorted(digit for _, digit in files)
    uploaded = time.perf_counter()
    right = sum(sorted(answers(page, 3, left_ms(uploaded) / 1000)) == expected[k] for k, page in enumerate(usable))
    answered = time.perf_counter() - uploaded
    for page in pages: leave(page)
    return len(usable), right, ready, answered

def wait_until_freed(timeline: Timeline) -> float:
    "Seconds until the server has no kernel left (at most FREED_WITHIN_S)."
    start = time.perf_counter()
    while timeline.now()[1] and time.perf_counter() - start < FREED_WITHIN_S: time.sleep(0.5)
    return time.perf_counter() - start

def settled(timeline: Timeline, left: float):
    "The server's figures SETTLE_S seconds after the last visitor left at `left` (a `time.perf_counter()`)."
    time.sleep(max(0, left + SETTLE_S - time.perf_counter()))
    return timeline.now()

def memory_check(idle, after) -> str:
    "Memory (server process + kernels) after a phase against the idle figure."
    idle_mb, after_mb = idle[2] + idle[3], after[2] + after[3]
    verdict = 'within' if after_mb <= idle_mb * (1 + MEMORY_MARGIN) else 'NOT within'
    return (f'memory {after_mb:.0f} MB (server {after[2]:.0f} MB, {after[1]} kernels) against {idle_mb:.0f} MB idle: '
            f'{after_mb / idle_mb - 1:+.0%}, {verdict} {MEMORY_MARGIN:.0%}')

def main(visits: int, sessions: int, timeout_s: int) -> int:
    with running_app(timeout=timeout_s) as (url, server), sync_playwright() as p:
        browser = launch_chromium(p)
        timeline = Timeline(server)
        cold = timeline.now()
        # the first page loads Voilà's templates and exporters once for all: idle means warmed up, with no visitor
        sequential_visits(browser, url, 1, timeout_s)
        wait_until_freed(timeline)
        idle = timeline.now()
        print(f'idle: server {cold[2]:.0f} MB just started, {idle[2]:.0f} MB after a first visit left ({idle[1]} kernels)')

        phase_start = timeline.now()[0]
        start = time.perf_counter()
        usable, right = sequential_visits(browser, url, visits, timeout_s)
        seconds = time.perf_counter() - start
        freed_s = wait_until_freed(timeline)
        at_once = timeline.now()
        after_visits = settled(timeline, start + seconds)
        print(f'\n{visits} visits one after the other ({seconds:.0f} s, {seconds / max(visits, 1):.1f} s each): {usable} pages usable, '
              f'{right} answers right; every kernel freed {freed_s:.0f} s after the last visit left')
        print('as the last kernel went: ' + memory_check(idle, at_once))
        print(f'{SETTLE_S} s after the last visit left: ' + memory_check(idle, after_visits))
        timeline.report(phase_start, every_s=30)

        phase_start = timeline.now()[0]
        usable_sessions, right_sessions, ready, answered = simultaneous_visits(browser, url, sessions, timeout_s)
        left = time.perf_counter()
        freed_s = wait_until_freed(timeline)
        after_sessions = settled(timeline, left)
        timeline.stop()
        peak = max((s for s in timeline.samples if s[0] >= phase_start), key=lambda s: s[2] + s[3], default=after_sessions)
        print(f'\n{sessions} visitors at once: {usable_sessions} pages usable after {ready:.1f} s; {right_sessions} of them got '
              f'all 3 answers right, {answered:.1f} s after the last upload; every kernel freed {freed_s:.0f} s after they left')
        print(f'peak: {peak[1]} kernels, server {peak[2]:.0f} MB + kernels {peak[3]:.0f} MB')
        print(f'{SETTLE_S} s after they left: ' + memory_check(idle, after_sessions))
        timeline.report(phase_start, every_s=10)
        browser.close()
    ok = (usable, right, usable_sessions, right_sessions) == (visits, visits, sessions, sessions)
    return 0 if ok and after_sessions[1] == 0 else 1

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--visits', type=int, default=100, help='visitors one after the other')
    parser.add_argument('--sessions', type=int, default=20, help='visitors at once')
    parser.add_argument('--timeout', type=int, default=180, help='seconds any one wait may take')
    args = parser.parse_args()
    sys.exit(main(args.visits, args.sessions, args.timeout))
