"""The browser console served at ``/console``: plain ES modules and CSS under ``static/``.

No build step: ``api/routes/console.py`` serves ``static/`` as it is. ``suggest.py`` proposes
field areas on a sample (the blank cell, box or line beside each printed label).
"""
