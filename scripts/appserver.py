"""The app served by Voilà on a free local port, the headless Chromium that visits it, and the kernels it runs:
shared by the browser tests, the benchmark and the load test."""
import os, signal, socket, subprocess, sys, time, urllib.request
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
# without the background-networking flags Chromium keeps trying to reach the internet, which this machine refuses
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
# a static file: probing the page itself would start a kernel for each probe
READY_PROBE = 'voila/static/require.min.js'
VOILA_APP = (str(Path(sys.executable).parent/'voila'), 'nbs/07_app.ipynb')

def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def wait_until_up(url: str, process: subprocess.Popen, timeout: float):
    "Wait until `url` answers (`process` serves it); RuntimeError if `process` exits or `timeout` seconds pass first."
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5): return
        except OSError:
            if process.poll() is not None: raise RuntimeError(f'the server of {url} exited')
            if time.time() > deadline: raise RuntimeError(f'{url} did not answer within {timeout} s')
            time.sleep(0.5)

@contextmanager
def running_app(log=subprocess.DEVNULL, timeout=120, options=(), command=VOILA_APP, cwd=ROOT, env=None):
    """Run `command` (by default Voilà on `nbs/07_app.ipynb`, from the repository root so that `voila.json` applies)
    with `--port=P` for a free port P and the command-line `options`, in `cwd` with `env`; yield `(url, process)` once
    it serves the app. On exit the server and its kernels are stopped, killed if they hang."""
    port = free_port()
    server = subprocess.Popen([*command, f'--port={port}', *options], cwd=cwd, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}/'
    try:
        wait_until_up(url + READY_PROBE, server, timeout)
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

def kernels_of(server: subprocess.Popen, measure=lambda kernel: kernel) -> list:
    """`measure(kernel)` for each kernel the Voilà `server` runs, a `psutil.Process` whose command line names its
    kernel's id (by default the process itself); kernels that exit while we look are left out."""
    measured = []
    for process in psutil.Process(server.pid).children(recursive=True):
        try:
            if 'ipykernel' in ' '.join(process.cmdline()): measured.append(measure(process))
        except psutil.Error: pass   # it exited (or is a zombie) while we looked
    return measured

def kernel_memory_mb(server: subprocess.Popen) -> list[float]:
    "Resident memory, in MB, of each kernel the Voilà `server` runs."
    return kernels_of(server, lambda kernel: kernel.memory_info().rss / 2**20)

def kernel_command_lines(server: subprocess.Popen) -> list[str]:
    "The command line of each kernel the Voilà `server` runs: each names its kernel's id."
    return kernels_of(server, lambda kernel: ' '.join(kernel.cmdline()))
