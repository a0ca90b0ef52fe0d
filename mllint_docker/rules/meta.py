"""Findings about the linting itself: files that cannot be read, and names nobody knows."""

from mllint_docker.rules import declare

PARSE_ERROR = declare("MLD001", "parse-error", "error", scope="dockerfile",
                      summary="A file could not be parsed as Docker or pip would read it")
INTERNAL_ERROR = declare("MLD002", "internal-error", "error", scope="dockerfile",
                         summary="A rule failed on this file; the other rules still ran")
UNKNOWN_RULE = declare("MLD003", "unknown-rule", "warning", scope="dockerfile",
                       summary="A pragma or config names a rule that does not exist")
BROKEN_INCLUDE = declare("MLD004", "broken-include", "error", scope="requirements",
                         summary="A requirements `-r`/`-c` include is missing or forms a cycle")
UNUSED_PRAGMA = declare("MLD010", "unused-pragma", "warning", scope="dockerfile", default=False,
                        summary="A `# mllint: disable=` pragma suppresses nothing (the finding is gone or the rule is off)")
REFERENCE_OUTSIDE_PROJECT = declare("MLD005", "reference-outside-project", "warning", scope="dockerfile",
                                   summary="A file refers to a path outside the project, which is not read")
