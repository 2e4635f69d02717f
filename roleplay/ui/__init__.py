"""The practice page in the browser (Gradio). The only package that imports gradio.

`roleplay.ui.page.build_practice_page(service, queue)` builds the Blocks; the handlers behind it are
plain functions in `roleplay.ui.handlers`, callable without a browser.
"""
