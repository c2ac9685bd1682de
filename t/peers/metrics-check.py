#!/usr/bin/python3
"""Checks a Prometheus text exposition (version 0.0.4) read from FILE.

metrics-check.py FILE

Strict format check, always: every line is a HELP, a TYPE or a sample;
metric and label names are valid, label values are quoted with only \\\\,
\\" and \\n escaped; a family's HELP and TYPE come before its samples and
once; no series twice; values are numbers.  Then, when the Debian package
python3-prometheus-client is installed, its parser must read the whole
text with the same families (prints "parser: prometheus_client" or
"parser: none").  Exits 1 with the first problem.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(%s(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))
META = re.compile(r"^# (HELP|TYPE) (%s) (.*)$" % NAME)


def fail(msg):
    print(msg)
    sys.exit(1)


def strict(text):
    if not text.endswith("\n"):
        fail("the text does not end with a newline")
    help_, type_, sampled, series = {}, {}, set(), set()
    for n, line in enumerate(text.splitlines(), 1):
        m = META.match(line)
        if m:
            kind, name, rest = m.groups()
            seen = help_ if kind == "HELP" else type_
            if name in seen:
                fail("line %d: second %s for %s" % (n, kind, name))
            if name in sampled:
                fail("line %d: %s of %s after its samples" % (n, kind, name))
            if kind == "TYPE" and rest not in ("counter", "gauge", "untyped"):
                fail("line %d: type %r" % (n, rest))
            seen[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("line %d: not a sample: %r" % (n, line))
        name, labels, value = m.group(1), m.group(2) or "", m.group(4)
        if name not in type_:
            fail("line %d: %s has no TYPE before it" % (n, name))
        try:
            float(value)
        except ValueError:
            fail("line %d: value %r" % (n, value))
        if (name, labels) in series:
            fail("line %d: series twice: %s%s" % (n, name, labels))
        series.add((name, labels))
        sampled.add(name)
    return set(type_)


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    families = strict(text)
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        print("parser: none")
        return
    got = set()
    for fam in text_string_to_metric_families(text):
        got.add(fam.name + "_total" if fam.type == "counter" and fam.name + "_total" in families else fam.name)
    if got != families:
        fail("prometheus_client read other families: %s" % sorted(got ^ families))
    print("parser: prometheus_client")


if __name__ == "__main__":
    main()
