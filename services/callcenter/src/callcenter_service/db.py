"""The declarative base every table of the callcenter service is declared on."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from aftersales_events import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
