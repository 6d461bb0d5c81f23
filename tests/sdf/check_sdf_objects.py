#!/usr/bin/env python3
"""Offline checks of the SDF project in netsuite/ (issue 19).

`suitecloud project:validate` needs an account and Oracle's SDK, so this
checks what can be checked without them (docs/reference/netsuite.md,
"Verified facts for the NetSuite side"): every XML file is well-formed and
has the root element its kind needs; the segment carries the id the
connector uses (CSEG_DEFAULT in src/netsuite/cseg.h); the segment and its
value record point at each other; the script record names a file that
exists and that file is a SuiteScript 2.1 user event with an afterSubmit;
the deployments cover the records the issue lists and leave out the
connector's own REST writes; the manifest asks for the features used.

Usage: check_sdf_objects.py REPO_ROOT     (exit 0 when every check passes)
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def parse(path):
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        check(False, "%s: not well-formed XML: %s" % (path, e))
        return None


def text(root, tag):
    el = root.find(tag)
    return (el.text or "").strip() if el is not None else None


def ref(value):
    """'[scriptid=x]' -> 'x'; '[/SuiteScripts/a.js]' -> '/SuiteScripts/a.js'."""
    m = re.fullmatch(r"\[(?:scriptid=)?([^\]]+)\]", value or "")
    return m.group(1) if m else None


def main(root_dir):
    proj = os.path.join(root_dir, "netsuite")
    src = os.path.join(proj, "src")
    objects = os.path.join(src, "Objects")

    with open(os.path.join(root_dir, "src", "netsuite", "cseg.h")) as f:
        m = re.search(r'#define CSEG_DEFAULT "([a-z0-9_]+)"', f.read())
    if not check(m, "src/netsuite/cseg.h: no CSEG_DEFAULT"):
        return
    seg_id = m.group(1)
    values_id = "customrecord_" + seg_id

    # layout, as Oracle's samples have it
    for rel in ("suitecloud.config.js", "src/manifest.xml", "src/deploy.xml",
                "src/Objects", "src/FileCabinet/SuiteScripts"):
        check(os.path.exists(os.path.join(proj, rel)), "netsuite/%s is missing" % rel)
    with open(os.path.join(proj, "suitecloud.config.js")) as f:
        check(re.search(r"defaultProjectFolder:\s*'src'", f.read()),
              "suitecloud.config.js: defaultProjectFolder is not 'src'")

    # every XML file well-formed
    for d, _, files in os.walk(src):
        for name in files:
            if name.endswith(".xml"):
                parse(os.path.join(d, name))

    manifest = parse(os.path.join(src, "manifest.xml"))
    if manifest is not None:
        check(manifest.tag == "manifest", "manifest.xml: root is not <manifest>")
        check(manifest.get("projecttype") == "ACCOUNTCUSTOMIZATION",
              "manifest.xml: projecttype is not ACCOUNTCUSTOMIZATION")
        required = {f.text.strip() for f in manifest.iter("feature") if f.get("required") == "true"}
        for feat in ("CUSTOMSEGMENTS", "SERVERSIDESCRIPTING", "CUSTOMRECORDS"):
            check(feat in required, "manifest.xml: feature %s is not required" % feat)

    deploy = parse(os.path.join(src, "deploy.xml"))
    if deploy is not None:
        check(deploy.tag == "deploy", "deploy.xml: root is not <deploy>")
        paths = [p.text.strip() for p in deploy.iter("path")]
        check("~/Objects/*" in paths, "deploy.xml: does not deploy ~/Objects/*")
        check(any(p.startswith("~/FileCabinet/SuiteScripts") for p in paths),
              "deploy.xml: does not deploy the SuiteScripts folder")

    # the segment: two objects pointing at each other
    seg = parse(os.path.join(objects, seg_id + ".xml"))
    if seg is not None:
        check(seg.tag == "customsegment", "%s.xml: root is not <customsegment>" % seg_id)
        check(seg.get("scriptid") == seg_id, "%s.xml: scriptid is %r" % (seg_id, seg.get("scriptid")))
        check(len(seg_id) <= 19, "segment id longer than 19 characters")
        check(ref(text(seg, "recordtype")) == values_id,
              "%s.xml: recordtype does not point at %s" % (seg_id, values_id))
        check(text(seg, "label"), "%s.xml: no label" % seg_id)
        lines = {text(a, "id") for a in seg.findall("segmentapplication/transactionline/applications/application")
                 if text(a, "isapplied") == "T"}
        # SDF's application ids (customsegment_transactionline_application_id:
        # JOURNALENTRY, PURCHASE for vendor bills and purchase orders;
        # customsegment_otherrecords_application_id: BUDGETIMPORT), field
        # names checked against salto-io/salto's NetSuite adapter types
        for t in ("JOURNALENTRY", "PURCHASE"):
            check(t in lines, "%s.xml: not applied to %s lines" % (seg_id, t))
        other = {text(a, "id") for a in seg.findall("segmentapplication/otherrecords/applications/application")
                 if text(a, "isapplied") == "T"}
        check("BUDGETIMPORT" in other, "%s.xml: not applied to budgets (BUDGETIMPORT)" % seg_id)
        for grp in seg.findall("segmentapplication/*"):
            check(grp.tag in ("crm", "customrecords", "entities", "items", "otherrecords", "transactionbody",
                              "transactionline"), "%s.xml: unknown application group <%s>" % (seg_id, grp.tag))
    values = parse(os.path.join(objects, values_id + ".xml"))
    if values is not None:
        check(values.tag == "customrecordtype", "%s.xml: root is not <customrecordtype>" % values_id)
        check(values.get("scriptid") == values_id, "%s.xml: scriptid is %r" % (values_id, values.get("scriptid")))
        check(ref(text(values, "customsegment")) == seg_id,
              "%s.xml: customsegment does not point back at %s" % (values_id, seg_id))
        check(text(values, "recordname"), "%s.xml: no recordname" % values_id)

    # the push script record
    script = parse(os.path.join(objects, "customscript_mlc_push.xml"))
    if script is None:
        return
    check(script.tag == "usereventscript", "customscript_mlc_push.xml: root is not <usereventscript>")
    check(script.get("scriptid") == "customscript_mlc_push", "customscript_mlc_push.xml: scriptid")
    file_ref = ref(text(script, "scriptfile"))
    js = os.path.join(src, "FileCabinet", (file_ref or "").lstrip("/"))
    if check(file_ref and os.path.isfile(js),
             "customscript_mlc_push.xml: scriptfile %r does not exist under FileCabinet" % file_ref):
        with open(js) as f:
            code = f.read()
        check("@NApiVersion 2.1" in code and "@NScriptType UserEventScript" in code,
              "%s: not a SuiteScript 2.1 user event" % file_ref)
        check(re.search(r"afterSubmit\s*:", code), "%s: exports no afterSubmit" % file_ref)
        for p in script.iter("scriptcustomfield"):
            check("'%s'" % p.get("scriptid") in code,
                  "%s: does not read parameter %s" % (file_ref, p.get("scriptid")))
    params = {p.get("scriptid") for p in script.iter("scriptcustomfield")}
    check("custscript_mlc_push_url" in params, "no URL parameter")
    check(not any("secret" in (p or "") for p in params),
          "a script parameter holds the secret: use the API secret")

    wanted = {"VENDOR", "PURCHASEORDER", "VENDORBILL", "JOURNALENTRY", "JOB", values_id}
    seen = set()
    for d in script.iter("scriptdeployment"):
        rt = text(d, "recordtype")
        rt = ref(rt) or rt
        seen.add(rt)
        ctx = set((text(d, "executioncontext") or "").split("|"))
        check("RESTWEBSERVICES" not in ctx,
              "deployment %s runs on REST web services: the connector's writes would echo" % d.get("scriptid"))
        check("USERINTERFACE" in ctx and "CSVIMPORT" in ctx,
              "deployment %s misses user interface or CSV import saves" % d.get("scriptid"))
        # the deployment's elements, as salto-io/salto's usereventscript type names them
        for el in d:
            check(el.tag in ("status", "recordtype", "allemployees", "allpartners", "allroles", "auddepartment",
                             "audemployee", "audgroup", "audpartner", "audslctrole", "audsubsidiary", "eventtype",
                             "isdeployed", "loglevel", "runasrole", "alllocalizationcontexts", "executioncontext",
                             "localizationcontext"),
                  "deployment %s: unknown element <%s>" % (d.get("scriptid"), el.tag))
        check(text(d, "isdeployed") == "T", "deployment %s is not deployed" % d.get("scriptid"))
        check(text(d, "status") == "RELEASED", "deployment %s is not released" % d.get("scriptid"))
    check(seen == wanted, "deployments cover %s, want %s" % (sorted(seen), sorted(wanted)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_sdf_objects.py REPO_ROOT")
    main(sys.argv[1])
    for f in FAILURES:
        print("FAIL:", f)
    if FAILURES:
        sys.exit(1)
    print("sdf objects: all checks passed")
