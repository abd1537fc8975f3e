"""AWS schedule expressions (`rate(...)`, six-field `cron(...)`, `na`) as Airflow schedules.

The seed's YAML speaks EventBridge: `rate(1 day)`, `cron(0 12 * * ? *)`. Airflow speaks five-field
cron and timedeltas. The translation keeps data intervals aligned to the clock where it can
(`rate(1 day)` is `@daily`, not "every 24 h from whenever the DAG was first deployed"), because
an incremental load's window and its partition are derived from the data interval.

| AWS expression              | Airflow schedule                       |
|-----------------------------|----------------------------------------|
| `na`                        | none: manual or asset-triggered runs   |
| `rate(1 day)`               | cron `0 0 * * *`                       |
| `rate(N days)`, N > 1       | every N days from the start date       |
| `rate(N hours)`, 24 % N = 0 | cron `0 */N * * *` (`0 * * * *` for 1) |
| `rate(N minutes)`, 60 % N=0 | cron `*/N * * * *`                     |
| any other `rate(...)`       | a fixed timedelta from the start date  |
| `cron(m h dom mon dow yr)`  | cron `m h dom mon dow`, `?` -> `*`, day-of-week 1-7 (SUN-SAT) -> 0-6 |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_RATE = re.compile(r"rate\(\s*(?P<value>\d+)\s+(?P<unit>[a-z]+)\s*\)")
_CRON = re.compile(r"cron\((?P<body>[^()]*)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


class ScheduleError(ValueError):
    """An expression EventBridge or Airflow would refuse; the message says what is allowed."""


@dataclass(frozen=True)
class Schedule:
    """A translated schedule: a cron string, a fixed interval in seconds, or manual only."""

    expression: str
    kind: Literal["cron", "interval", "manual"]
    cron: str | None = None
    interval_seconds: int | None = None

    @property
    def describe(self) -> str:
        if self.kind == "manual":
            return "manual / on demand"
        if self.kind == "cron":
            return f"cron '{self.cron}' (UTC)"
        seconds = self.interval_seconds or 0
        for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
            if seconds and seconds % size == 0:
                count = seconds // size
                return f"every {count} {unit}{'s' if count != 1 else ''} from the start date"
        return f"every {seconds} s"

    @property
    def sub_daily(self) -> bool:
        """Whether runs come more often than daily, so a partition needs the time of day too."""
        if self.kind == "interval":
            return (self.interval_seconds or 0) < 86400
        if self.kind == "cron" and self.cron is not None:
            minute, hour = self.cron.split()[:2]
            return not (_is_single_value(minute) and _is_single_value(hour))
        return False


def parse_schedule(expression: str) -> Schedule:
    text = expression.strip()
    if text == "na":
        return Schedule(expression, "manual")
    if match := _RATE.fullmatch(text):
        return _rate(expression, int(match["value"]), match["unit"])
    if match := _CRON.fullmatch(text):
        return Schedule(expression, "cron", cron=_cron(match["body"]))
    raise ScheduleError(
        f"'{expression}' is not a schedule: use 'rate(N minute|minutes|hour|hours|day|days)', "
        "an AWS cron 'cron(min hour day-of-month month day-of-week year)', or 'na' for on demand"
    )


def checked_expression(value: str) -> str:
    """A pydantic field validator: the expression unchanged if it parses, else its problem as a
    ValueError without the chained exception (pydantic shows only the message, one line)."""
    try:
        parse_schedule(value)
    except ScheduleError as exc:
        raise ValueError(str(exc)) from None
    return value


def _rate(expression: str, value: int, unit: str) -> Schedule:
    singular = unit.removesuffix("s")
    if singular not in _UNITS:
        raise ScheduleError(f"'{expression}': unit '{unit}' must be minute(s), hour(s) or day(s)")
    if value <= 0:
        raise ScheduleError(f"'{expression}': the rate must be a positive whole number")
    if (value == 1) != (unit == singular):
        wanted = singular if value == 1 else singular + "s"
        raise ScheduleError(f"'{expression}': AWS wants 'rate({value} {wanted})' (singular only for 1)")
    if singular == "day" and value == 1:
        return Schedule(expression, "cron", cron="0 0 * * *")
    if singular == "hour" and 24 % value == 0:
        return Schedule(expression, "cron", cron="0 * * * *" if value == 1 else f"0 */{value} * * *")
    if singular == "minute" and 60 % value == 0:
        return Schedule(expression, "cron", cron="* * * * *" if value == 1 else f"*/{value} * * * *")
    return Schedule(expression, "interval", interval_seconds=value * _UNITS[singular])


def _cron(body: str) -> str:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleError(
            f"'cron({body})' has {len(fields)} fields; AWS cron has six: "
            "minutes hours day-of-month month day-of-week year, e.g. cron(0 12 * * ? *)"
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(
            f"'cron({body})': exactly one of day-of-month and day-of-week must be '?' (AWS rule)"
        )
    if year not in {"*", "?"}:
        raise ScheduleError(
            f"'cron({body})': the year field must be '*'; Airflow schedules cannot be limited to "
            "years (use start_date instead)"
        )
    _check_field(minute, "minutes", 0, 59, body)
    _check_field(hour, "hours", 0, 23, body)
    if dom not in {"?", "L"}:
        _check_field(dom, "day-of-month", 1, 31, body)
    _check_field(month, "month", 1, 12, body, names=_MONTHS)
    translated_dow = "*" if dow == "?" else _translate_dow(dow, body)
    return " ".join([minute, hour, "*" if dom == "?" else dom, month, translated_dow])


def _check_field(
    value: str, label: str, low: int, high: int, body: str, names: list[str] | None = None
) -> None:
    for item in value.split(","):
        base, _, step = item.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            raise ScheduleError(f"'cron({body})': {label} step '/{step}' must be a positive number")
        if base == "*":
            continue
        for bound in base.split("-", 1):
            number = _number(bound, names, offset=1)
            if number is None or not low <= number <= high:
                raise ScheduleError(
                    f"'cron({body})': {label} value '{bound}' is outside {low}-{high}"
                    + (" or its names" if names else "")
                    + ("; 'W' and other day-of-month specials are not supported" if "W" in bound else "")
                )


def _translate_dow(value: str, body: str) -> str:
    """AWS numbers days 1-7 from Sunday; cron numbers them 0-6. Names pass through."""
    out: list[str] = []
    for item in value.split(","):
        base, sep, step = item.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            raise ScheduleError(f"'cron({body})': day-of-week step '/{step}' must be a positive number")
        if base == "*":
            out.append(item)
            continue
        if "#" in base:
            day, nth = base.split("#", 1)
            if not (nth.isdigit() and 1 <= int(nth) <= 5):
                raise ScheduleError(f"'cron({body})': '{base}' needs a week number 1-5 after '#'")
            out.append(f"{_dow(day, body)}#{nth}")
            continue
        if base.endswith("L") and len(base) > 1:
            out.append(f"{_dow(base[:-1], body)}L")
            continue
        out.append("-".join(_dow(bound, body) for bound in base.split("-", 1)) + (sep + step if sep else ""))
    return ",".join(out)


def _dow(token: str, body: str) -> str:
    number = _number(token, _DAYS, offset=1)
    if number is None or not 1 <= number <= 7:
        raise ScheduleError(
            f"'cron({body})': day-of-week value '{token}' is outside 1-7 (1 = Sunday) or SUN-SAT"
        )
    return token.upper() if token.upper() in _DAYS else str(number - 1)


def _number(token: str, names: list[str] | None, offset: int) -> int | None:
    if token.isdigit():
        return int(token)
    if names and token.upper() in names:
        return names.index(token.upper()) + offset
    return None


def _is_single_value(field: str) -> bool:
    return field.isdigit()
