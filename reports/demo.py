"""The statistics of the demo services: the loader writes its records in bulk, around the
service functions that keep the summary tables, so the summaries are counted from the records
once it is done (as after any bulk load)."""

from reports import summaries


def count_statistics(services, progress=None) -> None:
    summaries.rebuild([service.pk for service in services], progress=progress)
