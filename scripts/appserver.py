"""The app served by Voilà on a free local port, and the headless Chromium that visits it: shared by the browser
tests, the benchmark and the load test."""
import os, signal, socket, subprocess, sys, time, urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
# without the background-networking flags Chromium keeps trying to reach the internet, which this machine refuses
# a static file: probing the page itself would start a kernel for each probe
READY_PROBE = 'voila/static/require.min.js'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']

@contextmanager
def running_app(log=subprocess.DEVNULL, timeout=120, options=()):
    """Serve `nbs/07_app.ipynb` from the repository root (so `voila.json` applies), with Voilà's command-line `options`,
    on a free port; yield `(url, process)`. On exit the server and its kernels are stopped, killed if they hang."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent/'voila'), 'nbs/07_app.ipynb', f'--port={port}', *options],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}/'
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(url + READY_PROBE, timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline: raise RuntimeError(f'Voilà did not start at {url}')
                time.sleep(0.5)
        yield url, server
    finally:
        server.terminate()
        try: server.wait(30)
        except subprocess.TimeoutExpired: pass
        # a server that hung (or died) leaves its kernels behind: they share its process group
        try: os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError: pass
        server.wait()

def launch_chromium(playwright):
    "Debian's Chromium, headless, driven by Playwright."
    if not Path(CHROMIUM).exists(): raise RuntimeError(f'Chromium not found at {CHROMIUM}: `make test` installs it')
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

def kernel_memory_mb(server: subprocess.Popen) -> list[float]:
    "Resident memory, in MB, of each kernel the Voilà `server` runs (kernels that are exiting do not count)."
    import psutil
    sizes = []
    for process in psutil.Process(server.pid).children(recursive=True):
        try:
            if 'ipykernel' in ' '.join(process.cmdline()): sizes.append(process.memory_info().rss / 2**20)
        except psutil.Error: pass   # it exited (or is a zombie) while we looked
    return sizes
