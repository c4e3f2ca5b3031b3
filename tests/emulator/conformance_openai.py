#!/usr/bin/python3
"""conformance_openai.py ENDPOINTS-FILE SPECS-DIR ACCOUNT

Replays the Azure OpenAI x-ms-examples under SPECS-DIR (management plane:
deployments, account, location models and usages, account models; data
plane: files and fine-tuning jobs) against the emulator's openai account
ACCOUNT, once per response status each example shows.  For each it builds
the state the example presumes through the real API, sends the example's
request (subscription, resource group and account are the emulator's; the
examples' model "ada" version "1", absent from the emulator's catalogue,
becomes text-embedding-ada-002 version "2"), and checks the status code,
the headers the swagger or the example declare, the body against the
swagger schema of that response, and that the body has every top-level
field of the example's (for lists: of its first item, across our items).
Prints "ok N - ..." lines; exits 1 on the first failure.
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

ENDPOINTS, SPECS, ACCT = sys.argv[1], sys.argv[2], sys.argv[3]
with open(ENDPOINTS) as fp:
    EP = json.load(fp)
ARM = EP["arm"]
SUB, RG = EP["subscription"], EP["resource_group"]
DATA = EP["resources"][ACCT]["endpoint"]
KEY = EP["resources"][ACCT]["key"]
ACCOUNT_ID = EP["resources"][ACCT]["id"]
CONTROL = EP["control"]
RM = "specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable"
DP = "specification/cognitiveservices/data-plane/AzureOpenAI/authoring/stable/2024-10-21"
ARM_SWAGGER = os.path.join(SPECS, RM, "2026-09-01/cognitiveservices.deployments-subset.json")
DP_SWAGGER = os.path.join(SPECS, DP, "azureopenai.files-finetuning-subset.json")
ACCT_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.CognitiveServices/accounts/{accountName}"
LOC_PATH = "/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}"
DEP = ACCT_PATH + "/deployments/{deploymentName}"

# example -> (method, path template, schema override or None,
#             {status: setup steps})
OPS = {
    "GetDeployment.json": ("GET", DEP, None, {200: ["deploy"]}),
    "ListDeployments.json": ("GET", ACCT_PATH + "/deployments", None, {200: ["deploy"]}),
    "PutDeployment.json": ("PUT", DEP, None, {201: [], 200: ["deploy-same"]}),
    "UpdateDeployment.json": ("PATCH", DEP, None, {200: ["deploy-2"], 202: ["deploy-2", "slow"]}),
    "DeleteDeployment.json": ("DELETE", DEP, None, {200: ["deploy"], 202: ["deploy", "slow"], 204: []}),
    "GetAccount.json": ("GET", ACCT_PATH, "Account", {200: []}),
    "ListLocationModels.json": ("GET", LOC_PATH + "/models", None, {200: []}),
    "ListUsages.json": ("GET", LOC_PATH + "/usages", None, {200: ["deploy"]}),
    "ListAccountModels.json": ("GET", ACCT_PATH + "/models", "AccountModelListResult", {200: ["finetune"]}),
    "upload_file.json": ("POST", "/files", None, {201: []}),
    "get_file.json": ("GET", "/files/{file-id}", None, {200: ["file"]}),
    "post_finetuning_job.json": ("POST", "/fine_tuning/jobs", None, {201: ["file"]}),
    "get_finetuning_job.json": ("GET", "/fine_tuning/jobs/{fine-tuning-job-id}", None, {200: ["finetune"]}),
}
TRAIN = "".join('{"messages":[{"role":"user","content":"q%d"},{"role":"assistant","content":"a"}]}\n' % i
                for i in range(10)).encode()


def call(method, url, body=None, headers=None, ctype="application/json"):
    data = None
    h = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = ctype
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def token():
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials", "client_id": "emulator-client",
        "client_secret": "emulator-secret",
        "scope": "https://management.azure.com/.default"}).encode()
    st, _, out = call("POST", EP["token_endpoint"], form,
                      ctype="application/x-www-form-urlencoded")
    if st != 200:
        raise SystemExit("token: %d %s" % (st, out))
    return json.loads(out)["access_token"]


BEARER = {"Authorization": "Bearer " + token()}
APIKEY = {"api-key": KEY}


def arm(method, path, body=None):
    return call(method, path if path.startswith("http") else ARM + path, body, BEARER)


def data(method, path, body=None, ctype="application/json"):
    return call(method, DATA + "/openai" + path, body, APIKEY, ctype)


def ctl(method, path, body=None):
    st, _, out = call(method, CONTROL + path, body)
    if st >= 400:
        raise SystemExit("control %s %s: %d %s" % (method, path, st, out))


def header(h, name):
    for k, v in h.items():
        if k.lower() == name.lower():
            return v
    return None


def multipart(purpose, filename, content):
    b = "----conformance7d1f"
    out = ("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n%s\r\n"
           "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n" % (b, purpose, b, filename)).encode()
    out += content + ("\r\n--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def swap_model(body):
    """The examples' model "ada" version "1" -> text-embedding-ada-002 "2"."""
    s = json.dumps(body)
    return json.loads(s.replace('"name": "ada"', '"name": "text-embedding-ada-002"')
                      .replace('"version": "1"', '"version": "2"'))


def dep_body(capacity=1):
    return {"sku": {"name": "Standard", "capacity": capacity},
            "properties": {"model": {"format": "OpenAI", "name": "text-embedding-ada-002", "version": "2"}}}


def wait_op(url):
    for _ in range(600):
        st, _, out = arm("GET", url)
        if json.loads(out).get("status") in ("Succeeded", "Failed", "Canceled"):
            return
        time.sleep(0.02)
    raise SystemExit("operation %s did not end" % url)


def upload_processed():
    body, ct = multipart("fine-tune", "train.jsonl", TRAIN)
    st, _, out = data("POST", "/files?api-version=2024-10-21", body, ct)
    if st != 201:
        raise SystemExit("upload: %d %s" % (st, out))
    fid = json.loads(out)["id"]
    data("GET", "/files/%s?api-version=2024-10-21" % fid)
    return fid


def permissive(sw):
    """Dangling $refs (common-types, definitions left out of the subsets)
    become permissive schemas; ProxyResource gets its id/name/type."""
    defs = sw["definitions"]
    proxy = {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "type": {"type": "string"}, "systemData": {"type": "object"}}}

    def walk(o):
        if isinstance(o, dict):
            r = o.get("$ref")
            if isinstance(r, str):
                if r.endswith("/ProxyResource"):
                    o.clear()
                    o.update(proxy)
                    return
                if not r.startswith("#/definitions/") or r.split("/")[-1] not in defs:
                    o.clear()
                    return
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    sw = copy.deepcopy(sw)
    walk(sw)
    return sw


def schema_check(sw, ref, body, what):
    v = jsonschema.Draft4Validator({"$ref": ref}, resolver=jsonschema.RefResolver.from_schema(sw))
    errs = sorted(v.iter_errors(body), key=lambda e: list(e.path))
    if errs:
        raise SystemExit("%s: %s at %s" % (what, errs[0].message, list(errs[0].path)))


def main():
    swaggers = {"arm": permissive(json.load(open(ARM_SWAGGER))),
                "dp": permissive(json.load(open(DP_SWAGGER)))}
    files = sorted(glob.glob(os.path.join(SPECS, "**/examples/**/*.json"), recursive=True))
    n = 0
    for path in files:
        base = os.path.basename(path)
        if ("resource-manager" not in path and "AzureOpenAI" not in path) or base not in OPS:
            continue
        plane = "dp" if "AzureOpenAI" in path else "arm"
        with open(path) as fp:
            ex = json.load(fp)
        method, tmpl, override, cases = OPS[base]
        for status_s, expect in ex["responses"].items():
            status = int(status_s)
            if status not in cases:
                raise SystemExit("%s: no setup for status %d" % (base, status))
            params = dict(ex["parameters"])
            ver = params["api-version"]
            ctl("POST", "/reset")  # also forgets tokens
            BEARER["Authorization"] = "Bearer " + token()
            ctl("POST", "/job-time", {"all": "0"})
            dname = params.get("deploymentName", "deploymentName")
            dep_url = ARM + ACCOUNT_ID + "/deployments/" + dname + "?api-version=" + ver
            for step in cases[status]:
                if step.startswith("deploy"):
                    body = dep_body(2 if step == "deploy-2" else 1)
                    st, h, out = arm("PUT", dep_url, body)
                    if st != 201:
                        raise SystemExit("setup PUT: %d %s" % (st, out))
                    wait_op(header(h, "Azure-AsyncOperation"))
                elif step == "slow":
                    ctl("POST", "/job-time", {"deployment": "manual:5"})
                elif step == "file":
                    params["file-id"] = upload_processed()
                    if "fineTuningJob" in params:
                        params["fineTuningJob"] = dict(params["fineTuningJob"],
                                                       training_file=params["file-id"],
                                                       model="gpt-4o-mini-2024-07-18")
                elif step == "finetune":
                    fid = upload_processed()
                    st, h, out = data("POST", "/fine_tuning/jobs?api-version=2024-10-21",
                                      {"model": "gpt-4o-mini-2024-07-18", "training_file": fid})
                    if st != 201:
                        raise SystemExit("setup job: %d %s" % (st, out))
                    params["fine-tuning-job-id"] = json.loads(out)["id"]
                    data("GET", "/fine_tuning/jobs/%s?api-version=2024-10-21" % params["fine-tuning-job-id"])
            # the example's own request
            what = "%s %d (%s)" % (os.path.relpath(path, SPECS), status, ex.get("operationId", base))
            if plane == "arm":
                p = tmpl.replace("{subscriptionId}", SUB).replace("{resourceGroupName}", RG) \
                    .replace("{accountName}", ACCT).replace("{deploymentName}", dname) \
                    .replace("{location}", params.get("location", ""))
                body = params.get("deployment")
                if body is not None:
                    body = swap_model(body)
                st, h, out = arm(method, p + "?api-version=" + ver, body)
                op = swaggers["arm"]["paths"].get(tmpl, {}).get(method.lower())
            else:
                p = tmpl
                for k in ("file-id", "fine-tuning-job-id"):
                    p = p.replace("{%s}" % k, str(params.get(k, "")))
                if base == "upload_file.json":
                    body, ct = multipart(params["purpose"], "puppy.jsonl", TRAIN)
                    st, h, out = data(method, p + "?api-version=" + ver, body, ct)
                else:
                    st, h, out = data(method, p + "?api-version=" + ver, params.get("fineTuningJob"))
                op = swaggers["dp"]["paths"][tmpl][method.lower()]
            if st != status:
                raise SystemExit("%s: HTTP %d, want %d: %s" % (what, st, status, out))
            declared = list((op or {}).get("responses", {}).get(status_s, {}).get("headers", {}))
            for name in declared + list((expect.get("headers") or {})):
                if not header(h, name):
                    raise SystemExit("%s: no %s header: %s" % (what, name, h))
            if "body" in expect:
                got = json.loads(out)
                if not header(h, "content-type").startswith("application/json"):
                    raise SystemExit("%s: content type %s" % (what, header(h, "content-type")))
                if override:
                    ref = "#/definitions/" + override
                else:
                    ref = op["responses"][status_s]["schema"]["$ref"]
                schema_check(swaggers[plane], ref, got, what)
                want = expect["body"]
                missing = [k for k in want if k not in got]
                if want.get("value") and got.get("value"):
                    keys = set().union(*[set(v) for v in got["value"]])
                    missing += ["value[0]." + k for k in want["value"][0] if k not in keys]
                if missing:
                    raise SystemExit("%s: response lacks %s: %s" % (what, missing, out))
            elif status in (202, 204) and out:
                raise SystemExit("%s: a %d with a body" % (what, status))
            n += 1
            print("ok %d - %s" % (n, what))
    if n < 17:
        raise SystemExit("only %d example responses replayed" % n)


main()
