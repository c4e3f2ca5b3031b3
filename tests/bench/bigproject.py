#!/usr/bin/env python3
"""bigproject.py - writes a CLU exported-project document of about SIZE
megabytes (many utterances), for the large-export benchmark.

Usage: bigproject.py SIZE_MB OUT.json"""
import json
import sys

size = int(float(sys.argv[1]) * 1024 * 1024)
intents = ["Intent%02d" % i for i in range(20)] + ["None"]
words = ("book flight hotel paris berlin rome tomorrow tonight cheap "
         "window seat aisle return one way business economy please "
         "need want find show me the a to from for with at next").split()
head = {
    "projectFileVersion": "2023-04-01",
    "stringIndexType": "Utf16CodeUnit",
    "metadata": {
        "projectKind": "Conversation",
        "settings": {"confidenceThreshold": 0.7},
        "projectName": "Big",
        "multilingual": False,
        "description": "benchmark: a large project",
        "language": "en-us",
    },
    "assets": {
        "projectKind": "Conversation",
        "intents": [{"category": c} for c in intents],
        "entities": [],
        "utterances": [],
    },
}
text = json.dumps(head, separators=(",", ":"))
prefix, suffix = text.rsplit("[]", 1)
with open(sys.argv[2], "w") as f:
    f.write(prefix + "[")
    n = len(prefix) + 1 + len(suffix) + 1
    i = 0
    while n < size:
        t = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(12))
        u = json.dumps({"text": "%s %d" % (t, i),
                        "intent": intents[i % len(intents)],
                        "language": "en-us",
                        "dataset": "Train" if i % 5 else "Test"},
                       separators=(",", ":"))
        f.write(("," if i else "") + u)
        n += len(u) + 1
        i += 1
    f.write("]" + suffix)
