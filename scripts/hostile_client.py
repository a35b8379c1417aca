"""A hostile visitor of the app, for the server's regression tests (`tests/test_server.py`): it opens the page, then
talks to the page's kernel over the websocket the way no browser would (and, for the load test and the proxy's test,
the way one does). Targets 127.0.0.1 only, bounded in time."""
import json, re, time, urllib.request, uuid
from datetime import datetime, timezone

import websocket
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1

from handwritten_digits.serve import V1_PROTOCOL

# a handshake through a proxy to a busy server can take seconds
HANDSHAKE_S = 10

def kernel_id_in(html: str) -> str:
    "The id of the kernel Voilà started for the app's page `html`."
    return re.search(r'"kernelId": "([0-9a-f-]+)"', html)[1]

def open_page(url: str, timeout: float = 60) -> str:
    "Load the app's page as a browser would (which starts its kernel); return the kernel's id."
    return kernel_id_in(urllib.request.urlopen(url, timeout=timeout).read().decode())

def message(msg_type: str, content: dict, session: str) -> dict:
    "A Jupyter message with a fresh header."
    header = {'msg_id': uuid.uuid4().hex, 'msg_type': msg_type, 'session': session, 'username': 'visitor',
              'date': datetime.now(timezone.utc).isoformat(), 'version': '5.3'}
    return {'header': header, 'parent_header': {}, 'metadata': {}, 'content': content, 'buffers': []}

def v1_frame(msg: dict, channel: str) -> bytes:
    "`msg` in the v1 websocket protocol (8-byte offsets, then the channel and the four JSON parts), by jupyter_server's encoder."
    return serialize_msg_to_ws_v1(msg, channel, lambda part: json.dumps(part).encode())

def connect(url: str, kernel_id: str, protocols=None, cookie: str | None = None) -> websocket.WebSocket:
    """The kernel's websocket, negotiating `protocols` (none: the legacy protocol no browser uses any more), sending
    `cookie` (`name=value`) as a browser sends the cookies it holds."""
    ws_url = url.replace('http://', 'ws://') + f'api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}'
    return websocket.create_connection(ws_url, timeout=HANDSHAKE_S, subprotocols=protocols, cookie=cookie)

def legacy_widget_state_flood(url: str, kernel_id: str, seconds: float) -> dict:
    """Issue 9's attack for `seconds`: connect to the page's kernel without the v1 subprotocol and keep asking every
    widget for its state (image widgets answer with binary buffers). Returns how many handshakes were refused and how
    many requests were sent."""
    tally, deadline = {'refused': 0, 'requests': 0}, time.time() + seconds
    while time.time() < deadline:
        try: ws = connect(url, kernel_id)
        except websocket.WebSocketBadStatusException as e:
            assert e.status_code == 400, f'the handshake failed for another reason: {e}'
            tally['refused'] += 1
            time.sleep(0.1)
            continue
        try: tally['requests'] += _flood(ws, deadline)
        except (websocket.WebSocketException, OSError): pass
        finally: ws.close()
    return tally

def _flood(ws: websocket.WebSocket, deadline: float) -> int:
    "Ask the widgets behind `ws` (legacy protocol) for their state until `deadline`; the number of requests sent."
    session, sent, comms = uuid.uuid4().hex, 0, {}
    ws.send(json.dumps({**message('comm_info_request', {'target_name': 'jupyter.widget'}, session), 'channel': 'shell'}))
    while time.time() < deadline and not comms:
        frame = ws.recv()
        if isinstance(frame, str) and '"comm_info_reply"' in frame: comms = json.loads(frame)['content']['comms']
    while time.time() < deadline:
        for comm_id in comms:
            request = message('comm_msg', {'comm_id': comm_id, 'data': {'method': 'request_state'}}, session)
            ws.send(json.dumps({**request, 'channel': 'shell'}))
            sent += 1
        time.sleep(0.2)
    return sent

def read_v1(frame: bytes) -> tuple[str, dict, dict]:
    "The channel, header and content of a v1 frame from the server."
    channel, parts = deserialize_msg_from_ws_v1(frame)
    return channel, json.loads(parts[0]), json.loads(parts[3])

class V1Client:
    """A client that speaks the kernel's v1 websocket protocol as browsers do, to send what browsers would not;
    `cookie` as `connect` sends it."""
    def __init__(self, url: str, kernel_id: str, cookie: str | None = None):
        self.ws, self.session = connect(url, kernel_id, [V1_PROTOCOL], cookie), uuid.uuid4().hex

    def __enter__(self): return self
    def __exit__(self, *exc): self.ws.close()

    def send(self, msg_type: str, content: dict, channel: str = 'shell'):
        self.ws.send_binary(v1_frame(message(msg_type, content, self.session), channel))

    def replies(self, seconds: float, until: str | None = None) -> list[tuple[str, dict, dict]]:
        "Every message the server sends for `seconds`, or until one of type `until` arrives."
        received, deadline = [], time.time() + seconds
        while (left := deadline - time.time()) > 0:
            self.ws.settimeout(left)
            try: frame = self.ws.recv()
            except websocket.WebSocketTimeoutException: break
            received.append(read_v1(frame))
            if received[-1][1]['msg_type'] == until: break
        return received

    def widget_comms(self) -> list[str]:
        "The ids of the page's widgets."
        self.send('comm_info_request', {'target_name': 'jupyter.widget'})
        return next(list(content['comms']) for _, header, content in self.replies(10, until='comm_info_reply')
                    if header['msg_type'] == 'comm_info_reply')
