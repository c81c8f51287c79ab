def import_job_process_due() -> int:
    return 0
