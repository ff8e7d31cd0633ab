"""The embedded default of `make run`: SQLite file, local file storage, tasks in-process."""

from .base import *  # noqa: F403
from .base import SILENCED_SYSTEM_CHECKS, env

DEBUG = env.bool("DEBUG", default=True)

# The embedded default keeps its SQLite file and local files under var/.
VAR_DIR.mkdir(exist_ok=True)  # noqa: F405

# axes.W001: the login lockout's counters in a local-memory cache are not shared between
# processes; `make run` is one process. Production requires a shared CACHE_URL.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W001"]
