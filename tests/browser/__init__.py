"""Real-browser tests (Playwright + Debian's Chromium). A package so that the browser fixtures can
be package-scoped: Playwright's sync API keeps an asyncio loop running in the main thread, which
must be stopped before the other tests (pyHanko signs through asyncio.run)."""
