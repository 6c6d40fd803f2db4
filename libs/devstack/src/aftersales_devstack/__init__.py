"""Local stack: embedded PostgreSQL and Tansu, the ``make run`` supervisor, the pytest plugin."""

from .urls import DEV_JWT_SECRET, SERVICE_NAMES, SERVICES, Service

__all__ = ["DEV_JWT_SECRET", "SERVICES", "SERVICE_NAMES", "Service"]
