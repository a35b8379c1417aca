"""Fixtures shared by the browser tests: Playwright's sync API allows one running instance per process, so every
test module drives the same headless Chromium."""
import pytest
from playwright.sync_api import sync_playwright

from scripts.appserver import launch_chromium

@pytest.fixture(scope='session')
def browser():
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()
