"""Each person's priority groups, as one Ibis expression generated from the classifier's own rules.

The classifier (`priority_groups.model.classify`) is Python, one person at a time; at national scale that is too
slow to run inside an indicator query, and it would not run on Spark or in the database. So its rules are
re-expressed here as Ibis expressions *generated from the classifier's data*: the code sets, the
chronic-condition list, the HFRS weight table, the age and score thresholds and the look-back windows all come
from `ClassificationRules` — nothing is copied. The codes are classified once per distinct code (a few thousand),
with the code sets' own `CodeSet.matches`, into a small table the diagnosis rows are joined to: no string tests
on the 20+ million rows. A test checks that this expression and `classify` give every person of a generated twin
the same groups.

The facts of a person, as of the reference date (the last day of the period):
- diagnoses: the twin's conditions (dated by onset), every diagnosis of every hospital stay (dated by the
  admission day) and the ICPC-2 codes of GP contacts, each counted in a rule's look-back window;
- mental health contacts: stays in mental health care admitted within the SMI look-back window;
- municipal services: services running on the reference date, as Volven 9151 types (see SERVICE_TYPE_OF_KIND).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from helsefellesskap.indicators.engines import Twin, union_all
from helsefellesskap.indicators.model import NO_PRIORITY_GROUP
from helsefellesskap.indicators.timeline import aged_at_least, day_number, day_of, local_day
from helsefellesskap.priority_groups.codes import CodeSet
from helsefellesskap.priority_groups.model import DEFAULT_RULES, ClassificationRules, PriorityGroup, Sex

# The twin's service kinds as Volven 9151 service types [V code list S41]: home care is 'helsetjenester i hjemmet'
# (15), a nursing home is a long-term stay (21), a short-term stay is 'tidsbegrenset opphold' (18 chosen) [B].
SERVICE_TYPE_OF_KIND = {"home_care": "15", "nursing_home": "21", "short_term_stay": "18"}
ICD10, ICPC2 = "icd10", "icpc2"


def _used_prefixes(rules: ClassificationRules) -> tuple[CodeSet, CodeSet]:
    """Every ICD-10 and ICPC-2 prefix any rule tests: other codes can be dropped at once."""
    chronic = frozenset(p for c in rules.chronic_conditions for p in c.icd10.include)
    icd10 = (rules.smi_codes.include | rules.substance_use_codes.include | rules.pregnancy_codes.include
             | frozenset(rules.hfrs_table.weights) | chronic)
    icpc2 = frozenset(p for c in rules.chronic_conditions for p in c.icpc2.include)
    return CodeSet(icd10), CodeSet(icpc2)


def _normalised(code: str, system: str) -> str:
    return code.replace(".", "").upper() if system == ICD10 else code.upper()


def distinct_codes(twin: Twin, table: ir.Table, column: str) -> list[str]:
    """The distinct codes of `column` (as stored), by one query."""
    found = twin.backend.execute(table.select(code=table[column]).distinct())
    return sorted(code for code in found["code"] if isinstance(code, str))


def matching_rows(twin: Twin, table: ir.Table, column: str, codes: CodeSet) -> ir.Table:
    """The rows of `table` whose ICD-10 code in `column` (as stored) is in `codes`: the distinct codes are read by
    one query and tested with the code set's own `matches` (normalised: no dot, upper case), and the rows kept
    by an IN list of those that match — no string functions on every row (DuckDB would push a filter on the
    distinct codes back down to every row)."""
    hits = [code for code in distinct_codes(twin, table, column) if codes.matches(_normalised(code, ICD10))]
    return table.filter(table[column].isin(hits)) if hits else table.filter(ibis.literal(False))


def _chronic_names(rules: ClassificationRules) -> list[str]:
    return [f"chronic_{number}" for number in range(len(rules.chronic_conditions))]


def _classified(twin: Twin, sources: list[tuple[ir.Table, str]], system: str, rules: ClassificationRules) -> ir.Table:
    """raw (a code as stored) and what each rule makes of it — the SMI, substance-use and pregnancy code sets,
    the HFRS category, one flag per chronic condition — for every distinct code of the sources' code columns
    that some rule tests. The distinct codes are read by a query per source and classified with the classifier's
    own `CodeSet.matches`: no string functions on the rows."""
    icd = system == ICD10
    used = _used_prefixes(rules)[0 if icd else 1]
    chronic = [condition.icd10 if icd else condition.icpc2 for condition in rules.chronic_conditions]
    sets = {"smi": rules.smi_codes, "substance": rules.substance_use_codes, "pregnancy": rules.pregnancy_codes}
    columns: dict[str, list[object]] = {"raw": [], "category": [], **{n: [] for n in sets},
                                        **{n: [] for n in _chronic_names(rules)}}  # fmt: skip
    for raw in sorted({code for table, column in sources for code in distinct_codes(twin, table, column)}):
        code = _normalised(raw, system)
        if not used.matches(code):
            continue
        columns["raw"].append(raw)
        columns["category"].append(code[:3] if icd else None)
        for name, codeset in sets.items():
            columns[name].append(icd and codeset.matches(code))
        for name, codeset in zip(_chronic_names(rules), chronic, strict=True):
            columns[name].append(codeset.matches(code))
    schema = {"raw": "string", "category": "string", **{n: "boolean" for n in columns if n not in ("raw", "category")}}
    return ibis.memtable(columns, schema=schema).mutate(system=ibis.literal(system))


def _longest_lookback(rules: ClassificationRules) -> int:
    return max(rules.smi_lookback_days, rules.substance_use_lookback_days, rules.hfrs_lookback_days,
               rules.chronic_lookback_days, rules.pregnancy_lookback_days)


# The name under which a prepared twin holds `person_codes` of the default rules over every day (`Twin.shared`).
STORED_CODES = "person_codes"


def person_codes(twin: Twin, rules: ClassificationRules = DEFAULT_RULES, reference: date | None = None) -> ir.Table:
    """person_id, day (day number), system and the classification of the code (`_classified`) — only codes some
    rule tests; with a `reference` date, only those inside the longest look-back window before it (every rule
    reads its codes in its own window, within that one: at scale 1.0 four of five conditions are older). From the
    prepared twin's stored codes when it holds them (the default rules'): then no diagnosis or GP contact is read."""
    stored = twin.shared.get(STORED_CODES) if rules is DEFAULT_RULES else None
    if stored is not None:
        if reference is None:
            return stored
        return stored.filter(_in_window(stored.day, day_of(reference), _longest_lookback(rules)))
    conditions = twin.conditions.select(person_id=twin.conditions.person_id, raw=twin.conditions.code,
                                        day=day_number(twin.conditions.onset_date))
    stays = twin.stays.select("stay_id", "person_id", day=local_day(twin.stays.admitted_at))
    staying = twin.stay_diagnoses.join(stays, "stay_id")
    from_stays = staying.select("person_id", raw=staying.code, day=staying.day)
    icd = union_all(conditions, from_stays)
    gp = twin.gp_contacts.filter(twin.gp_contacts.icpc2.notnull())
    gp = gp.select(person_id=gp.person_id, raw=gp.icpc2, day=day_number(gp.contact_date))
    parts = []
    sources = {ICD10: [(twin.conditions, "code"), (twin.stay_diagnoses, "code")], ICPC2: [(gp, "raw")]}
    for rows, system in ((icd, ICD10), (gp, ICPC2)):
        classes = _classified(twin, sources[system], system, rules)
        joined = rows.join(classes, "raw")
        if reference is not None:
            joined = joined.filter(_in_window(joined.day, day_of(reference), _longest_lookback(rules)))
        parts.append(joined.select("person_id", "day", *(c for c in classes.columns if c != "raw")))
    return union_all(*parts)


def _hfrs_tenths(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    weights = ibis.memtable({
        "category": list(rules.hfrs_table.weights),
        "tenths": [int(w.points * 10) for w in rules.hfrs_table.weights.values()],
    })  # fmt: skip
    window = codes.filter((codes.system == ICD10) & _in_window(codes.day, reference, rules.hfrs_lookback_days))
    categories = window.select("person_id", "category").distinct()
    scored = categories.join(weights, "category")
    return scored.group_by("person_id").aggregate(hfrs_tenths=scored.tenths.sum())


def _in_window(day: ir.IntegerValue, reference: int, days: int) -> ir.BooleanValue:
    # The classifier's window: (reference - days, reference].
    return (day > reference - days) & (day <= reference)


def _chronic_counts(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    """chronic: the number of the SKDE conditions present (enough distinct contact days in the window)."""
    names = _chronic_names(rules)
    if not names:
        return codes.select("person_id").distinct().mutate(chronic=ibis.literal(0))
    window = codes.filter(_in_window(codes.day, reference, rules.chronic_lookback_days)
                          & ibis.or_(*(codes[name] for name in names)))
    days = {
        # Contact days = distinct dates; with the default of one day, "any" is the same test and much cheaper.
        name: ibis.ifelse(window[name].any(), 1, 0) if rules.chronic_min_contact_days <= 1
        else window.day.nunique(where=window[name])
        for name in names
    }  # fmt: skip
    per_person = window.group_by("person_id").aggregate(**days)
    present = [ibis.ifelse(per_person[name] >= max(rules.chronic_min_contact_days, 1), 1, 0) for name in names]
    return per_person.select("person_id", chronic=sum(present[1:], present[0]))


def _code_flags(codes: ir.Table, rules: ClassificationRules, reference: int) -> ir.Table:
    icd = codes.filter((codes.system == ICD10) & (codes.smi | codes.substance | codes.pregnancy))

    def has(flag: ir.BooleanColumn, days: int) -> ir.BooleanValue:
        return (flag & _in_window(icd.day, reference, days)).any()

    return icd.group_by("person_id").aggregate(
        smi_code=has(icd.smi, rules.smi_lookback_days),
        substance_code=has(icd.substance, rules.substance_use_lookback_days),
        pregnancy_code=has(icd.pregnancy, rules.pregnancy_lookback_days),
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


FACT_TYPES = {"smi_code": "boolean", "substance_code": "boolean", "pregnancy_code": "boolean",
              "hfrs_tenths": "int64", "chronic": "int64", "contacts": "int64", "frail_service": "boolean"}


def person_facts(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES,
                 codes: ir.Table | None = None) -> ir.Table:
    """One row per person: sex, the age thresholds the rules test (`child`, `adult`, `frail_age`: each one date
    comparison, not an age taken apart from every birth date) and the flags and counts the rules test. `codes`:
    `person_codes` of the same twin, rules and reference, when already stored (three of the parts read them:
    computed once instead of thrice)."""
    ref = day_of(reference)
    codes = person_codes(twin, rules, reference) if codes is None else codes
    born = twin.traits.birth_date
    persons = twin.traits.select(
        "person_id", "sex", child=~aged_at_least(born, reference, rules.child_max_age + 1),
        adult=aged_at_least(born, reference, rules.adult_min_age),
        frail_age=aged_at_least(born, reference, rules.frail_min_age),
    )
    parts = (_code_flags(codes, rules, ref), _hfrs_tenths(codes, rules, ref), _chronic_counts(codes, rules, ref),
             _mental_health_contacts(twin, rules, ref), _frail_services(twin, rules, ref))
    # The parts' rows (a million persons with some fact) stacked and summed per person, then joined to the
    # persons once — not five joins of every person.
    stacked = union_all(*(part.select("person_id", **{
        name: part[name] if name in part.columns else ibis.null(kind) for name, kind in FACT_TYPES.items()
    }) for part in parts))  # fmt: skip
    per_person = stacked.group_by(fact_person=stacked.person_id).aggregate(**{
        name: stacked[name].any() if kind == "boolean" else stacked[name].max() for name, kind in FACT_TYPES.items()
    })  # fmt: skip
    facts = persons.left_join(per_person, persons.person_id == per_person.fact_person).drop("fact_person")
    zero = {"boolean": False, "int64": 0}
    return facts.mutate(**{name: facts[name].fill_null(zero[kind]) for name, kind in FACT_TYPES.items()})


GROUP_NAMES = (*(group.value for group in PriorityGroup), NO_PRIORITY_GROUP)


def person_flags(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES,
                 codes: ir.Table | None = None) -> ir.Table:
    """person_id and one boolean column per priority group (and `none`); `codes` as for `person_facts`."""
    f = person_facts(twin, reference, rules, codes)
    adult = f.adult
    female = (f.sex == Sex.female.value) if rules.pregnancy_requires_female else ibis.literal(True)
    rule_of = {
        # Each line is the classifier's rule of the same name (priority_groups/model.py), with its sources there.
        PriorityGroup.children_and_youth: f.child,
        PriorityGroup.severe_mental_illness_and_substance_use: adult & (
            (f.smi_code & (f.contacts >= rules.smi_min_mental_health_contacts)) | f.substance_code
        ),
        PriorityGroup.frail_elderly: f.frail_age & (
            (f.hfrs_tenths >= int(rules.frail_min_hfrs * 10)) | f.frail_service
        ),
        PriorityGroup.multiple_chronic_conditions: f.chronic >= rules.chronic_min_conditions,
        PriorityGroup.pregnancy_birth_postnatal: female & f.pregnancy_code,
    }
    flags = {group.value: condition for group, condition in rule_of.items()}
    return f.select("person_id", **flags, **{NO_PRIORITY_GROUP: ~ibis.or_(*rule_of.values())})


# The priority groups as bits of one integer: bit i is GROUP_NAMES[i] (`group_masks`).
GROUP_BITS = {name: 2**i for i, name in enumerate(GROUP_NAMES)}


def group_masks(flags: ir.Table) -> ir.Table:
    """group_person, group_mask: the persons in some priority group (from `person_flags`), their groups as one
    integer (bit i set: in GROUP_NAMES[i]). Persons in no group (`none`, two thirds of the population) are left
    out: a person missing here is in `none` only (`expressions.aggregate`) — a quarter of the rows to join and no
    seven flag columns to group by."""
    mask = sum((ibis.ifelse(flags[name], bit, 0) for name, bit in GROUP_BITS.items()), ibis.literal(0))
    grouped = flags.filter(~flags[NO_PRIORITY_GROUP])
    return grouped.select(group_person=grouped.person_id, group_mask=mask.cast("int64"))


def groups_of(flags: ir.Table) -> ir.Table:
    """person_id, priority_group: one row per group a person is in, from `person_flags`. Give it a stored table
    on SQLite: a union over the whole flag expression nests too deep for SQLite's parser."""
    return union_all(*(
        flags.filter(flags[name]).select("person_id", priority_group=ibis.literal(name)) for name in GROUP_NAMES
    ))


def person_groups(twin: Twin, reference: date, rules: ClassificationRules = DEFAULT_RULES) -> ir.Table:
    """person_id, priority_group: one row per group a person is in; `none` for a person in no group."""
    return groups_of(person_flags(twin, reference, rules))
