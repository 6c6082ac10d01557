"""gunicorn's own error log, scrubbed of patient details like every log line of ours.

gunicorn writes its error log (a worker that timed out, a request that failed before Django
could answer it, with the traceback) through its own handler, not through the LOGGING of
config.settings. `logger_class` in deploy/gunicorn.conf.py names this class, which keeps
gunicorn's handler and format but writes through common.log_formatters' scrubbing formatter.
It imports nothing of Django: gunicorn sets its logging up before it loads the app.
"""

from typing import Any

from gunicorn.glogging import Logger

from common.log_formatters import ScrubbedTextFormatter


class ScrubbedErrorLogger(Logger):
    def setup(self, cfg: Any) -> None:
        """After gunicorn's own set-up (at start and on every reopen): the error log's
        handler writes through the scrubbing formatter, in gunicorn's own format."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(ScrubbedTextFormatter(self.error_fmt, self.datefmt))
