"""Write each inline ``<script>`` of a page once, not twice.

Sphinx 7.4 writes twice every inline script (``app.add_js_file(None,
body=...)``) that an extension adds after the HTML builder has started:
the builder takes the script at once, with no file name (``None``), and
again from the registry when it prepares to write, this time with the
file name ``''``. The two no longer compare equal, so both stay
(sphinx/builders/html/__init__.py, ``prepare_writing``).

sphinx-thebe adds ``const THEBE_JS_URL = ...`` this way, and the second
``const`` stops the browser with "Identifier 'THEBE_JS_URL' has already
been declared" on every page; sphinx-togglebutton's ``var
togglebuttonSelector`` is written twice too, without error. This drops
the second copy of any script that is the same as an earlier one.
"""


def script_key(script):
    """What makes two scripts the same, with no file name equal to ``''``."""
    return (script.filename or "", script.priority,
            tuple(sorted(script.attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    """``html-page-context``: keep the first of each script on the page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    kept = []
    for script in scripts:
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    # After the extensions that add page-specific scripts (priority 500).
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
