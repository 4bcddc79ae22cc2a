"""A task's status: the one home of the rule behind every figure on every page.

Three parts, each in one module:

* ``stored``  — what a task's reports say, derived once per write and stored
  (models.TaskStatus and the two period columns of models.TaskUnit): the worst
  status the lead units reported in their latest approved period, its percent,
  the number of lead units, since when all of them have reported, and which
  period has a report awaiting review. Refreshed by ``task_status_refresh``,
  which every write path calls in its own transaction.
* ``rule``    — what depends on today, compared in SQL at query time so the
  stored row never ages: the light (三色预警, ``LIGHT_RULES``: the ordered
  conditions, also the legend on the pages and the table in the README), and
  *not reported this period* (本期未报送), a dimension of its own beside the
  light. Reached through the querysets: ``Task.objects.with_status(clock)``,
  ``TaskUnit.objects.lead().with_status(clock)``,
  ``TaskLeader.objects.with_status(clock)``.
* ``summary`` — counts of any set of rows by light, completion and 本期未报送,
  in one GROUP BY (``summaries``, read into ``Summary``).

The values and labels come from tasks.choices (CurrentStatus, Light); "today"
comes from one injectable ``Clock`` (clock.py); the thresholds are settings
(LIGHT_DUE_SOON_DAYS, LIGHT_BEHIND_SCHEDULE_POINTS, LIGHT_STAGNANT_PERIODS).
This package imports no model at import time, so models.py can use it.
"""
