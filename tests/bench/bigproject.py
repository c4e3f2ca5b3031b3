#!/usr/bin/env python3
"""bigproject.py - writes a CLU exported-project document of about SIZE
megabytes (many utterances), for the large-export benchmark.  The output
depends only on SIZE, and the utterances are formatted from a template
(their words need no JSON escaping), so 50 MB take a second or two.

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
# The text of utterance i depends on i mod len(words) only, apart from its
# number; so the sentences and the rest of each record are made once.
sentences = [" ".join(words[(i * 7 + k * 3) % len(words)] for k in range(12))
             for i in range(len(words))]
tmpl = ('{"text":"%s %d","intent":"%s","language":"en-us",'
        '"dataset":"%s"}')
out = [prefix, "["]
n = len(prefix) + 1 + len(suffix) + 1
i = 0
while n < size:
    u = tmpl % (sentences[i % len(words)], i, intents[i % len(intents)],
                "Train" if i % 5 else "Test")
    out.append("," + u if i else u)
    n += len(u) + 1
    i += 1
out.append("]" + suffix)
with open(sys.argv[2], "w") as f:
    f.write("".join(out))
