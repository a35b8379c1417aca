"""Several app servers behind Debian's nginx with `deploy/nginx.conf` (issue "the app as a visitor meets it", item 7):
each visitor's page and its kernel's websocket reach the same app server, and visitors spread over the servers.
Two Voilà servers on free 127.0.0.1 ports, nginx from the template as an ordinary process; everything bounded in time."""
import shutil, subprocess, urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from scripts.appserver import READY_PROBE, ROOT, free_port, kernel_command_lines, running_app, wait_until_up
from scripts.hostile_client import V1Client, kernel_id_in

# Debian puts nginx in /usr/sbin, which is not on a normal user's PATH
NGINX = shutil.which('nginx') or shutil.which('nginx', path='/usr/sbin:/usr/local/sbin')
pytestmark = pytest.mark.skipif(NGINX is None, reason='nginx is not installed (`make test` installs Debian\'s nginx)')

VISITORS, MAX_VISITORS = 6, 12
# no preheated pool: each server starts a kernel per visitor only, which the test counts
SERVER = ['--VoilaConfiguration.default_pool_size=0', f'--AppKernelManager.max_kernels={MAX_VISITORS}']

def start_nginx(prefix: Path, port: int, backends: list[str]) -> subprocess.Popen:
    "nginx from the template, listening on 127.0.0.1:`port`, in front of `backends` (http://127.0.0.1:P/ URLs)."
    servers = ' '.join(f'server {url.split("//")[1].rstrip("/")};' for url in backends)
    conf = (ROOT/'deploy'/'nginx.conf').read_text().replace('@LISTEN@', f'127.0.0.1:{port}').replace('@SERVERS@', servers)
    (prefix/'temp').mkdir(parents=True)
    (prefix/'nginx.conf').write_text(conf)
    return subprocess.Popen([NGINX, '-p', str(prefix), '-c', str(prefix/'nginx.conf'), '-e', str(prefix/'error.log')],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

def visit(url: str, cookie: str | None = None) -> tuple[str, str]:
    "Load the page through the proxy, as a browser would; the kernel's id and the routing cookie the browser now holds."
    request = urllib.request.Request(url, headers={'Cookie': cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
        # the app server sets cookies of its own (Jupyter's user cookie): keep the proxy's
        routes = [c.split(';', 1)[0] for c in response.headers.get_all('Set-Cookie') or [] if c.startswith('hd_route=')]
    if cookie: assert not routes, 'the proxy replaced a routing cookie the browser already had'
    return kernel_id_in(html), cookie or routes[0]

def test_visitors_stick_to_one_server_and_spread(tmp_path):
    with ExitStack() as stack:
        servers = [stack.enter_context(running_app(timeout=40, options=SERVER)) for _ in range(2)]
        port = free_port()
        nginx = start_nginx(tmp_path/'nginx', port, [url for url, _ in servers])
        stack.callback(lambda: (nginx.terminate(), nginx.wait(10)))
        proxy = f'http://127.0.0.1:{port}/'
        wait_until_up(proxy + READY_PROBE, nginx, timeout=10)

        # a first visit without the cookie: the proxy sets one, and the browser's websocket follows it
        kernel, cookie = visit(proxy)
        assert cookie.startswith('hd_route=') and len(cookie) > len('hd_route=')
        visitors = [(kernel, cookie)]
        # further visitors bring distinct cookies of their own. Consistent hashing places the servers by their
        # (random, free) ports, so which cookie goes where varies between runs: a few more visitors arrive while
        # one server has them all (all of 6 on one server by chance: about 3 %; of 12: 0.05 %)
        owner = lambda kernel: [i for i, (_, process) in enumerate(servers) if kernel in ' '.join(kernel_command_lines(process))]
        owners = [owner(kernel)]
        while len(visitors) < VISITORS or (len({o[0] for o in owners if o}) < 2 and len(visitors) < MAX_VISITORS):
            visitors.append(visit(proxy, f'hd_route=visitor-{len(visitors)}'))
            owners.append(owner(visitors[-1][0]))

        answered = 0
        for kernel, cookie in visitors:
            # the websocket reaches the server that started the kernel (another would answer 404), and the kernel answers
            with V1Client(proxy, kernel, cookie) as client:
                assert client.widget_comms(), f'the kernel of {cookie} did not answer'
                answered += 1
        print(f'{answered} visitors answered; kernels per server:', [sum(o == [i] for o in owners) for i in range(2)])
        assert answered == len(visitors) >= VISITORS
        assert all(len(o) == 1 for o in owners), owners
        assert {o[0] for o in owners} == {0, 1}, 'every visitor was sent to the same server'
