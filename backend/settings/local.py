"""The embedded default of `make run`: SQLite file, local file storage, tasks in-process."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# The embedded default keeps its SQLite file and local files under var/.
VAR_DIR.mkdir(exist_ok=True)  # noqa: F405
