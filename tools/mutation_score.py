#!/usr/bin/env python3
"""Prints PIT's mutation score per module from <module>/target/pit-reports/mutations.xml."""
import collections
import sys
import xml.etree.ElementTree as ET


def main(modules):
    worst = 100.0
    for module in modules:
        root = ET.parse(f"{module}/target/pit-reports/mutations.xml").getroot()
        status = collections.Counter(m.get("status") for m in root.iter("mutation"))
        total = sum(status.values())
        killed = status["KILLED"] + status["TIMED_OUT"] + status["MEMORY_ERROR"]
        score = 100.0 * killed / total if total else 0.0
        worst = min(worst, score)
        by_class = collections.Counter(m.findtext("mutatedClass") for m in root.iter("mutation") if m.get("status") == "SURVIVED")
        print(f"{module}: {score:.1f}% of {total} mutants killed ({killed}; survived {status['SURVIVED']}, "
              f"no coverage {status['NO_COVERAGE']})")
        for cls, n in by_class.most_common(5):
            print(f"    survivors in {cls}: {n}")
    print(f"lowest module score {worst:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
