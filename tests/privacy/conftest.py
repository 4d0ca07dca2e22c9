import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhu.children.services import child_update

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def child_with_photo(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    child = personas.child_a
    child_update(
        actor=personas.admin,
        child=child,
        fields={"photo": SimpleUploadedFile("a.png", PNG, content_type="image/png"), "photo_consent": True},
    )
    return child
