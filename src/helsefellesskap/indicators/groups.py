"""Each person's priority groups, as one Ibis expression generated from the classifier's own rules.

The classifier (`priority_groups.model.classify`) is Python, one person at a time; at national scale that is too
slow to run inside an indicator query, and it would not run on Spark or in the database. So its rules are
re-expressed here as Ibis predicates *generated from the classifier's data*: the code sets (`CodeSet` include
and exclude prefixes), the chronic-condition list, the HFRS weight table, the age and score thresholds and the
look-back windows all come from `ClassificationRules` — nothing is copied. A test checks that this expression
and `classify` give every person of a generated twin the same groups.

The facts of a person, as of the reference date (the last day of the period):
- diagnoses: the twin's conditions (dated by onset), every diagnosis of every hospital stay (dated by the
  admission day) and the ICPC-2 codes of GP contacts, each counted in a rule's look-back window;
- mental health contacts: stays in mental health care admitted within the SMI look-back window;
- municipal services: services running on the reference date, as Volven 9151 types (see SERVICE_TYPE_OF_KIND).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import ibis
import ibis.expr.types as ir

from helsefellesskap.indicators.engines import Twin, union_all
from helsefellesskap.indicators.model import NO_PRIORITY_GROUP
from helsefellesskap.indicators.timeline import age_on, day_number, day_of, local_day
from helsefellesskap.priority_groups.codes import CodeSet
from helsefellesskap.priority_groups.model import DEFAULT_RULES, ClassificationRules, PriorityGroup, Sex

# The twin's service kinds as Volven 9151 service types [V code list S41]: home care is 'helsetjenester i hjemmet'
# (15), a nursing home is a long-term stay (21), a short-term stay is 'tidsbegrenset opphold' (18 chosen) [B].
SERVICE_TYPE_OF_KIND = {"home_care": "15", "nursing_home": "21", "short_term_stay": "18"}
ICD10, ICPC2 = "icd10", "icpc2"


def code_predicate(code: ir.StringValue, codes: CodeSet) -> ir.BooleanValue:
    """`code` (normalised: no dot, upper case) is in the code set: starts with an included prefix and with no
    excluded one — the semantics of `CodeSet.matches`, as prefix comparisons grouped by prefix length."""
    return _starts_with_any(code, codes.include) & ~_starts_with_any(code, codes.exclude)


def _starts_with_any(code: ir.StringValue, prefixes: Iterable[str]) -> ir.BooleanValue:
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    tests = [code.substr(0, length).isin(sorted(group)) for length, group in sorted(by_length.items())]
    return ibis.or_(*tests) if tests else ibis.literal(False)


def _used_prefixes(rules: ClassificationRules) -> tuple[CodeSet, CodeSet]:
    """Every ICD-10 and ICPC-2 prefix any rule tests: other codes can be dropped at once."""
    chronic = frozenset(p for c in rules.chronic_conditions for p in c.icd10.include)
    icd10 = (rules.smi_codes.include | rules.substance_use_codes.include | rules.pregnancy_codes.include
             | frozenset(rules.hfrs_table.weights) | chronic)
    icpc2 = frozenset(p for c in rules.chronic_conditions for p in c.icpc2.include)
    return CodeSet(icd10), CodeSet(icpc2)


def person_codes(twin: Twin, rules: ClassificationRules = DEFAULT_RULES) -> ir.Table:
    """person_id, code (normalised), day (day number), system — only codes some rule tests."""
    icd10, icpc2 = _used_prefixes(rules)
    conditions = twin.conditions.select(
        person_id=twin.conditions.person_id, code=twin.conditions.code.replace(".", "").upper(),
        day=day_number(twin.conditions.onset_date), system=ibis.literal(ICD10),
    )
    stays = twin.stays.select("stay_id", "person_id", day=local_day(twin.stays.admitted_at))
    staying = twin.stay_diagnoses.join(stays, "stay_id")
    from_stays = staying.select("person_id", code=staying.code.replace(".", "").upper(), day=staying.day,
                                system=ibis.literal(ICD10))
    icd = union_all(conditions, from_stays)
    icd = icd.filter(code_predicate(icd.code, icd10))
    gp = twin.gp_contacts.select(person_id=twin.gp_contacts.person_id, code=twin.gp_contacts.icpc2.upper(),
                                 day=day_number(twin.gp_contacts.contact_date), system=ibis.literal(ICPC2))
    gp = gp.filter(gp.code.notnull() & code_predicate(gp.code, icpc2))
    return union_all(icd, gp)


def _hfrs_tenths(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    weights = ibis.memtable({
        "category": list(rules.hfrs_table.weights),
        "tenths": [int(w.points * 10) for w in rules.hfrs_table.weights.values()],
    })  # fmt: skip
    window = codes.filter((codes.system == ICD10) & _in_window(codes.day, reference, rules.hfrs_lookback_days))
    categories = window.select("person_id", category=window.code.substr(0, 3)).distinct()
    scored = categories.join(weights, "category")
    return scored.group_by("person_id").aggregate(hfrs_tenths=scored.tenths.sum())


def _in_window(day: ir.IntegerValue, reference: int, days: int) -> ir.BooleanValue:
    # The classifier's window: (reference - days, reference].
    return (day > reference - days) & (day <= reference)


def _chronic_counts(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    """chronic: the number of the SKDE conditions present (enough distinct contact days in the window)."""
    window = codes.filter(_in_window(codes.day, reference, rules.chronic_lookback_days))
    # First keep the codes of any condition (one cheap test), then tell the conditions apart on those few rows.
    any_icd10 = CodeSet(frozenset(p for c in rules.chronic_conditions for p in c.icd10.include))
    any_icpc2 = CodeSet(frozenset(p for c in rules.chronic_conditions for p in c.icpc2.include))
    window = window.filter(((window.system == ICD10) & code_predicate(window.code, any_icd10))
                           | ((window.system == ICPC2) & code_predicate(window.code, any_icpc2)))
    days = {}
    for number, condition in enumerate(rules.chronic_conditions):
        matched = ((window.system == ICD10) & code_predicate(window.code, condition.icd10)) | (
            (window.system == ICPC2) & code_predicate(window.code, condition.icpc2)
        )
        # Contact days = distinct dates; with the default of one day, "any" is the same test and much cheaper.
        days[f"condition_{number}"] = (
            ibis.ifelse(matched.any(), 1, 0) if rules.chronic_min_contact_days <= 1
            else window.day.nunique(where=matched)
        )
    per_person = window.group_by("person_id").aggregate(**days)
    present = [ibis.ifelse(per_person[name] >= max(rules.chronic_min_contact_days, 1), 1, 0) for name in days]
    return per_person.select("person_id", chronic=sum(present[1:], present[0]) if present else ibis.literal(0))


def _code_flags(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    icd = codes.filter(codes.system == ICD10)
    # Keep the codes any of the three rules could match (one cheap test) before the per-rule tests.
    prefixes = (rules.smi_codes.include | rules.substance_use_codes.include | rules.pregnancy_codes.include)
    icd = icd.filter(code_predicate(icd.code, CodeSet(prefixes)))

    def has(codeset: CodeSet, days: int) -> ir.BooleanValue:
        return (code_predicate(icd.code, codeset) & _in_window(icd.day, reference, days)).any()

    return icd.group_by("person_id").aggregate(
        smi_code=has(rules.smi_codes, rules.smi_lookback_days),
        substance_code=has(rules.substance_use_codes, rules.substance_use_lookback_days),
        pregnancy_code=has(rules.pregnancy_codes, rules.pregnancy_lookback_days),
    )


def _mental_health_contacts(twin: Twin, rules: ClassificationRules, reference: int) -> ir.Table:
    stays = twin.stays
    day = local_day(stays.admitted_at)
    contacts = stays.filter((stays.service == "mental_health") & _in_window(day, reference, rules.smi_lookback_days))
    return contacts.group_by("person_id").aggregate(contacts=contacts.count())


def _frail_services(twin: Twin, rules: ClassificationRules, reference: int) -> ir.Table:
    kinds = sorted(k for k, code in SERVICE_TYPE_OF_KIND.items() if code in rules.frail_service_types)
    services = twin.services
    running = (day_number(services.start) <= reference) & (
        services.end.isnull() | (day_number(services.end) >= reference)
    )
    chosen = services.filter(running & services.kind.isin(kinds or ["-"]))
    return chosen.select("person_id").distinct().mutate(frail_service=ibis.literal(True))


def person_facts(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES,
                 codes: ir.Table | None = None) -> ir.Table:
    """One row per person: age, sex and the flags and counts the rules test. `codes`: `person_codes` of the
    same twin and rules, when already stored (three of the parts read them: computed once instead of thrice)."""
    ref = day_of(reference)
    codes = person_codes(twin, rules) if codes is None else codes
    persons = twin.persons.select("person_id", "sex", age=age_on(twin.persons.birth_date, reference))
    parts = [part.rename({f"person_{number}": "person_id"}) for number, part in enumerate((
        _code_flags(codes, rules, ref), _hfrs_tenths(codes, rules, ref), _chronic_counts(codes, rules, ref),
        _mental_health_contacts(twin, rules, ref), _frail_services(twin, rules, ref),
    ))]  # fmt: skip
    # One flat multi-way join (a chain of joined-then-trimmed subqueries nests too deep for SQLite's parser).
    joined = persons
    for number, part in enumerate(parts):
        joined = joined.left_join(part, persons.person_id == part[f"person_{number}"])
    facts = joined.select(
        *persons.columns, *(c for part in parts for c in part.columns if not c.startswith("person_"))
    )
    return facts.mutate(
        smi_code=facts.smi_code.fill_null(False), substance_code=facts.substance_code.fill_null(False),
        pregnancy_code=facts.pregnancy_code.fill_null(False), hfrs_tenths=facts.hfrs_tenths.fill_null(0),
        chronic=facts.chronic.fill_null(0), contacts=facts.contacts.fill_null(0),
        frail_service=facts.frail_service.fill_null(False),
    )


GROUP_NAMES = (*(group.value for group in PriorityGroup), NO_PRIORITY_GROUP)


def person_flags(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES,
                 codes: ir.Table | None = None) -> ir.Table:
    """person_id and one boolean column per priority group (and `none`); `codes` as for `person_facts`."""
    f = person_facts(twin, reference, rules, codes)
    adult = f.age >= rules.adult_min_age
    female = (f.sex == Sex.female.value) if rules.pregnancy_requires_female else ibis.literal(True)
    rule_of = {
        # Each line is the classifier's rule of the same name (priority_groups/model.py), with its sources there.
        PriorityGroup.children_and_youth: f.age <= rules.child_max_age,
        PriorityGroup.severe_mental_illness_and_substance_use: adult & (
            (f.smi_code & (f.contacts >= rules.smi_min_mental_health_contacts)) | f.substance_code
        ),
        PriorityGroup.frail_elderly: (f.age >= rules.frail_min_age) & (
            (f.hfrs_tenths >= int(rules.frail_min_hfrs * 10)) | f.frail_service
        ),
        PriorityGroup.multiple_chronic_conditions: f.chronic >= rules.chronic_min_conditions,
        PriorityGroup.pregnancy_birth_postnatal: female & f.pregnancy_code,
    }
    flags = {group.value: condition for group, condition in rule_of.items()}
    return f.select("person_id", **flags, **{NO_PRIORITY_GROUP: ~ibis.or_(*rule_of.values())})


def groups_of(flags: ir.Table) -> ir.Table:
    """person_id, priority_group: one row per group a person is in, from `person_flags`. Give it a stored table
    on SQLite: a union over the whole flag expression nests too deep for SQLite's parser."""
    return union_all(*(
        flags.filter(flags[name]).select("person_id", priority_group=ibis.literal(name)) for name in GROUP_NAMES
    ))


def person_groups(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES) -> ir.Table:
    """person_id, priority_group: one row per group a person is in; `none` for a person in no group."""
    return groups_of(person_flags(twin, reference, rules))
