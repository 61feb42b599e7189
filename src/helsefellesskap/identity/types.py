"""Pydantic field types for API models: an invalid identifier fails validation, so the API answers 422 problem+json."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from helsefellesskap.errors import InvalidIdentifier
from helsefellesskap.identity.hpr import validate_hpr
from helsefellesskap.identity.municipality_number import validate_municipality_number
from helsefellesskap.identity.national_id import parse_national_id
from helsefellesskap.identity.orgnr import validate_orgnr


def _national_id(value: str) -> str:
    try:
        return parse_national_id(value).value
    except InvalidIdentifier as exc:
        raise ValueError(exc.detail) from None


def _orgnr(value: str) -> str:
    try:
        return validate_orgnr(value)
    except InvalidIdentifier as exc:
        raise ValueError(exc.detail) from None


def _hpr(value: str) -> str:
    try:
        return validate_hpr(value)
    except InvalidIdentifier as exc:
        raise ValueError(exc.detail) from None


def _municipality(value: str) -> str:
    try:
        return validate_municipality_number(value)
    except InvalidIdentifier as exc:
        raise ValueError(exc.detail) from None


NationalIdStr = Annotated[str, AfterValidator(_national_id)]
OrgnrStr = Annotated[str, AfterValidator(_orgnr)]
HprStr = Annotated[str, AfterValidator(_hpr)]
MunicipalityNumberStr = Annotated[str, AfterValidator(_municipality)]
