"""A router that sends writes to the "reporting" database."""
from .settings import *  # noqa: F401,F403

DATABASE_ROUTERS = ["proj.routers.ReportingRouter"]
