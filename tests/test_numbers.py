"Hostile and odd inputs to read_number: punctuation alone, thin strokes, specks, a page of text — an answer or the package's error, never a crash."
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from handwritten_digits.normalize import DigitImageError
from handwritten_digits.numbers import MAX_PIECES, read_number
from handwritten_digits.predict import DigitRecognizer

@pytest.fixture(scope='module')
def recognizer(): return DigitRecognizer()

def drawn(lines: list, size=(600, 200), width=6) -> Image.Image:
    "A white image with black pen lines, each a list of (x, y) points."
    image = Image.new('L', size, 255)
    for points in lines: ImageDraw.Draw(image).line(points, fill=0, width=width)
    return image

ODD = {
    'hyphen alone': [[(250, 100), (330, 100)]],
    'thin level stroke': [[(50, 100), (550, 101)]],
    'dots': [[(100 + 60 * k, 100), (102 + 60 * k, 100)] for k in range(5)],
    'slash alone': [[(260, 170), (340, 30)]],
    'one-pixel line': [[(10, 10), (590, 190)]],
}

@pytest.mark.parametrize('name', ODD)
def test_marks_alone_never_crash(recognizer, name):
    try: reading = read_number(drawn(ODD[name]), recognizer)
    except DigitImageError: return
    assert len(reading.digits) == len(reading.boxes) == len(reading.text.replace('\n', ''))

def test_hyphen_between_strokes_is_not_a_digit(recognizer):
    ones = [[(100, 40), (100, 160)], [(160, 40), (160, 160)], [(330, 40), (330, 160)], [(390, 40), (390, 160)]]
    reading = read_number(drawn(ones + [[(220, 100), (270, 100)]], width=10), recognizer)
    assert '\n' not in reading.text and len(reading.text) == 4

def test_page_of_text_is_refused(recognizer):
    page = Image.new('L', (2000, 2600), 250)
    pen, font = ImageDraw.Draw(page), ImageFont.load_default(size=36)
    for row in range(40): pen.text((80, 80 + 60 * row), 'Numbers like 1984 and 2001 sit in this sentence.', fill=20, font=font)
    data = io.BytesIO(); page.save(data, 'JPEG')
    with pytest.raises(DigitImageError, match='not a number'): read_number(data.getvalue(), recognizer)

def test_many_separate_marks_are_refused_before_framing(recognizer):
    speckled = np.full((400, 800), 255, np.uint8)
    speckled[20:380:12, 20:780:12] = 0
    speckled[21:381:12, 20:780:12] = 0
    with pytest.raises(DigitImageError, match=f'at most {MAX_PIECES}'): read_number(speckled, recognizer)
