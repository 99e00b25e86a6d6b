"""gunicorn settings for one app instance (deploy/kartlegging.service starts it)."""
import glob
import os

bind = os.environ.get("KARTLEGGING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KARTLEGGING_WORKERS", "4"))
threads = int(os.environ.get("KARTLEGGING_THREADS", "4"))  # a streamed merge keeps one busy
timeout = 120
accesslog = None  # the app writes one line per request itself (LOG_FORMAT=json)


def on_starting(server):
    # Metrics of the workers of this instance: files in one directory, emptied at start.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
