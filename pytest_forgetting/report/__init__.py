"""Reports read the finished run's record (``record.build_record``); none recomputes a metric."""
