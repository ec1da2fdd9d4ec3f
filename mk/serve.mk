# The browser test of the web page (tests/serve/test_page.py) drives Debian's chromium through
# chromium-driver (Selenium from PyPI). Installed only when missing, so this is idempotent
# without a stamp: the binaries themselves say whether it is done. Without root or sudo it
# only warns, and the browser test skips with its reason.
.PHONY: chromium
chromium:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	elif command -v sudo >/dev/null; then \
	  sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	else echo "mk/serve.mk: chromium missing and no root: the browser test will skip" >&2; fi

TEST_DEPS += chromium
