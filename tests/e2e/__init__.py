"""Browser tests: the app in a real Chromium, driven by Playwright."""
