#!/usr/bin/python3
"""Parses Sentry envelopes and validates their events against Sentry's schema.

Usage:
  check_envelopes.py --schema event.schema.json --stream out.txt \
      [--events N] [--transactions N] [--logs N] [--metrics N] [--check-ins N]
      [--feedbacks N]
  check_envelopes.py --schema event.schema.json --dir spool/ [--events N]

A stream holds envelopes back to back (what the stdout transport prints); a
directory holds one envelope per *.envelope file. Prints each event and
transaction as one line of JSON (for further checks) and exits non-zero with
a message on the first violation: a malformed envelope, a wrong "length",
an event or transaction that fails the schema, a bad event_id or platform,
an envelope whose "trace" header (the dynamic sampling context) is not
that of its event's trace, or a "log" / "trace_metric" item whose headers
(item_count, content_type) or records do not have the shape of Sentry's
telemetry docs, or a "check_in" item without the fields Sentry's check-in
payload requires (PROTOCOL.md section 2.5), or a "feedback" item that is
not an event of type "feedback" with a contexts.feedback message of at most
4096 characters. Logs, metrics, check-ins and feedback are printed too, one
JSON line per record with "_item" set to "log", "trace_metric", "check_in"
or "feedback".

Runs with Debian's /usr/bin/python3 and python3-jsonschema.
"""
import argparse
import json
import os
import re
import sys

import jsonschema

EVENT_ID = re.compile(r"^[0-9a-f]{32}$")


class EnvelopeError(Exception):
    pass


def parse_stream(data):
    """Splits `data` into envelopes: [(headers, [(item_headers, payload)])].

    A header line with a "type" key starts an item; any other starts a new
    envelope (envelope headers never have "type").
    """
    envelopes = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        line = data[pos:end]
        pos = len(data) if nl < 0 else nl + 1
        if not line and pos >= len(data):
            break
        try:
            headers = json.loads(line)
        except ValueError as e:
            raise EnvelopeError(f"header line is not JSON: {line[:80]!r}: {e}")
        if not isinstance(headers, dict):
            raise EnvelopeError("header line is not an object")
        if "type" not in headers:
            envelopes.append((headers, []))
            continue
        if not envelopes:
            raise EnvelopeError("item before any envelope header")
        length = headers.get("length")
        if length is None:
            nl = data.find(b"\n", pos)
            end = len(data) if nl < 0 else nl
            payload = data[pos:end]
            pos = len(data) if nl < 0 else nl + 1
        else:
            if not isinstance(length, int) or length < 0:
                raise EnvelopeError(f"bad length {length!r}")
            if pos + length > len(data):
                raise EnvelopeError("payload shorter than its length")
            payload = data[pos:pos + length]
            pos += length
            if pos < len(data):
                if data[pos:pos + 1] != b"\n":
                    raise EnvelopeError("payload not followed by a newline")
                pos += 1
        envelopes[-1][1].append((headers, payload))
    return envelopes


def check_event(event, validator, where):
    errors = sorted(validator.iter_errors(event), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        raise EnvelopeError(
            f"{where}: schema violation at {list(e.path)}: {e.message}")
    if not EVENT_ID.match(event.get("event_id", "")):
        raise EnvelopeError(f"{where}: bad event_id {event.get('event_id')!r}")
    if event.get("platform") != "native":
        raise EnvelopeError(f"{where}: platform is {event.get('platform')!r}")


SPAN_STATUSES = {
    "ok", "cancelled", "unknown", "invalid_argument", "deadline_exceeded",
    "not_found", "already_exists", "permission_denied", "resource_exhausted",
    "failed_precondition", "aborted", "out_of_range", "unimplemented",
    "internal_error", "unavailable", "data_loss", "unauthenticated"}
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
SPAN_ID = re.compile(r"^[0-9a-f]{16}$")


def check_transaction(event, validator, where):
    """Sentry's event schema covers errors only: a transaction is checked
    against it without its transaction-only fields (start_timestamp, spans),
    and those against the span payload of Sentry's developer docs."""
    rest = {k: v for k, v in event.items() if k not in ("spans", "start_timestamp")}
    check_event(rest, validator, where)
    start, end = event.get("start_timestamp"), event.get("timestamp")
    if not isinstance(start, (int, float)) or not isinstance(end, (int, float)) \
            or start > end:
        raise EnvelopeError(f"{where}: bad start_timestamp/timestamp")
    if event.get("transaction_info", {}).get("source") not in (
            "custom", "url", "route", "view", "component", "task"):
        raise EnvelopeError(f"{where}: bad transaction_info.source")
    trace = event.get("contexts", {}).get("trace", {})
    for span in [trace] + event.get("spans", []):
        if not TRACE_ID.match(span.get("trace_id", "")) or \
                not SPAN_ID.match(span.get("span_id", "")):
            raise EnvelopeError(f"{where}: bad span ids {span}")
        if "parent_span_id" in span and not SPAN_ID.match(span["parent_span_id"]):
            raise EnvelopeError(f"{where}: bad parent_span_id {span}")
        if span.get("status", "ok") not in SPAN_STATUSES:
            raise EnvelopeError(f"{where}: bad span status {span}")
    for span in event.get("spans", []):
        if span["trace_id"] != trace.get("trace_id"):
            raise EnvelopeError(f"{where}: span of another trace {span}")
        if not isinstance(span.get("start_timestamp"), (int, float)) or \
                not isinstance(span.get("timestamp"), (int, float)) or \
                span["start_timestamp"] > span["timestamp"]:
            raise EnvelopeError(f"{where}: bad span timestamps {span}")
        if not all(isinstance(v, str) for v in span.get("tags", {}).values()):
            raise EnvelopeError(f"{where}: span tags must be strings {span}")


LOG_LEVELS = {"trace": 1, "debug": 5, "info": 9, "warn": 13, "error": 17,
              "fatal": 21}
METRIC_TYPES = ("counter", "gauge", "distribution")
CONTENT_TYPES = {"log": "application/vnd.sentry.items.log+json",
                 "trace_metric": "application/vnd.sentry.items.trace-metric+json"}
ATTRIBUTE_TYPES = {"string": (str,), "boolean": (bool,), "integer": (int,),
                   "double": (int, float)}


def check_records(kind, item_headers, headers, payload, where):
    """A log or trace_metric item: its headers, then every record."""
    if item_headers.get("content_type") != CONTENT_TYPES[kind]:
        raise EnvelopeError(f"{where}: content_type {item_headers.get('content_type')}")
    if "trace" in headers:
        raise EnvelopeError(f"{where}: {kind} envelopes carry no trace header")
    records = payload.get("items")
    if not isinstance(records, list) or not records:
        raise EnvelopeError(f"{where}: no items")
    if item_headers.get("item_count") != len(records):
        raise EnvelopeError(f"{where}: item_count {item_headers.get('item_count')}"
                            f" but {len(records)} items")
    if len(records) > 100:
        raise EnvelopeError(f"{where}: {len(records)} records (at most 100)")
    for record in records:
        if not isinstance(record.get("timestamp"), (int, float)):
            raise EnvelopeError(f"{where}: bad timestamp {record}")
        if not TRACE_ID.match(record.get("trace_id", "")):
            raise EnvelopeError(f"{where}: bad trace_id {record}")
        if "span_id" in record and not SPAN_ID.match(record["span_id"]):
            raise EnvelopeError(f"{where}: bad span_id {record}")
        if kind == "log":
            if LOG_LEVELS.get(record.get("level")) != record.get("severity_number"):
                raise EnvelopeError(f"{where}: bad level/severity {record}")
            if not isinstance(record.get("body"), str):
                raise EnvelopeError(f"{where}: bad body {record}")
        else:
            if record.get("type") not in METRIC_TYPES or \
                    not isinstance(record.get("name"), str) or \
                    isinstance(record.get("value"), bool) or \
                    not isinstance(record.get("value"), (int, float)):
                raise EnvelopeError(f"{where}: bad metric {record}")
        for key, attribute in record.get("attributes", {}).items():
            types = ATTRIBUTE_TYPES.get(attribute.get("type"))
            value = attribute.get("value")
            if types is None or not isinstance(value, types) or \
                    (attribute["type"] != "boolean" and isinstance(value, bool)):
                raise EnvelopeError(f"{where}: bad attribute {key}: {attribute}")


CHECK_IN_STATUSES = ("in_progress", "ok", "error")
INTERVAL_UNITS = ("year", "month", "week", "day", "hour", "minute")


def check_check_in(check_in, where):
    """A check-in payload as Sentry's develop docs describe it."""
    if not EVENT_ID.match(str(check_in.get("check_in_id", ""))):
        raise EnvelopeError(f"{where}: check_in_id is not 32 hex digits")
    slug = check_in.get("monitor_slug")
    if not isinstance(slug, str) or not 1 <= len(slug) <= 50:
        raise EnvelopeError(f"{where}: monitor_slug {slug!r}")
    if check_in.get("status") not in CHECK_IN_STATUSES:
        raise EnvelopeError(f"{where}: status {check_in.get('status')!r}")
    duration = check_in.get("duration")
    if duration is not None and not (
            isinstance(duration, (int, float)) and duration >= 0):
        raise EnvelopeError(f"{where}: duration {duration!r}")
    trace = check_in.get("contexts", {}).get("trace")
    if trace is not None and not EVENT_ID.match(str(trace.get("trace_id"))):
        raise EnvelopeError(f"{where}: contexts.trace.trace_id {trace!r}")
    config = check_in.get("monitor_config")
    if config is None:
        return
    schedule = config.get("schedule", {})
    if schedule.get("type") == "crontab":
        ok = isinstance(schedule.get("value"), str) and schedule["value"]
    elif schedule.get("type") == "interval":
        ok = (isinstance(schedule.get("value"), int) and schedule["value"] >= 1
              and schedule.get("unit") in INTERVAL_UNITS)
    else:
        ok = False
    if not ok:
        raise EnvelopeError(f"{where}: monitor_config.schedule {schedule!r}")
    for key in ("checkin_margin", "max_runtime", "failure_issue_threshold",
                "recovery_threshold"):
        if key in config and not (isinstance(config[key], int) and
                                  config[key] >= 0):
            raise EnvelopeError(f"{where}: monitor_config.{key} {config[key]!r}")


def check_feedback(event, validator, where):
    """A feedback item: an event of type "feedback" with contexts.feedback."""
    if event.get("type") != "feedback":
        raise EnvelopeError(f"{where}: type is {event.get('type')!r}")
    # The schema spells the type as Relay's enum variant (userreportv2);
    # SDKs send "feedback", which Relay reads as that variant.
    check_event(dict(event, type="userreportv2"), validator, where)
    message = event.get("contexts", {}).get("feedback", {}).get("message")
    if not isinstance(message, str) or not 1 <= len(message) <= 4096:
        raise EnvelopeError(f"{where}: contexts.feedback.message {message!r}")


def check_trace_header(headers, event, where):
    """An event's envelope carries its trace's DSC (all values strings)."""
    trace = headers.get("trace")
    context = event.get("contexts", {}).get("trace")
    if trace is None or context is None:
        raise EnvelopeError(f"{where}: no trace header or no trace context")
    if not all(isinstance(v, str) for v in trace.values()):
        raise EnvelopeError(f"{where}: trace header values must be strings")
    if trace.get("trace_id") != context.get("trace_id"):
        raise EnvelopeError(f"{where}: trace header is another trace's")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--stream")
    parser.add_argument("--dir")
    parser.add_argument("--events", type=int,
                        help="expected number of events")
    parser.add_argument("--transactions", type=int,
                        help="expected number of transactions")
    parser.add_argument("--logs", type=int, help="expected number of logs")
    parser.add_argument("--metrics", type=int,
                        help="expected number of metrics")
    parser.add_argument("--check-ins", type=int,
                        help="expected number of check-ins")
    parser.add_argument("--feedbacks", type=int,
                        help="expected number of feedback items")
    args = parser.parse_args()

    with open(args.schema) as f:
        validator = jsonschema.Draft7Validator(json.load(f))

    sources = []
    if args.stream:
        with open(args.stream, "rb") as f:
            sources.append((args.stream, f.read()))
    if args.dir:
        for name in sorted(os.listdir(args.dir)):
            if name.endswith(".envelope"):
                with open(os.path.join(args.dir, name), "rb") as f:
                    data = f.read()
                sources.append((name, data))

    events = []
    transactions = []
    records = {"log": [], "trace_metric": []}
    check_ins = []
    feedbacks = []
    try:
        for name, data in sources:
            envelopes = parse_stream(data)
            if args.dir and len(envelopes) != 1:
                raise EnvelopeError(f"{name}: {len(envelopes)} envelopes")
            for headers, items in envelopes:
                for item_headers, payload in items:
                    kind = item_headers["type"]
                    if kind in records:
                        where = f"{name} {kind}"
                        parsed = json.loads(payload)
                        check_records(kind, item_headers, headers, parsed, where)
                        for record in parsed["items"]:
                            records[kind].append(dict(record, _item=kind))
                        continue
                    if kind == "check_in":
                        check_in = json.loads(payload)
                        check_check_in(check_in, f"{name} {kind}")
                        check_ins.append(dict(check_in, _item=kind))
                        continue
                    if kind == "feedback":
                        feedback = json.loads(payload)
                        where = f"{name} {kind} {feedback.get('event_id')}"
                        check_feedback(feedback, validator, where)
                        header_id = str(headers.get("event_id", "")).replace(
                            "-", "")
                        if header_id != feedback["event_id"]:
                            raise EnvelopeError(
                                f"{where}: envelope event_id differs")
                        feedbacks.append(dict(feedback, _item=kind))
                        continue
                    if kind not in ("event", "transaction"):
                        continue
                    event = json.loads(payload)
                    where = f"{name} {kind} {event.get('event_id')}"
                    if kind == "transaction":
                        if event.get("type") != kind:
                            raise EnvelopeError(f"{where}: type is not {kind}")
                        check_transaction(event, validator, where)
                    else:
                        check_event(event, validator, where)
                    check_trace_header(headers, event, where)
                    # Dashed and undashed UUIDs are the same id.
                    header_id = str(headers.get("event_id", "")).replace("-", "")
                    if header_id != event["event_id"]:
                        raise EnvelopeError(f"{where}: envelope event_id differs")
                    (transactions if kind == "transaction" else events).append(
                        event)
    except EnvelopeError as e:
        print(f"check_envelopes: {e}", file=sys.stderr)
        return 1
    if args.events is not None and len(events) != args.events:
        print(f"check_envelopes: {len(events)} events, expected {args.events}",
              file=sys.stderr)
        return 1
    if (args.transactions is not None and
            len(transactions) != args.transactions):
        print(f"check_envelopes: {len(transactions)} transactions, expected "
              f"{args.transactions}", file=sys.stderr)
        return 1
    for flag, kind in ((args.logs, "log"), (args.metrics, "trace_metric")):
        if flag is not None and len(records[kind]) != flag:
            print(f"check_envelopes: {len(records[kind])} {kind} records, "
                  f"expected {flag}", file=sys.stderr)
            return 1
    if args.check_ins is not None and len(check_ins) != args.check_ins:
        print(f"check_envelopes: {len(check_ins)} check-ins, expected "
              f"{args.check_ins}", file=sys.stderr)
        return 1
    if args.feedbacks is not None and len(feedbacks) != args.feedbacks:
        print(f"check_envelopes: {len(feedbacks)} feedback items, expected "
              f"{args.feedbacks}", file=sys.stderr)
        return 1
    for event in (events + transactions + records["log"] +
                  records["trace_metric"] + check_ins + feedbacks):
        print(json.dumps(event, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
