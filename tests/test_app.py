"""End-to-end tests of the Voilà app in headless Chromium, used as a visitor would: open the page, upload files, read the answer."""
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright, expect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'scripts'))
from appserver import running_app, launch_chromium

SAMPLES = ROOT/'data'/'samples'
ARTIFACTS = ROOT/'artifacts'

@pytest.fixture(scope='session')
def app_url():
    "The app served by Voilà for the whole session; its log goes to artifacts/voila.log."
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS/'voila.log', 'w') as log, running_app(log) as (url, _):
        yield url

@pytest.fixture(scope='session')
def browser():
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()

@pytest.fixture
def page(browser, app_url, request):
    page = browser.new_page(viewport={'width': 1100, 'height': 900})
    page.goto(app_url)
    expect(page.locator('button.widget-upload')).to_be_visible(timeout=60_000)
    yield page
    page.screenshot(path=str(ARTIFACTS/f'{request.node.name}.png'), full_page=True)
    page.close()

def upload(page, *paths):
    "Upload files through the app's FileUpload button, as a visitor picking them in the file dialog."
    with page.expect_file_chooser() as chooser:
        page.click('button.widget-upload')
    chooser.value.set_files([str(p) for p in paths])

def test_upload_one_image(page):
    upload(page, SAMPLES/'7-photo.jpg')
    expect(page.locator('.hd-card .hd-digit')).to_have_text('7', timeout=30_000)
    expect(page.locator('.hd-card')).to_contain_text('sure')

def test_bad_file_then_good_file(page, tmp_path):
    fake = tmp_path/'scan.png'
    fake.write_bytes(b'%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n')
    upload(page, fake)
    expect(page.locator('.hd-error')).to_contain_text('not an image', timeout=30_000)
    upload(page, SAMPLES/'3-pen.png')
    expect(page.locator('.hd-card .hd-digit').first).to_have_text('3', timeout=30_000)
    expect(page.locator('.hd-card')).to_have_count(2)
    expect(page.locator('body')).not_to_contain_text('Traceback')

def test_upload_several_images_at_once(page):
    upload(page, SAMPLES/'0-photo.jpg', SAMPLES/'5-pen.png', SAMPLES/'8-photo.jpg')
    expect(page.locator('.hd-card .hd-digit')).to_have_count(3, timeout=30_000)
    assert sorted(page.locator('.hd-card .hd-digit').all_inner_texts()) == ['0', '5', '8']

def test_whole_number_photo(page, tmp_path):
    from PIL import Image
    from handwritten_digits.predict import draw_digit
    sheet = Image.new('RGB', (1300, 420), (228, 224, 210))
    for k, character in enumerate('2026'):
        sheet.paste(draw_digit(int(character), 260, seed=k), (60 + 290 * k, 80))
    sheet.save(tmp_path/'year.jpg', quality=88)
    upload(page, tmp_path/'year.jpg')
    expect(page.locator('.hd-card .hd-number')).to_have_text('2026', timeout=30_000)

def test_example_image(page):
    page.locator('button.hd-example[title="3-pen.png"]').click()
    expect(page.locator('.hd-card .hd-digit')).to_have_text('3', timeout=30_000)

def test_drawing_a_digit_with_the_mouse(page):
    canvas = page.locator('.hd-pad canvas').last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, top = box['x'] + box['width'] * 0.5, box['y'] + box['height'] * 0.15
    page.mouse.move(x, top)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x + k * 0.5, top + k * box['height'] * 0.035)
    page.mouse.up()
    expect(page.locator('.hd-pad-result .hd-digit')).to_have_text('1', timeout=30_000)
    inked = page.evaluate('''() => { const c = [...document.querySelectorAll('.hd-pad canvas')];
        return Math.max(...c.map(e => { const d = e.getContext('2d').getImageData(0, 0, e.width, e.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 100) n++; return n; })); }''')
    assert inked > 500, 'the stroke should show on the pad'
