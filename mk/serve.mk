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

# axe-core (npm) checks the page's accessibility inside the browser test. Pinned, installed
# once into .cache/npm (npm's own cache beside it), read from disk by the test: the test never
# downloads. Without npm it only warns, and the axe test skips with its reason.
AXE_VERSION := 4.14.1
AXE_JS := .cache/npm/node_modules/axe-core/axe.min.js
.PHONY: axe-core
axe-core: $(AXE_JS)
$(AXE_JS):
	@if command -v npm >/dev/null; then \
	  npm install --prefix .cache/npm --cache .cache/npm/cache --no-audit --no-fund --no-save \
	    axe-core@$(AXE_VERSION) >/dev/null && test -f $@; \
	else echo "mk/serve.mk: npm missing: the page's axe-core check will skip" >&2; fi

TEST_DEPS += axe-core
