"""DRF's browsable API, under a Content-Security-Policy it can keep.

Its templates carry inline styles (``style=""`` attributes and the code
highlighting's ``<style>``), so its pages allow inline style; script stays
``'self'`` only. It is a development convenience: production renders JSON only.
"""

from django.conf import settings
from django.utils.csp import CSP
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django.views.decorators.csp.csp_override sets, for this response only.
            response._csp_config = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
