#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ (a few inputs each).

Rerunning rewrites the same seeds (the public key of fuzz_pkey is made
once).  No private key is checked in.
Run from the repository root: python3 fuzz/make-seeds.py
"""
import os
import struct
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
NOW = 1767225600000  # 2026-01-01T00:00:00Z in ms


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


# webhook bodies of both sources (shapes from tests/unit/test_webhook.c)
put("webhook", "procore_v2", '{"id":123456789,"ulid":"0A1B2C3D4F5G6H7I8J9K0LMN",'
    '"timestamp":"2025-02-06T23:34:12.246562Z","metadata":{"source_user_id":987654321,'
    '"source_project_id":2468013579,"source_company_id":1357908642},"user_id":987654321,'
    '"company_id":1357908642,"project_id":2468013579,"api_version":"v2.0",'
    '"event_type":"update","resource_name":"Direct Cost Line Items","resource_id":379913}')
put("webhook", "procore_v4", '{"id":"01JMYXMZRBVKK0PC6XS8SA4QRE","timestamp":"2025-02-25T16:04:43.619085Z",'
    '"reason":"update","company_id":"8","project_id":"6778","user_id":"5447",'
    '"resource_type":"Direct Cost Line Items","resource_id":"379913"}')
put("webhook", "netsuite_push", '{"recordType":"purchaseOrder","id":"1442",'
    '"lastModifiedDate":"2026-11-26T16:12:48Z","user":-4,"executionContext":"RESTWEBSERVICES"}')
put("webhook", "not_object", '[1,2,3]')

put("csv", "mapping", "cost_code,cost_type,account\n01-100,L,11\n\"01-200\",\"M, L\",12\n")
put("csv", "money", "-1234.50")
put("config", "minimal", 'data_dir: "/tmp/x"\nstore: "sqlite:a.db"\nhttp:\n  listen: "127.0.0.1:8080"\n'
    '  trusted_proxies: "127.0.0.1/32, ::1"\nworkers: 4\nlog:\n  level: "info"\n')

# retry: 8 bytes clock, then retry-after \n rate-reset \n date \n status \n body
put("retry", "delta", u64(NOW) + b"120\n\n\n429\n")
put("retry", "date", u64(NOW) + b"Wed, 21 Oct 2026 07:28:00 GMT\n\nThu, 01 Jan 2026 00:00:00 GMT\n503\n")
put("retry", "reset", u64(NOW) + b"\n1767225630\n\n429\n{\"errors\":\"Rate limit exceeded\"}")
put("retry", "netsuite_401", u64(NOW) + b"\n\n\n401\n{\"o:errorDetails\":[{\"detail\":\"Invalid login attempt.\"}]}")

# xff: trusted list \n peer \n header lines
put("xff", "two_lines", "10.0.0.0/8, ::1\n10.0.0.1\n203.0.113.7\n198.51.100.1\n")
put("xff", "chain_v6", "fd00::/8,127.0.0.1\n::1\n2001:db8::5, fd00::1\n")
put("xff", "garbage", "10.0.0.0/8\n10.0.0.1\ngarbage, 1.2.3.4:5555, [2001:db8::9]\n")

# cron: 8 bytes instant (s), then the expression
t = NOW // 1000
put("cron", "steps", u64(t) + b"*/15 9-17 * * 1-5")
put("cron", "lists", u64(t) + b"0,30 2 1,15 1-12/3 0,7")
put("cron", "daily", u64(t) + b"@daily")

# tz: 8 bytes instant (s), then the name
put("tz", "new_york", u64(t) + b"America/New_York")
put("tz", "lord_howe", u64(t) + b"Australia/Lord_Howe")
put("tz", "utc", u64(t) + b"UTC")

put("url", "https", "https://1234567.suitetalk.api.netsuite.com/services/rest/record/v1/vendor?limit=5")
put("url", "loopback", "http://[::1]:8080/webhooks/netsuite/acme")
put("url", "escaped", "filters%5Borigin_id%5D=a+b%2Fc")

put("normalize", "legal", "ACME Concrete, Incorporated")
put("normalize", "nfkc", "\uff21\uff23\uff2d\uff25  L.L.C.")
put("normalize", "accents", "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale S.A.")

for i, s in enumerate(["1234.5", "-0.07", "+12", "1e3", "9223372036854775807",
                       "2026-11-26T16:12:48.123+05:30"]):
    put("number", "n%d" % i, s)

put("vault_key", "hex", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
put("vault_key", "base64", "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=")
put("vault_key", "base64url", "ABEiM0RVZneImaq7zN3u_wARIjNEVWZ3iJmqu8zd7v8")

put("response", "suiteql", '{"links":[],"count":2,"hasMore":false,"offset":0,"totalResults":2,'
    '"items":[{"id":"1442","tranid":"PO-7","total":"1234.50","rate":"0.0725","isinactive":"F"},'
    '{"id":1443,"total":12.5,"quantity":"3.00000","memo":null}]}')
put("response", "procore_list", '[{"id":4503599627370497,"full_code":"01-100","original_budget_amount":"1000.00",'
    '"budget_modifications":0,"cost_code_id":17,"category_id":"9"}]')
put("response", "procore_error", '{"errors":{"name":["has already been taken"]},"message":"Unprocessable"}')
put("response", "netsuite_error", '{"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",'
    '"title":"Bad Request","status":400,"o:errorDetails":[{"detail":"Invalid field value",'
    '"o:errorCode":"INVALID_CONTENT","o:errorPath":"item.items[0].rate"}]}')
put("response", "sync_reply", '{"entities":[{"id":5,"origin_id":"NS-1"}],"errors":[{"origin_id":"NS-2",'
    '"errors":{"base":["invalid"]}}]}')

# token: 8 bytes expires_in, 8 bytes clock, then the token
put("token", "procore", u64(7200) + u64(NOW) + b"eyJhbGciOiJIUzI1NiJ9.e30.sig")
put("token", "netsuite", u64(3600) + u64(NOW) + b"eyJraWQiOiJjZXJ0In0.payload.signature")
put("token", "short", u64(60) + u64(NOW) + b"t")

# pkey: no private key is checked in (fuzz/run.sh adds freshly generated
# ones to its scratch corpus); here a public key (refused: not private) and
# a private-key block cut short
if not os.path.exists(os.path.join(ROOT, "pkey", "ec_public")):
  pub = subprocess.run(["openssl", "pkey", "-pubout"], check=True, capture_output=True,
                     input=subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                           "ec_paramgen_curve:P-256"], check=True,
                                          capture_output=True).stdout).stdout
  put("pkey", "ec_public", pub)
put("pkey", "truncated", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
    "-----END PRIVATE KEY-----\n")
put("pkey", "encrypted_header", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")

# adapters: first byte picks the call (fuzz_adapters.c), the rest is the body
PAGE = '{"links":[],"count":%d,"hasMore":false,"offset":0,"totalResults":%d,"items":%s}'
def page(items):
    import json
    return PAGE % (len(items), len(items), json.dumps(items))
adapters = [
    '[{"id":1,"name":"Labor","code":"L"},{"id":"2","name":"Material","code":"M"}]',
    '[{"id":3,"name":"Original Budget"}]',
    '[{"id":17,"full_code":"01-100","parent":{"id":16}},{"id":"18","full_code":"01-200"}]',
    '[{"id":5,"cost_code_id":17,"category_id":1,"original_budget_amount":"1000.00",'
    '"budget_modifications":12.5}]',
    '[{"id":9,"name":"ACME Concrete, Inc.","origin_id":"NS-44","is_active":true}]',
    '[{"id":21,"origin_id":"NS-1","status":"draft"}]',
    page([{"id": "1", "periodname": "FY 2026", "s": "2026-01-01", "e": "2026-12-31"}]),
    page([{"id": "4", "account": "11", "total": "1200.00", "seg": "3", "subsidiary": "1",
           "department": None, "class": "", "location": "2", "category": "1"}]),
    page([{"id": "1442", "tranid": "PO-7", "trandate": "2026-11-26", "status": "B",
           "total": "1234.50", "memo": "x", "lastmodified": "2026-11-26T16:12:48Z",
           "transaction": "1442", "item": "7", "quantity": "3", "rate": "411.50",
           "netamount": "1234.50", "seg": "3", "expenseaccount": "11"}]),
    page([{"id": "1501", "tranid": "BILL-1", "trandate": "2026-11-27", "total": "100.00",
           "transaction": "1501", "netamount": "100.00", "seg": "3", "account": "11"}]),
    page([{"id": "3", "name": "01-100 Labor", "parent": "2", "isinactive": "F",
           "externalid": "cc-01-100"}]),
    page([{"id": "44", "externalid": "pc-9", "entityid": "ACME", "companyname": "ACME",
           "isinactive": "F", "lastmodified": "2026-11-26T16:12:48Z"}]),
]
for i, body in enumerate(adapters):
    put("adapters", "call%02d" % i, bytes([i]) + body.encode())
put("adapters", "error_400", bytes([8]) + b'{"o:errorDetails":[{"detail":"bad","o:errorCode":"INVALID_CONTENT"}]}')
