#!/usr/bin/env python3
"""Reference expansion for the Recurrence cross-check (Tests/RecurrenceTests/DateutilCrossCheckTests.swift).

Reads a JSON file of recurrence sets (argv[1]) and prints, for each, the occurrence starts in [from, to) as
python-dateutil's rrulestr/rruleset with zoneinfo compute them: UTC instants `yyyyMMddTHHmmssZ` for a timed series,
dates `yyyyMMdd` for an all-day one. The Swift side compares the lists exactly.

Two RFC 5545 rules are applied here on top of dateutil, because dateutil's rrule does not apply them itself:
- DTSTART is the first instance of the set (RFC 5545 section 3.8.5.3; rrulestr's compatible=True does the same by
  adding DTSTART as an RDATE);
- DTSTART "always counts as the first occurrence" of COUNT, so a rule whose own first time is not DTSTART yields
  COUNT-1 times (dateutil alone would yield COUNT more, one too many).

Wall-clock times that do not exist or occur twice are resolved by zoneinfo with fold=0: the offset before a gap,
the first of an overlap (PEP 495), which is what RFC 5545 section 3.3.5 says.
"""
import json
import re
import signal
import sys
import warnings
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr, rruleset

# A rule that can never match (30 February, say) makes dateutil walk to year 9999 before it stops: seconds per case.
CASE_SECONDS = 2
warnings.simplefilter("ignore")


class TooSlow(Exception):
    pass


def on_alarm(signum, frame):
    raise TooSlow()


def parse(text, zone):
    """yyyyMMdd (naive midnight), yyyyMMddTHHmmss (in zone) or yyyyMMddTHHmmssZ (UTC)."""
    if len(text) == 8:
        return datetime.strptime(text, "%Y%m%d")
    if text.endswith("Z"):
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def expand(case):
    zone = ZoneInfo(case["tzid"]) if case.get("tzid") else None
    start = parse(case["dtstart"], zone)
    window_from, window_to = parse(case["from"], zone), parse(case["to"], zone)
    result = rruleset()
    result.rdate(start)
    for text in case["rrules"]:
        rule = rrulestr(text, dtstart=start)
        count = re.search(r"COUNT=(\d+)", text)
        if count and next(iter(rule), None) != start:
            remaining = int(count.group(1)) - 1
            if remaining == 0:
                continue
            rule = rule.replace(count=remaining)
        result.rrule(rule)
    for text in case["rdates"]:
        result.rdate(parse(text, zone))
    for text in case["exdates"]:
        result.exdate(parse(text, zone))
    out = []
    for occurrence in result:
        if occurrence >= window_to:
            break
        if occurrence >= window_from:
            out.append(occurrence.strftime("%Y%m%d") if zone is None else occurrence.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    return out


def main():
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    signal.signal(signal.SIGALRM, on_alarm)
    results = {}
    for case in cases:
        signal.alarm(CASE_SECONDS)
        try:
            results[case["id"]] = {"occurrences": expand(case)}
        except TooSlow:
            results[case["id"]] = {"timeout": True}
        except Exception as error:  # reported per case; the Swift side shows it
            results[case["id"]] = {"error": f"{type(error).__name__}: {error}"}
        finally:
            signal.alarm(0)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
