"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

urlpatterns: list = []
