"""tools/app.py, the web page, in a real browser (tests/browser.py):
headless Chromium uploads a toy image and reads back the drawing and the
table; a file that is not a picture gets a message, and the page stays up
for the next picture."""
import os.path as osp

import pytest

from browser import ServedPage, chromium, run_on_page

CLS_CONFIG = 'configs/cls/toy/moganet_xt_toy.py'

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def page(trained_toy):
    work_dir, _ = trained_toy('cls')
    served = ServedPage(['--config', CLS_CONFIG, '--checkpoint',
                         osp.join(work_dir, 'epoch_1.pth')])
    driver = chromium()
    yield served, driver
    driver.quit()
    served.stop()


def test_the_page_draws_an_image_and_lists_what_it_found(page, toy_data):
    from selenium.webdriver.common.by import By
    served, driver = page
    image = osp.join(toy_data('cls'), 'val', 'circle', 'circle_000000.jpg')
    assert osp.isfile(image)
    message = run_on_page(driver, served.url, image)
    assert message == 'circle_000000.jpg: 3 found.', message
    drawn = driver.find_element(By.CSS_SELECTOR, '#drawn img')
    assert drawn.get_attribute('src')
    # The browser decoded a drawing: the image beside the class list is
    # wider than it is tall.
    width = driver.execute_script('return arguments[0].naturalWidth', drawn)
    height = driver.execute_script('return arguments[0].naturalHeight',
                                   drawn)
    assert width > height > 0
    table = driver.find_element(By.ID, 'found').text
    assert 'label' in table and 'score' in table
    assert all(name in table for name in ('circle', 'square', 'triangle'))


def test_a_file_that_is_not_a_picture_gets_a_message(page, tmp_path,
                                                     toy_data):
    served, driver = page
    text = tmp_path / 'notes.txt'
    text.write_text('not a picture')
    message = run_on_page(driver, served.url, str(text))
    assert message == ('notes.txt: not an image or a video that this '
                       'machine decodes'), message
    # The page still answers.
    image = osp.join(toy_data('cls'), 'val', 'square', 'square_000001.jpg')
    assert run_on_page(driver, served.url, image).endswith('3 found.')


def test_a_short_video_comes_back_playable(page, tmp_path, toy_data):
    """Four frames in; the page answers with a WebM that the browser
    decodes (browsers play VP8, not the MPEG-4 part 2 tools/infer.py
    writes): four frames at 8 per second last half a second."""
    import glob

    import cv2
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    served, driver = page
    video = str(tmp_path / 'shapes.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 8,
                             (64, 64))
    for frame in sorted(glob.glob(
            osp.join(toy_data('cls'), 'val', '*', '*.jpg')))[:4]:
        writer.write(cv2.resize(cv2.imread(frame), (64, 64)))
    writer.release()
    message = run_on_page(driver, served.url, video)
    assert message.startswith('shapes.avi: 4 frames drawn at '), message
    player = driver.find_element(By.CSS_SELECTOR, '#drawn-video video')
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        'return arguments[0].readyState', player) >= 1)
    duration = driver.execute_script('return arguments[0].duration', player)
    assert abs(duration - 0.5) < 0.05, duration
