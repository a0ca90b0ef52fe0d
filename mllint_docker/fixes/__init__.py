"""Fixes: one fixer applies the edits that rules attach to their findings (`Finding.edit`), for
every rule alike. `--fix` applies safe fixes, `--unsafe-fixes` the rest; config
`extend-safe-fixes` / `extend-unsafe-fixes` move rules between the two; `display` fixes are only shown.

Edits are applied per file, sorted; an edit overlapping one already applied waits for the next
pass (the file is linted again and its fixes rebuilt), up to `MAX_PASSES`. Every result is parsed
again with the model; a file that would no longer parse is never written (it is reported instead).
"""

from mllint_docker.fixes.policy import FixPolicy, fix_policy, with_policy
from mllint_docker.fixes.runner import FixReport, fix_project, lint_written, unified_diff

__all__ = ["FixPolicy", "FixReport", "fix_policy", "fix_project", "lint_written", "unified_diff", "with_policy"]
