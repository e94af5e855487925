"""The web page of tools/app.py, served and driven in a real browser:
headless Chromium (Debian's ``chromium``) through its ``chromedriver``, by
Selenium. Used by tests/test_app.py."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from typing import List

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMEDRIVER = shutil.which('chromedriver') or '/usr/bin/chromedriver'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ServedPage:
    """``tools/app.py ARGS`` running on a free port until :meth:`stop`."""

    def __init__(self, args: List[str], timeout: float = 240):
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}/'
        self.process = subprocess.Popen(
            [sys.executable, 'tools/app.py', *args, '--port',
             str(self.port)], cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('tools/app.py ended: ' +
                                   self.process.stdout.read()[-3000:])
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f'tools/app.py did not serve {self.url}')

    def stop(self) -> str:
        """Stops the server; returns what it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.stdout.read()


def chromium(width: int = 1400, height: int = 1000):
    """A headless Chromium driven by Selenium, with the system's driver
    (Selenium's manager would try to download one)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ('--headless=new', '--no-sandbox',
                     '--disable-dev-shm-usage', '--disable-gpu',
                     f'--window-size={width},{height}'):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def run_on_page(driver, url: str, upload: str, timeout: float = 120) -> str:
    """Opens the page, uploads ``upload``, presses Run and returns the
    message once the page has answered."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    wait = WebDriverWait(driver, timeout)
    # A fresh page: once the upload holds a file, it shows no file input.
    driver.get(url)
    message = wait.until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, '#message textarea')))
    before = message.get_attribute('value')
    wait.until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, '#upload input[type=file]'))).send_keys(upload)
    # The file is on the server once its name shows in the component
    # (which breaks the line before the suffix).
    stem = os.path.splitext(os.path.basename(upload))[0]
    wait.until(lambda d: stem in d.find_element(By.ID, 'upload').text)
    driver.find_element(By.ID, 'run').click()
    wait.until(lambda d: d.find_element(
        By.CSS_SELECTOR, '#message textarea').get_attribute('value') not in
        ('', before))
    return driver.find_element(By.CSS_SELECTOR,
                               '#message textarea').get_attribute('value')
