#!/usr/bin/python3
"""conformance.py ENDPOINTS-FILE SPECS-DIR RESOURCE

Replays every Language authoring x-ms-example under SPECS-DIR that the
emulator implements against RESOURCE: first builds the state the example
presumes (through the real API: import, train, deploy, a job to look at),
then sends the example's request and checks the status code, the required
headers, that the body validates against the swagger schema of that
operation's response, and that it has every top-level field the example's
response has.  Prints "ok N - ..." lines; exits 1 on the first failure.
"""

import copy
import glob
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import jsonschema

ENDPOINTS, SPECS, RES = sys.argv[1], sys.argv[2], sys.argv[3]
with open(ENDPOINTS) as fp:
    EP = json.load(fp)
BASE = EP["resources"][RES]["endpoint"]
KEY = EP["resources"][RES]["key"]
CONTROL = EP["control"]
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(SPECS)), "projects")

LANG = "specification/cognitiveservices/data-plane/Language/stable"
SWAGGER = {
    "conv": os.path.join(SPECS, LANG, "2025-11-01/analyzeconversations-authoring.json"),
    "text": os.path.join(SPECS, LANG, "2023-04-01/analyzetext-authoring.json"),
}
FAMSEG = {"conv": "analyze-conversations", "text": "analyze-text"}

# example file name -> (method, path after /projects, setup steps)
OPS = {
    "SuccessfulListProjects.json": ("GET", "", ["seed-listed"]),
    "SuccessfulGetProject.json": ("GET", "/{projectName}", ["seed", "train", "deploy"]),
    "SuccessfulImportProject.json": ("POST", "/{projectName}/:import", []),
    "SuccessfulExportProject.json": ("POST", "/{projectName}/:export", ["seed"]),
    "SuccessfulGetExportStatus.json": ("GET", "/{projectName}/export/jobs/{jobId}", ["seed", "export-job"]),
    "SuccessfulGetExportResult.json": ("GET", "/{projectName}/export/jobs/{jobId}/result", ["seed", "export-job", "wait"]),
    "SuccessfulGetImportStatus.json": ("GET", "/{projectName}/import/jobs/{jobId}", ["import-job"]),
    "SuccessfulTrainProject.json": ("POST", "/{projectName}/:train", ["seed"]),
    "SuccessfulGetTrainStatus.json": ("GET", "/{projectName}/train/jobs/{jobId}", ["seed", "train-job"]),
    "SuccessfulGetModel.json": ("GET", "/{projectName}/models/{trainedModelLabel}", ["seed", "train"]),
    "SuccessfulDeployProject.json": ("PUT", "/{projectName}/deployments/{deploymentName}", ["seed", "train"]),
    "SuccessfulGetDeploymentStatus.json": ("GET", "/{projectName}/deployments/{deploymentName}/jobs/{jobId}", ["seed", "train", "deploy-job"]),
    "SuccessfulGetDeployment.json": ("GET", "/{projectName}/deployments/{deploymentName}", ["seed", "train", "deploy"]),
}
# operations with no declared path in the GA swaggers (reference §4.3)
UNDECLARED = {"/{projectName}/export/jobs/{jobId}/result": {
    "conv": "AnalyzeConversationAuthoringExportedProject",
    "text": "TextAnalysisAuthoringExportedProject"}}


def call(method, url, body=None, headers=None, ctype="application/json"):
    data = None
    h = {"Ocp-Apim-Subscription-Key": KEY}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = ctype
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def ctl(method, path, body=None):
    st, _, out = call(method, CONTROL + path, body)
    if st >= 400:
        raise SystemExit("control %s %s: %d %s" % (method, path, st, out))


def header(h, name):
    for k, v in h.items():
        if k.lower() == name.lower():
            return v
    return None


def url(fam, path, ver, query=None):
    q = {"api-version": ver}
    q.update(query or {})
    return "%s/language/authoring/%s/projects%s?%s" % (
        BASE, FAMSEG[fam], path, urllib.parse.urlencode(q))


def wait(job_url):
    for _ in range(600):
        st, _, out = call("GET", job_url)
        state = json.loads(out)
        if state.get("status") in ("succeeded", "failed", "cancelled"):
            if state["status"] != "succeeded":
                raise SystemExit("job %s: %s" % (job_url, out))
            return state
        time.sleep(0.02)
    raise SystemExit("job %s did not end" % job_url)


def started(st, h, out, what):
    if st != 202:
        raise SystemExit("%s: HTTP %d %s" % (what, st, out))
    return header(h, "operation-location")


def fixture(fam, kind):
    name = {"Conversation": "clu-travel", "Orchestration": "orchestration-router",
            "CustomSingleLabelClassification": "text-single",
            "CustomMultiLabelClassification": "text-multi",
            "CustomEntityRecognition": "text-ner"}[kind]
    with open(os.path.join(FIXTURES, name + ".json")) as fp:
        return json.load(fp)


def seed(fam, name, kind):
    doc = fixture(fam, kind)
    doc["metadata"]["projectName"] = name
    st, h, out = call("POST", url(fam, "/%s/:import" % name, "2023-04-01"), doc)
    wait(started(st, h, out, "seed import"))


def train_body(fam, label):
    b = {"modelLabel": label, "trainingConfigVersion": "latest"}
    if fam == "conv":
        b["trainingMode"] = "standard"
    return b


def job_id(loc):
    return urllib.parse.urlparse(loc).path.rsplit("/", 1)[1]


def resolver_for(swagger):
    return jsonschema.RefResolver.from_schema(swagger)


def schema_check(swagger, ref, body, what):
    defs = copy.deepcopy(swagger)
    # Caveat 6 of the specs index: assignedResources is listed as required
    # but absent from that version's own example; treat it as optional.
    for d in defs["definitions"].values():
        if "required" in d and "assignedResources" in d["required"]:
            d["required"] = [r for r in d["required"] if r != "assignedResources"]
        # The examples (and reference §2.1) end lists with "nextLink": null,
        # which the swaggers' plain string type does not allow.
        nl = d.get("properties", {}).get("nextLink")
        if nl is not None:
            nl["type"] = ["string", "null"]
    schema = {"$ref": ref}
    v = jsonschema.Draft4Validator(schema, resolver=resolver_for(defs))
    errs = sorted(v.iter_errors(body), key=lambda e: list(e.path))
    if errs:
        raise SystemExit("%s: %s at %s" % (what, errs[0].message, list(errs[0].path)))


def family_of(path):
    return "conv" if "analyzeconversations" in path else "text"


def main():
    files = sorted(glob.glob(os.path.join(SPECS, "**/examples/**/*.json"), recursive=True))
    swaggers = {k: json.load(open(v)) for k, v in SWAGGER.items()}
    n = 0
    for path in files:
        base = os.path.basename(path)
        if "Language" not in path or base not in OPS:
            continue
        fam = family_of(path)
        with open(path) as fp:
            ex = json.load(fp)
        method, tmpl, setup = OPS[base]
        params = dict(ex["parameters"])
        ver = params["api-version"]
        status = int(next(iter(ex["responses"])))
        expect = ex["responses"][str(status)]
        ctl("POST", "/reset")
        ctl("POST", "/job-time", {"all": "0"})
        name = params.get("projectName")
        kind = None
        body = params.get("body")
        for src in (expect.get("body") or {}, (body or {}).get("metadata") or {}):
            kind = kind or src.get("projectKind")
        kind = kind or ("Conversation" if fam == "conv" else "CustomEntityRecognition")
        label = params.get("trainedModelLabel") or (body or {}).get("trainedModelLabel") or "model1"
        for step in setup:
            if step == "seed-listed":
                for p in expect["body"]["value"]:
                    seed(fam, p["projectName"], p["projectKind"])
                    if "lastTrainedDateTime" in p:
                        st, h, out = call("POST", url(fam, "/%s/:train" % p["projectName"], "2023-04-01"),
                                          train_body(fam, "m"))
                        wait(started(st, h, out, "train"))
                    if "lastDeployedDateTime" in p:
                        st, h, out = call("PUT", url(fam, "/%s/deployments/d" % p["projectName"], "2023-04-01"),
                                          {"trainedModelLabel": "m"})
                        wait(started(st, h, out, "deploy"))
            elif step == "seed":
                seed(fam, name, kind)
            elif step == "train":
                st, h, out = call("POST", url(fam, "/%s/:train" % name, "2023-04-01"), train_body(fam, label))
                wait(started(st, h, out, "train"))
            elif step == "deploy" or step == "deploy-job":
                st, h, out = call("PUT", url(fam, "/%s/deployments/%s" % (name, params.get("deploymentName", "production")), "2023-04-01"),
                                  {"trainedModelLabel": label})
                loc = started(st, h, out, "deploy")
                if step == "deploy":
                    wait(loc)
                params["jobId"] = job_id(loc)
            elif step == "export-job":
                st, h, out = call("POST", url(fam, "/%s/:export" % name, ver, {"stringIndexType": "Utf16CodeUnit"}))
                params["jobId"] = job_id(started(st, h, out, "export"))
                job_loc = header(h, "operation-location")
            elif step == "wait":
                wait(job_loc)
            elif step == "import-job":
                doc = fixture(fam, kind)
                st, h, out = call("POST", url(fam, "/%s/:import" % name, ver), doc)
                params["jobId"] = job_id(started(st, h, out, "import"))
            elif step == "train-job":
                ctl("POST", "/job-time", {"train": "manual:1"})
                st, h, out = call("POST", url(fam, "/%s/:train" % name, ver), train_body(fam, "model1"))
                params["jobId"] = job_id(started(st, h, out, "train"))
        # replay the example's own request
        path_part = tmpl
        for k, v in params.items():
            path_part = path_part.replace("{%s}" % k, urllib.parse.quote(str(v), safe=""))
        query = {k: v for k, v in params.items() if k in ("stringIndexType", "top", "skip", "maxpagesize")}
        st, h, out = call(method, url(fam, path_part, ver, query), body)
        what = "%s (%s)" % (os.path.relpath(path, SPECS), ex.get("operationId"))
        if st != status:
            raise SystemExit("%s: HTTP %d, want %d: %s" % (what, st, status, out))
        if status == 202:
            loc = header(h, "operation-location")
            if not loc or not loc.startswith(BASE + "/language/authoring/") or ("api-version=" + ver) not in loc:
                raise SystemExit("%s: operation-location %r" % (what, loc))
            if out:
                raise SystemExit("%s: a 202 with a body" % what)
        if "body" in expect:
            got = json.loads(out)
            if not header(h, "content-type", ).startswith("application/json"):
                raise SystemExit("%s: content type %s" % (what, header(h, "content-type")))
            sw = swaggers[fam]
            if tmpl in UNDECLARED:
                ref = "#/definitions/" + UNDECLARED[tmpl][fam]
            else:
                op = sw["paths"]["/authoring/%s/projects%s" % (FAMSEG[fam], tmpl)][method.lower()]
                ref = op["responses"][str(status)]["schema"]["$ref"]
            schema_check(sw, ref, got, what)
            want = expect["body"]
            missing = [k for k in want if k not in got]
            if "value" in want and want["value"] and got.get("value"):
                missing += ["value[0]." + k for k in want["value"][0] if k not in got["value"][0]]
            if missing:
                raise SystemExit("%s: response lacks %s: %s" % (what, missing, out))
        n += 1
        print("ok %d - %s" % (n, what))
    if n < 20:
        raise SystemExit("only %d examples replayed" % n)


main()
