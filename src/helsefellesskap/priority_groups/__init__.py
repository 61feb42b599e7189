"""Priority groups of the helsefellesskap: a pure, cited classifier of persons by age, ICD-10 codes and services.

Call `helsefellesskap.priority_groups.model.classify(facts)` for the groups and `explain(facts)` for the reasons.
"""
