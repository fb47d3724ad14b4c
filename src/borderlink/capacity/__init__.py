"""Capacity building: training records, certifications and exercises, as plain functions.

- :mod:`.certifications`: which certifications a person's training records put in force on a
  day, which lapse soon, and the node's requirements (actions reserved to certified people) as
  data, with the built-in example set (``requirements.yaml``);
- :mod:`.exercises`: exercises authored as data (``exercises.yaml`` holds the built-in ones) and
  the marking of an attempt against the planted truth.

Nothing here reads a clock, a file it was not named, or a database: the services do.
"""

from borderlink.capacity.certifications import (
    Held,
    builtin_requirements,
    expiring,
    held,
    parse_requirements,
)
from borderlink.capacity.exercises import (
    builtin_exercises,
    mark,
    parse_answer,
    parse_exercises,
)

__all__ = [
    "Held",
    "builtin_exercises",
    "builtin_requirements",
    "expiring",
    "held",
    "mark",
    "parse_answer",
    "parse_exercises",
    "parse_requirements",
]
