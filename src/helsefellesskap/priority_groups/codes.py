"""Diagnosis codes: ICD-10 (specialist services, NPR) and ICPC-2 (GPs, KUHR/KPR) — normalising and matching.

Codes are kept without the dot ("F32.2" -> "F322"), upper case. A `CodeSet` is a set of code prefixes with
exclusions, written as in the reference tables: "F60-F69 F20 -F20.4".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from helsefellesskap.errors import InvalidInput

# A category letter, two digits, and an optional subdivision of up to four characters (WHO ICD-10 and the
# Norwegian extensions, e.g. "M79.6A"); the dot after the category is optional.
_ICD10 = re.compile(r"(?P<category>[A-Z][0-9]{2})\.?(?P<subdivision>[0-9A-Z]{1,4})?")
# ICPC-2 (WONCA): a chapter letter and two digits, e.g. "N88".
_ICPC2 = re.compile(r"[A-Z][0-9]{2}")
_RANGE = re.compile(r"(?P<letter>[A-Z])(?P<start>[0-9]{2})-(?P=letter)(?P<end>[0-9]{2})")


class CodeSystem(StrEnum):
    icd10 = "ICD-10"
    icpc2 = "ICPC-2"


class InvalidDiagnosisCode(InvalidInput):
    code = "invalid-diagnosis-code"


def normalise_icd10(text: str) -> str:
    """"f32.2 " -> "F322"; raises InvalidDiagnosisCode for anything that is not an ICD-10 code."""
    candidate = text.strip().upper()
    match = _ICD10.fullmatch(candidate)
    if match is None or (candidate.count(".") == 1 and match.group("subdivision") is None):
        raise InvalidDiagnosisCode(
            f"not an ICD-10 code: {text!r} "
            "(expected a letter, two digits and an optional subdivision, e.g. F20 or F32.2)"
        )
    return match.group("category") + (match.group("subdivision") or "")


def normalise_icpc2(text: str) -> str:
    candidate = text.strip().upper()
    if _ICPC2.fullmatch(candidate) is None:
        raise InvalidDiagnosisCode(
            f"not an ICPC-2 diagnosis code: {text!r} (expected a letter and two digits, e.g. N88)"
        )
    return candidate


def display_icd10(code: str) -> str:
    """"F322" -> "F32.2" (the way clinicians write it)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _expand(token: str, system: CodeSystem) -> tuple[str, ...]:
    ranged = _RANGE.fullmatch(token)
    if ranged is None:
        return (normalise_icd10(token) if system is CodeSystem.icd10 else normalise_icpc2(token),)
    start, end = int(ranged.group("start")), int(ranged.group("end"))
    if start > end:
        raise InvalidDiagnosisCode(f"empty code range: {token!r}")
    return tuple(f"{ranged.group('letter')}{number:02d}" for number in range(start, end + 1))


@dataclass(frozen=True)
class CodeSet:
    """Code prefixes that match, minus prefixes that do not ("G40 -G40.5": epilepsy except G40.5)."""

    include: frozenset[str]
    exclude: frozenset[str] = frozenset()
    system: CodeSystem = CodeSystem.icd10

    @classmethod
    def parse(cls, text: str, system: CodeSystem = CodeSystem.icd10) -> CodeSet:
        include: list[str] = []
        exclude: list[str] = []
        for token in text.split():
            if token.startswith("-"):
                exclude.extend(_expand(token[1:], system))
            else:
                include.extend(_expand(token, system))
        return cls(frozenset(include), frozenset(exclude), system)

    def matches(self, code: str) -> bool:
        """`code` is normalised (no dot, upper case). A prefix of the set matches when it is one of the code's own
        prefixes: a lookup per length of the code, not a comparison with every prefix of the set."""
        prefixes = [code[:n] for n in range(len(code) + 1)]
        return not self.include.isdisjoint(prefixes) and self.exclude.isdisjoint(prefixes)

    def matching(self, codes: Iterable[str]) -> tuple[str, ...]:
        """The codes of `codes` in this set, sorted and without duplicates."""
        return tuple(sorted({code for code in codes if self.matches(code)}))

    def __str__(self) -> str:
        shown = sorted(self.include)
        text = " ".join(display_icd10(c) if self.system is CodeSystem.icd10 else c for c in shown)
        if self.exclude:
            text += " except " + " ".join(display_icd10(c) for c in sorted(self.exclude))
        return text
