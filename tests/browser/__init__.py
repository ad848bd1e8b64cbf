"""Real-browser journeys: Playwright + Debian Chromium + axe-core."""
