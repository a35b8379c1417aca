"""End-to-end tests of the Voilà app in headless Chromium, used as the public would, on a phone (390×844, touch) and
on a desktop (1280×900): open the page, upload files, write on the pad, use the keyboard, read the answers.
A screenshot of the whole page at the end of each test goes to artifacts/<test name>.png; the screens a visitor sees
at moments that matter (an answer arriving, a number card opened) go to $APP_SHOTS (artifacts/ unless set)."""
import json, os, re, time, uuid
from pathlib import Path

import pytest
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from handwritten_digits.samples import draw_digit
from handwritten_digits.pad import PEN_SETTLE_S
from handwritten_digits.ui import MAX_CARDS_KEPT
from scripts.appserver import ROOT, running_app

SAMPLES = ROOT/'data'/'samples'
ARTIFACTS = ROOT/'artifacts'
SHOTS = Path(os.environ.get('APP_SHOTS', ARTIFACTS))
DEVICES = {'phone': dict(viewport={'width': 390, 'height': 844}, is_mobile=True, has_touch=True),
           'desktop': dict(viewport={'width': 1280, 'height': 900})}
ANSWER_S = 30   # longest wait for an answer; the machine running the tests may be busy

@pytest.fixture(scope='session')
def app():
    "The app served by Voilà for the whole session, and its log (artifacts/voila.log)."
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS/'voila.log'
    # a pool of a few kernels, not voila.json's class of 30: the tests are one visitor at a time, on a machine they share
    with open(log_path, 'w') as log, running_app(log, options=['--VoilaConfiguration.default_pool_size=4']) as (url, _):
        yield url, log_path

@pytest.fixture(params=list(DEVICES))
def context(request, browser):
    "A fresh browser profile emulating the device."
    context = browser.new_context(**DEVICES[request.param])
    context.device = request.param
    yield context
    context.close()

def open_app(context, url):
    page = context.new_page()
    page.goto(url)
    expect(page.locator('button.widget-upload')).to_be_visible(timeout=60_000)
    expect(page.locator('.hd-pad canvas[role="img"]')).to_be_visible()   # the page script has run
    return page

@pytest.fixture
def page(context, app, request):
    page = open_app(context, app[0])
    yield page
    snapshot(page, request.node.name)

def snapshot(page, name):
    "Save a screenshot of the whole page: Voilà scrolls it inside a panel, so the viewport is stretched to its height meanwhile."
    viewport = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(el => el.scrollHeight))")
    page.set_viewport_size({'width': viewport['width'], 'height': height})
    page.wait_for_timeout(300)   # let the panels lay out at the new height
    page.screenshot(path=str(ARTIFACTS/f'{name}.png'))
    page.set_viewport_size(viewport)

BUSY = re.compile(r'^\s*(Receiving|Reading|Still reading)')   # the status while the app refuses a second pick

def upload(page, *paths):
    """Upload files through the app's FileUpload button, as a visitor picking them in the file dialog, once the status
    line says the last files are read: an answer's card arrives a moment before the status line's summary."""
    expect(page.locator('.hd-live')).not_to_have_text(BUSY, timeout=ANSWER_S * 1000)
    with page.expect_file_chooser() as chooser:
        page.locator('button.widget-upload').click()
    chooser.value.set_files([str(p) for p in paths])

def card_digits(page):
    return page.locator('.hd-results .hd-card .hd-digit').all_inner_texts()

def draw(page, strokes, device):
    """Write `strokes` (lists of points as fractions of the pad) on the pad: with the mouse on a desktop, with a finger
    (real touch events) on a phone. Strokes follow each other without a pause, as a person writes."""
    canvas = page.locator('.hd-pad canvas')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    at = lambda fx, fy: (box['x'] + fx * box['width'], box['y'] + fy * box['height'])
    touch = page.context.new_cdp_session(page) if device == 'phone' else None
    for stroke in strokes:
        points = [at(x0 + (x1 - x0) * k / 12, y0 + (y1 - y0) * k / 12)
                  for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]) for k in range(13)]
        if touch:
            touch.send('Input.dispatchTouchEvent', {'type': 'touchStart', 'touchPoints': [dict(zip('xy', points[0]))]})
            for x, y in points[1:]: touch.send('Input.dispatchTouchEvent', {'type': 'touchMove', 'touchPoints': [{'x': x, 'y': y}]})
            touch.send('Input.dispatchTouchEvent', {'type': 'touchEnd', 'touchPoints': []})
        else:
            page.mouse.move(*points[0])
            page.mouse.down()
            for point in points[1:]: page.mouse.move(*point)
            page.mouse.up()

FOUR = [[(0.38, 0.12), (0.22, 0.62), (0.8, 0.62)], [(0.62, 0.3), (0.62, 0.92)]]   # an L, then the stem
ONE = [[(0.5, 0.12), (0.52, 0.9)]]

def ink_pixels(page) -> int:
    "Dark pixels on the pad's canvas."
    return page.evaluate('''() => { const c = document.querySelector('.hd-pad canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 100) n++; return n; }''')

def whole_number(folder, text='2026') -> Path:
    "A photo-like picture of `text` written in digits."
    sheet = Image.new('RGB', (1300, 420), (228, 224, 210))
    for k, character in enumerate(text): sheet.paste(draw_digit(int(character), 260, seed=k), (60 + 290 * k, 80))
    sheet.save(folder/'year.jpg', quality=88)
    return folder/'year.jpg'

def scribble(folder) -> Path:
    "A scribble that is no digit."
    image = Image.new('L', (300, 300), 255)
    ImageDraw.Draw(image).line([(40, 60), (260, 240), (50, 250), (250, 50), (150, 280), (140, 20), (30, 150)], fill=0, width=9)
    image.save(folder/'scribble.png')
    return folder/'scribble.png'

# --- 1. layout -------------------------------------------------------------------------------------------------------

LAYOUT_PROBLEMS = '''() => {
    const width = document.documentElement.clientWidth, problems = [];
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
                                                                     && getComputedStyle(el).visibility !== 'hidden'; };
    const name = el => (el.getAttribute('aria-label') || el.innerText || el.alt || el.tagName).slice(0, 40);
    for (const el of document.querySelectorAll('.hd-app *')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.left < -1 || r.right > width + 1) problems.push(`wider than the screen: ${name(el)} ${r.left}-${r.right}`);
        const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (text && size < 16 && !el.closest('.hd-upload')) problems.push(`${size}px text: ${name(el)}`);
    }
    for (const img of document.querySelectorAll('.hd-app img')) {
        if (!visible(img)) continue;   // inside a closed <details>
        const r = img.getBoundingClientRect();
        if (Math.min(r.width, r.height) < 60) problems.push(`picture ${r.width}x${r.height}: ${img.alt}`);
    }
    const parts = [...document.querySelectorAll('.hd-app button, .hd-app canvas, .hd-card, .hd-live, .hd-example-tile img')]
        .filter(visible);
    for (const [i, a] of parts.entries()) for (const b of parts.slice(i + 1)) {
        if (a.contains(b) || b.contains(a)) continue;
        const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
            problems.push(`overlap: ${name(a)} / ${name(b)}`);
    }
    return problems;
}'''

def box(page, selector):
    return page.locator(selector).bounding_box()

def pad_on_page(page):
    "Where the pad's canvas is laid out on the page, whatever the page's scroll: relative to the app's top left corner."
    return page.evaluate("""() => { const c = document.querySelector('.hd-pad canvas').getBoundingClientRect(),
                                          a = document.querySelector('.hd-app').getBoundingClientRect();
                                    return [c.left - a.left, c.top - a.top, c.width, c.height]; }""")

def test_layout_fits_the_screen_and_the_pad_stays_put(page, context, tmp_path):
    "Every card, button and picture fits the width, nothing overlaps, text ≥ 16 px, and arriving results never move the pad."
    pad_before = pad_on_page(page)
    fake = tmp_path/'a-rather-long-file-name-from-a-phone-camera-IMG_20261125_104512.png'
    fake.write_bytes(b'%PDF-1.7 not an image')
    upload(page, SAMPLES/'7-photo.jpg', whole_number(tmp_path), scribble(tmp_path), fake)
    expect(page.locator('.hd-results .hd-card')).to_have_count(4, timeout=ANSWER_S * 1000)
    expect(page.locator('.hd-results .hd-card', has_text='year.jpg').locator('.hd-number')).to_have_text('2026')
    assert pad_on_page(page) == pad_before, 'the pad moved on the page when results arrived'
    results, pad = box(page, '.hd-results'), box(page, '.hd-pad')
    if context.device == 'desktop': assert results['x'] >= pad['x'] + pad['width'], 'results should be beside the pad'
    else: assert results['y'] >= pad['y'] + pad['height'], 'results should come below the pad'
    draw(page, ONE, context.device)
    expect(page.locator('.hd-pad-answer .hd-digit')).to_have_text('1', timeout=ANSWER_S * 1000)
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    canvas = box(page, '.hd-pad canvas')   # the answer next to the pad covers none of it
    hits = [page.evaluate('([x, y]) => document.elementFromPoint(x, y).tagName', [canvas['x'] + canvas['width'] * fx,
            canvas['y'] + canvas['height'] * fy]) for fx in (0.05, 0.5, 0.95) for fy in (0.05, 0.5, 0.95)]
    assert hits == ['CANVAS'] * 9

# --- 2. results: order, bound, clear ---------------------------------------------------------------------------------

def test_results_newest_batch_first_bounded_and_cleared(page, context):
    "Newest batch on top in upload order; at most MAX_CARDS_KEPT cards, the rest dropped with a note; Clear results empties."
    upload(page, SAMPLES/'0-pen.png', SAMPLES/'1-pen.png')
    expect(page.locator('.hd-results .hd-card')).to_have_count(2, timeout=ANSWER_S * 1000)
    upload(page, SAMPLES/'2-pen.png', SAMPLES/'3-pen.png', SAMPLES/'4-pen.png')
    expect(page.locator('.hd-results .hd-card')).to_have_count(5, timeout=ANSWER_S * 1000)
    assert card_digits(page) == ['2', '3', '4', '0', '1']
    many = [SAMPLES/f'{d}-pen.png' for d in range(5, 10)] * 4
    upload(page, *many)
    expect(page.locator('.hd-note')).to_contain_text('5 older ones were removed', timeout=4 * ANSWER_S * 1000)
    assert card_digits(page) == [p.name[0] for p in many][:MAX_CARDS_KEPT]
    expect(page.locator('.hd-live')).to_contain_text('5-pen.png: 5')
    snapshot(page, f'results-bounded[{context.device}]')
    page.get_by_role('button', name='Clear results').click()
    expect(page.locator('.hd-results .hd-card')).to_have_count(0)
    expect(page.locator('.hd-note')).to_contain_text('Your results will appear here')
    expect(page.get_by_role('button', name='Clear results')).to_be_disabled()

# --- 3. drawing -------------------------------------------------------------------------------------------------------

RECORD_PAD_ANSWERS = '''() => { window.padAnswers = [];
    new MutationObserver(() => {
        const digit = document.querySelector('.hd-pad-answer .hd-digit'), text = digit ? digit.innerText : '';
        if (text !== (window.padAnswers.at(-1) ?? '')) window.padAnswers.push(text);
    }).observe(document.querySelector('.hd-pad-answer'), {childList: true, subtree: true, characterData: true}); }'''

def test_drawing_gets_one_answer_once_the_pen_rests(page, context):
    "A 4 in two strokes gets one answer, not one for its first stroke; a new stroke replaces it; Clear wipes both."
    page.evaluate(RECORD_PAD_ANSWERS)
    draw(page, FOUR, context.device)
    expect(page.locator('.hd-pad-answer .hd-digit')).to_have_text('4', timeout=ANSWER_S * 1000)
    assert ink_pixels(page) > 2000, 'the strokes should show on the pad'
    time.sleep(3 * PEN_SETTLE_S)   # long enough for a second answer, were one coming
    assert page.evaluate('window.padAnswers') == ['4']
    draw(page, [[(0.1, 0.1), (0.9, 0.1)]], context.device)   # a bar on top: the drawing changed
    # one new answer, whatever it is (the barred 4 may be read as another digit or declined as not a digit)
    page.wait_for_function('window.padAnswers.length === 2', timeout=ANSWER_S * 1000)
    expect(page.locator('.hd-pad-answer .hd-card')).to_have_count(1)
    snapshot(page, f'drawing-answered[{context.device}]')
    page.get_by_role('button', name='Clear the pad').click()
    expect(page.locator('.hd-pad-answer .hd-card')).to_have_count(0)
    expect(page.locator('.hd-pad-answer')).to_contain_text('The answer appears here')
    assert ink_pixels(page) == 0

# --- 4. keyboard and screen readers -----------------------------------------------------------------------------------

FOCUSED = '''() => { const el = document.activeElement;
    return el ? (el.getAttribute('aria-label') || el.innerText || el.tagName).trim() : ''; }'''

def test_keyboard_reaches_and_leaves_everything(page, context):
    "Tab reaches the upload, the pad, its Clear, every example and Clear results; focus leaves the pad both ways."
    upload(page, SAMPLES/'3-pen.png')
    expect(page.locator('.hd-results .hd-card')).to_have_count(1, timeout=ANSWER_S * 1000)
    page.locator('h1').first.click()
    order = []
    for _ in range(40):
        page.keyboard.press('Tab')
        order.append(page.evaluate(FOCUSED))
    pad = next(k for k, name in enumerate(order) if name.startswith('Drawing pad'))
    assert order[pad + 1] == 'Clear the pad', f'focus should leave the pad: {order}'
    for name in ['Upload images', 'Clear the pad', 'Clear results', *(f'Try the {d}' for d in range(10))]: assert name in order
    page.keyboard.press('Shift+Tab')
    while page.evaluate(FOCUSED) != 'Clear the pad': page.keyboard.press('Shift+Tab')
    page.keyboard.press('Shift+Tab')
    page.keyboard.press('Shift+Tab')
    assert not page.evaluate(FOCUSED).startswith('Drawing pad'), 'Shift+Tab should leave the pad too'
    page.get_by_role('button', name='Try the 7').focus()
    page.keyboard.press('Enter')
    expect(page.locator('.hd-results .hd-card .hd-digit').first).to_have_text('7', timeout=ANSWER_S * 1000)

LOW_CONTRAST = '''() => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
                                              .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                   if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
    const problems = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (!r.width || !r.height || style.visibility === 'hidden') continue;
        if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const [a, b] = [luminance(rgb(style.color)), luminance(background(el))].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05), size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) problems.push(`${ratio.toFixed(2)}:1 ${el.innerText.slice(0, 30)}`);
    }
    return problems;
}'''

def test_names_alt_text_live_region_and_contrast(page, context, tmp_path):
    "Labelled buttons and pad, alt text on every picture, answers announced, contrast ≥ 4.5:1 (3:1 large)."
    upload(page, SAMPLES/'7-photo.jpg', whole_number(tmp_path), scribble(tmp_path))
    expect(page.locator('.hd-results .hd-card')).to_have_count(3, timeout=ANSWER_S * 1000)
    for digit in range(10): expect(page.get_by_role('button', name=f'Try the {digit}', exact=True)).to_be_visible()
    button = page.get_by_role('button', name='Upload images', exact=True)
    expect(button).to_be_visible()
    assert button.get_attribute('title') not in (None, 'null')
    count_width = button.evaluate('b => { const r = document.createRange(); r.selectNodeContents(b); '
                                  'return [...b.childNodes].filter(n => n.nodeType === 3).map(n => '
                                  '{ r.selectNodeContents(n); return r.getBoundingClientRect().width; }); }')
    assert count_width == [0], 'the "(0)" ipywidgets writes on the button should not show'
    expect(page.get_by_role('img', name=re.compile('Drawing pad'))).to_be_visible()
    assert page.locator('.hd-app img:not([alt]), .hd-app img[alt=""]').count() == 0
    live = page.locator('[aria-live="polite"][role="status"]')
    expect(live).to_contain_text('7-photo.jpg: 7')
    expect(live).to_contain_text('year.jpg: 2026')
    expect(live).to_contain_text("scribble.png: this doesn't look like a digit")   # said plainly, not as an unsure digit
    assert page.evaluate(LOW_CONTRAST) == []

# --- 5. hostile canvas messages ---------------------------------------------------------------------------------------

def with_widget_content(frame: bytes, content) -> bytes:
    "A kernel websocket frame (protocol v1) like `frame`, a widget's custom message, with `content` instead."
    channel, parts = deserialize_msg_from_ws_v1(frame)   # header, parent header, metadata, content, buffers
    header, message = json.loads(parts[0]), json.loads(parts[3])
    header['msg_id'], message['data']['content'] = uuid.uuid4().hex, content
    return serialize_msg_to_ws_v1([json.dumps(header).encode(), *parts[1:3], json.dumps(message).encode(), *parts[4:]], channel)

MALFORMED = [{'event': 'mouse_down'}, {'event': 'mouse_move', 'x': 'evil', 'y': 1}, ['not', 'an', 'object'],
             {'event': 'mouse_down', 'x': 1e308 * 10, 'y': 5}, {'event': 'touch_start', 'touches': 'x'},
             {'event': 'touch_move', 'touches': [[1, 2]]}, {'event': {'nested': True}}, 'mouse_up', None]

def test_malformed_canvas_messages_are_logged_and_ignored(context, app):
    "Malformed pad events sent to the kernel: no traceback comes back, the server log says why, the pad still works."
    url, log_path = app
    seen = {'canvas': None, 'replies': []}
    def route(ws):
        server = ws.connect_to_server()
        def to_server(message):
            if isinstance(message, bytes) and re.search(rb'"event": ?"(mouse_down|touch_start)"', message): seen['canvas'] = message
            server.send(message)
        def to_page(message):
            seen['replies'].append(message)
            ws.send(message)
        ws.on_message(to_server)
        server.on_message(to_page)
        seen['server'] = server
    page = context.new_page()
    page.route_web_socket(re.compile(r'/channels'), route)
    page.goto(url)
    expect(page.locator('.hd-pad canvas[role="img"]')).to_be_visible(timeout=60_000)
    draw(page, [[(0.3, 0.3), (0.31, 0.32)]], context.device)
    expect(page.locator('.hd-pad-answer .hd-card')).to_have_count(1, timeout=ANSWER_S * 1000)
    page.get_by_role('button', name='Clear the pad').click()
    assert seen['canvas'], 'the pad should have sent its events through the websocket'
    seen['replies'].clear()
    for content in MALFORMED: seen['server'].send(with_widget_content(seen['canvas'], content))
    draw(page, ONE, context.device)
    expect(page.locator('.hd-pad-answer .hd-digit')).to_have_text('1', timeout=ANSWER_S * 1000)
    replies = b''.join(r if isinstance(r, bytes) else r.encode() for r in seen['replies'])
    assert b'Traceback' not in replies and b'"msg_type":"error"' not in replies and b'"name":"stderr"' not in replies
    expect(page.locator('body')).not_to_contain_text('Traceback')
    assert 'ignored a malformed canvas message' in log_path.read_text()
    snapshot(page, f'malformed-messages[{context.device}]')
    page.close()

def test_bad_file_then_good_file(page, tmp_path):
    "A file that is no image gets its own card; the next upload works."
    fake = tmp_path/'scan.png'
    fake.write_bytes(b'%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n')
    upload(page, fake)
    expect(page.locator('.hd-error')).to_contain_text('not an image', timeout=ANSWER_S * 1000)
    upload(page, SAMPLES/'3-pen.png')
    expect(page.locator('.hd-results .hd-card .hd-digit').first).to_have_text('3', timeout=ANSWER_S * 1000)
    expect(page.locator('.hd-results .hd-card')).to_have_count(2)
    expect(page.locator('body')).not_to_contain_text('Traceback')

# --- 6. the answer in view, feedback at once, one verdict per card, numbers a visitor can check -----------------------

IN_VIEW = '''el => { const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }'''

def expect_in_view(page, selector, what):
    "Wait (scrolling is the page's job, not the test's) until the element `selector` is wholly on the screen."
    try: page.wait_for_function(f'() => {{ const el = document.querySelector({json.dumps(selector)}); return el && ({IN_VIEW})(el); }}',
                                timeout=5000)
    except Exception: raise AssertionError(f'{what} is not on the screen: {box(page, selector)} in {page.viewport_size}')

def shot(page, name):
    "What the visitor sees now (the screen, not the whole page)."
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS/f'{name}.png'))

def number_on_a_page(folder, text='2026') -> Path:
    "A photo of a sheet of paper with `text` written in its top left corner, the rest of the sheet blank."
    sheet = Image.new('RGB', (2400, 1800), (228, 224, 210))
    sheet.paste(Image.open(whole_number(folder, text)), (80, 60))
    sheet.save(folder/'sheet.jpg', quality=88)
    return folder/'sheet.jpg'

def test_the_newest_answer_comes_into_view(page, context, tmp_path):
    "Controls before explanations; after an upload, an example or a drawing the newest answer is on the screen, large."
    for selector, what in [('button.widget-upload', 'the upload button'), ('.hd-pad canvas', 'the pad')]:
        assert page.locator(selector).evaluate(IN_VIEW), f'{what} should be on the first screen'
    assert box(page, '.hd-about')['y'] > box(page, '.hd-pad canvas')['y'], 'the explanations should follow the controls'
    upload(page, SAMPLES/'0-pen.png', SAMPLES/'1-pen.png')
    expect(page.locator('.hd-results .hd-card')).to_have_count(2, timeout=ANSWER_S * 1000)
    expect_in_view(page, '.hd-results .hd-card .hd-digit', 'the newest answer')
    expect_in_view(page, '.hd-results .hd-card .hd-name', "the newest card's top")
    shot(page, f'answer-in-view[{context.device}]')
    page.get_by_role('button', name='Try the 7').click()   # on a phone the examples are far below the first card
    expect(page.locator('.hd-results .hd-card .hd-digit').first).to_have_text('7', timeout=ANSWER_S * 1000)
    expect_in_view(page, '.hd-results .hd-card .hd-digit', 'the answer for the example')
    upload(page, whole_number(tmp_path))
    expect(page.locator('.hd-results .hd-card .hd-number').first).to_have_text('2026', timeout=ANSWER_S * 1000)
    expect_in_view(page, '.hd-results .hd-card .hd-number', 'the number read')
    shot(page, f'number-in-view[{context.device}]')
    draw(page, ONE, context.device)
    expect(page.locator('.hd-pad-answer .hd-digit')).to_have_text('1', timeout=ANSWER_S * 1000)
    expect_in_view(page, '.hd-pad-answer .hd-digit', "the drawing's answer")
    shot(page, f'drawing-in-view[{context.device}]')

RECORD_STATUS = '''() => { window.statuses = [];
    const live = document.querySelector('.hd-live');
    new MutationObserver(() => { const text = live.innerText.trim();
        if (text && text !== window.statuses.at(-1)) window.statuses.push(text); })
        .observe(live, {childList: true, subtree: true, characterData: true}); }'''

def test_uploads_are_acknowledged_at_once_and_a_second_click_is_harmless(context, app, tmp_path):
    """While the files travel (held back here, as a slow uplink would) the page says it is receiving them; then it
    counts them as it reads them. A click on the button meanwhile opens nothing and says to wait; no card is lost."""
    link = {'held': [], 'holding': True}
    def route(ws):
        server = ws.connect_to_server()
        def to_server(message):
            if link['holding'] and isinstance(message, bytes) and b'buffer_paths' in message and b'last_modified' in message:
                link['held'].append(message)
            else: server.send(message)
        ws.on_message(to_server)
        def to_page(message): ws.send(message)
        server.on_message(to_page)
        link['server'] = server
    page = context.new_page()
    page.route_web_socket(re.compile(r'/channels'), route)
    page.goto(app[0])
    expect(page.locator('.hd-pad canvas[role="img"]')).to_be_visible(timeout=60_000)
    page.evaluate(RECORD_STATUS)
    live = page.locator('.hd-live')
    upload(page, SAMPLES/'0-photo.jpg', whole_number(tmp_path))
    expect(live).to_contain_text('Receiving your 2 photos')
    shot(page, f'receiving[{context.device}]')
    choosers = []
    def chosen(chooser): choosers.append(chooser)
    page.on('filechooser', chosen)
    page.locator('button.widget-upload').click()   # a second click while the first files are on their way
    expect(live).to_contain_text('Still reading your photos')
    page.wait_for_timeout(500)
    assert (choosers, len(link['held'])) == ([], 1), 'the second click should open no file dialog'
    page.remove_listener('filechooser', chosen)
    link['holding'] = False
    link['server'].send(link['held'][0])
    expect(page.locator('.hd-results .hd-card')).to_have_count(2, timeout=2 * ANSWER_S * 1000)
    expect(live).to_contain_text('year.jpg: 2026', timeout=ANSWER_S * 1000)
    statuses = page.evaluate('window.statuses')
    assert statuses[0].startswith('Receiving your 2 photos'), statuses
    assert [s for s in statuses if s.startswith('Reading')] == ['Reading 1 of 2: 0-photo.jpg…', 'Reading 2 of 2: year.jpg…'], statuses
    expect(page.locator('.hd-progress')).to_have_text('')
    upload(page, SAMPLES/'3-pen.png')   # once they are read, the button works again
    expect(page.locator('.hd-results .hd-card')).to_have_count(3, timeout=ANSWER_S * 1000)
    assert page.locator('.hd-results .hd-card .hd-name').all_inner_texts() == ['3-pen.png', '0-photo.jpg', 'year.jpg']
    expect(page.locator('body')).not_to_contain_text('Traceback')
    page.close()

CROSS = [[(0.15, 0.15), (0.85, 0.85)], [(0.85, 0.15), (0.15, 0.85)]]

def test_one_verdict_per_card(page, context, tmp_path):
    """A declined card names no digit (no large digit, no highlighted bar) and gives the probability it is no digit;
    advice fits a photo or a drawing; a card shows three bars, the others on demand."""
    upload(page, scribble(tmp_path), SAMPLES/'7-photo.jpg')
    expect(page.locator('.hd-results .hd-card')).to_have_count(2, timeout=ANSWER_S * 1000)
    declined, seven = page.locator('.hd-results .hd-card').nth(0), page.locator('.hd-results .hd-card').nth(1)
    expect(declined.locator('.hd-digit')).to_have_text('?')
    assert declined.locator('.hd-best').count() == 0, 'a declined card should highlight no digit'
    expect(declined).to_contain_text(re.compile(r"doesn't look like a digit\.\s*\d+% likely not a digit"))
    expect(declined).to_contain_text('sharper picture')
    expect(declined.locator('.hd-bar').first).not_to_be_visible()   # which digit it is closest to: on demand
    expect(seven.locator('.hd-digit')).to_have_text('7')
    bars = seven.locator('.hd-bar')
    assert [bars.nth(k).is_visible() for k in range(10)] == [True] * 3 + [False] * 7
    expect(seven.locator('.hd-best .hd-bar-label')).to_have_text('7')
    seven.get_by_text('The other 7 digits').click()
    expect(bars.nth(9)).to_be_visible()
    draw(page, CROSS, context.device)
    expect(page.locator('.hd-pad-answer .hd-card')).to_have_count(1, timeout=ANSWER_S * 1000)
    answer = page.locator('.hd-pad-answer .hd-card')
    expect(answer).to_contain_text("doesn't look like a digit")
    expect(answer).to_contain_text('larger and bolder')
    expect(answer).not_to_contain_text('picture')
    shot(page, f'verdicts[{context.device}]')

def test_a_number_card_can_be_checked_and_copied(page, context, tmp_path, app):
    "A crop of the number with its digits boxed, each digit's view and probability on demand, and a working copy button."
    errors = []
    page.on('pageerror', lambda error: errors.append(error))
    context.grant_permissions(['clipboard-read', 'clipboard-write'], origin=app[0].rstrip('/'))
    upload(page, number_on_a_page(tmp_path))
    card = page.locator('.hd-results .hd-card').first
    expect(card.locator('.hd-number')).to_have_text('2026', timeout=ANSWER_S * 1000)
    width, height = card.locator('img.hd-crop').evaluate('img => [img.naturalWidth, img.naturalHeight]')
    assert width / height > 2.5, f'the crop should hold the number, not the whole 4:3 sheet: {width}×{height}'
    digits = card.locator('.hd-digits img')
    expect(digits).to_have_count(4)
    expect(digits.first).not_to_be_visible()
    card.get_by_text('Each digit, as the model saw it').click()
    for k in range(4): expect(digits.nth(k)).to_be_visible()
    assert all(re.fullmatch(r'[0-9]\?? \d+%', c) for c in card.locator('.hd-digits figcaption').all_inner_texts())
    assert [c[0] for c in card.locator('.hd-digits figcaption').all_inner_texts()] == list('2026')
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    card.locator('.hd-copy').scroll_into_view_if_needed()
    shot(page, f'number-checked[{context.device}]')
    card.get_by_role('button', name='Copy the number').click()
    expect(card.locator('.hd-copy')).to_have_text('Copied')
    assert page.evaluate('navigator.clipboard.readText()') == '2026'
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})")   # plain http
    page.wait_for_timeout(3100)   # the label comes back
    card.get_by_role('button', name='Copy the number').click()
    expect(card.locator('.hd-copy')).to_have_text(re.compile('Copied|Selected'))
    assert errors == []
