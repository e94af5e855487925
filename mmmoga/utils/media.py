"""Which files are pictures, by their names' suffixes (lower case)."""

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
# What OpenCV's bundled FFmpeg commonly reads; a file of another suffix is
# still tried as a video where it is not an image.
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg',
                  '.mpeg', '.wmv', '.flv', '.gif')
