import pytest


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.IMPORTS_DIR = str(tmp_path / "imports")
    settings.IMPORTS_RUN_INLINE = True
