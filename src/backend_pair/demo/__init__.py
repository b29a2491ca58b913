"""The demo (``backend-pair --demo``): a small service repository and a scripted agent on the fake Messages API."""
