"""Reading uploads with a size cap: a file larger than the cap is dropped as soon as its data
passes the cap (the rest of it is skipped, never kept), and files are held in memory only, so that
no unencrypted copy of a document is ever written to a temporary file."""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

#: At most this many files in one upload; the whole request is refused before it is read if its
#: declared length is more than ``MAX_FILES`` files at the cap, and a little for the form.
MAX_FILES = 10
FORM_ALLOWANCE = 256 * 1024


def request_limit(cap: int) -> int:
    return MAX_FILES * cap + FORM_ALLOWANCE


class CappedUploadHandler(FileUploadHandler):
    """Keeps each file in memory up to ``cap`` bytes; names the files dropped for being larger in
    ``too_big`` (the view says so), and counts the files in ``seen``."""

    def __init__(self, cap: int, request=None):
        super().__init__(request)
        self.cap = cap
        self.too_big = []
        self.seen = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.seen += 1
        if self.seen > MAX_FILES:
            raise SkipFile
        self.file = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.cap:
            self.too_big.append(self.file_name)
            raise SkipFile
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
