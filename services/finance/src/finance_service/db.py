"""The declarative base every finance model is declared on, with the platform's naming
convention (constraint and index names as the migrations spell them)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from aftersales_events import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
