#!/usr/bin/env python3
"""Reference expansion of iCalendar feeds for the feed parser's cross-check (Tests/RecurrenceTests/ICalendarCrossCheckTests.swift).

Usage: ical_occurrences.py FROM TO FEED...   (FROM and TO as yyyyMMddTHHmmssZ)

Prints, as JSON, for each feed (by file name) the occurrences that the PyPI packages `icalendar` and
`recurring-ical-events` find in [FROM, TO): UID, start and end, summary. Timed values are UTC instants
`yyyyMMddTHHmmssZ`; floating times are read as UTC (the Swift side is given UTC as its floating zone); all-day values
are dates `yyyyMMdd`. STATUS:CANCELLED occurrences are left out, as the Swift expansion leaves them out (a cancelled
override removes its occurrence). The list is sorted by start, then UID.
"""
import json
import os
import sys
from datetime import date, datetime, timezone

import icalendar
import recurring_ical_events


def text(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    raise TypeError(f"not a date: {value!r}")


def occurrences(path, start, stop):
    with open(path, "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    found = []
    for event in recurring_ical_events.of(calendar).between(start, stop):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        begin = event["DTSTART"].dt
        end = event["DTEND"].dt if "DTEND" in event else begin
        found.append({"uid": str(event.get("UID", "")), "start": text(begin), "end": text(end),
                      "summary": str(event.get("SUMMARY", ""))})
    found.sort(key=lambda item: (item["start"], item["uid"]))
    return found


def main():
    start = datetime.strptime(sys.argv[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    stop = datetime.strptime(sys.argv[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    results = {}
    for path in sys.argv[3:]:
        try:
            results[os.path.basename(path)] = {"occurrences": occurrences(path, start, stop)}
        except Exception as error:  # reported per feed; the Swift side shows it
            results[os.path.basename(path)] = {"error": f"{type(error).__name__}: {error}"}
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
