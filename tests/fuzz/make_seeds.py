#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target to tests/fuzz/corpus/<target>/ (run from the repo
root). The seeds are small hand-written inputs in the shapes real exports take (CRM CSV exports,
CDNOW-like fixed-width text, Online-Retail-like invoices with cancellations, Russian exports with
dd.mm.yyyy dates and decimal commas, the simulator's side files) and the repo's example configs;
none is copied from ../shared/data. Option bytes come first where a target reads them (see
fuzz_targets.hpp). The corpus is committed; re-running this script rewrites it identically.
With an argument DIR it writes there instead (ctest FuzzSeedsCurrent compares DIR with the
committed corpus, so a changed example config cannot leave a stale seed behind)."""

import gzip
import json
import os
import re
import shutil
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def csv_byte(delimiter=0, header=True, ragged=False):
    """First option byte of csv_options(): delimiter index (auto , ; tab | whitespace)."""
    return bytes([delimiter | (0x08 if header else 0) | (0x10 if ragged else 0)])


# Transaction-like texts: (name, text, delimiter index, header).
CRM = (
    "customer_id,order_date,amount,quantity,price,margin,order_id,product\n"
    "1001,2021-03-04,120.50,2,60.25,30.1,A-1,sku-17\n"
    "1002,2021-03-04 12:50:00,15,1,15,4,A-2,sku-3\n"
    "1001,2021-04-11T09:15:30Z,-20.00,-1,20,-5,C9001,sku-17\n"
    '"1003","2021-05-01","1e3","1","1000","100","A-3","sku, ""deluxe"""\n'
    "1002,2021-05-30+03:00,0,1,0,0,A-4,sku-3\n"
    ",2021-06-01,5,1,5,1,A-5,sku-9\n"
)
CDNOW = (
    "00001 19970101  1  11.77\n"
    "00002 19970112  1  12.00\n"
    "00002 19970112  5  77.00\n"
    "00003 19970102  2  20.76\n"
    "00003 19970330  2  20.76\n"
    "00003 19970402  2  19.54\n"
)
RUSSIAN = (
    "клиент;дата;сумма;кол-во;цена;себестоимость;заказ;товар\n"
    "Иванов;09.12.2011 14:05;1 234,56;2;617,28;900,00;З-1;чай\n"
    "Петрова;10.12.2011;99,90;1;99,90;50;З-2;кофе\n"
    "Иванов;31.12.2011 23:59:59;-100,00;-1;100;60;З-3;чай\n"
)
RETAIL = (
    "InvoiceNo\tStockCode\tQuantity\tInvoiceDate\tUnitPrice\tCustomerID\n"
    "536365\t85123A\t6\t12/1/2010 8:26\t2.55\t17850\n"
    "C536379\tD\t-1\t12/1/2010 9:41\t27.5\t14527\n"
    "536381\t22719\t1\t12/13/2010 9:41\t1.95\t15311\n"
)
SLASHES = "id|when|value\nx|01/02/2020|1\ny|2020/03/04|2\nz|13/01/2020|3\n"
TRICKY = (
    "\ufeffcustomer,date,amount\r\n"
    "c1,2020-02-29,1\r\n"
    "c2,2021-02-29,1\r\n"
    "c3,0000-01-01,5\r\n"
    "c4,9999-12-31,5\r\n"
    "c5,2020-01-01,1e308\r\n"
    "c5,2020-01-02,1e308\r\n"
    "c6,2020-01-03,nan\r\n"
    'c7,"2020-01-04,3\r\n'
)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)

    texts = [("crm", CRM, 1, True), ("cdnow", CDNOW, 5, False), ("russian", RUSSIAN, 2, True),
             ("retail", RETAIL, 3, True), ("slashes", SLASHES, 4, True),
             ("tricky", TRICKY, 0, True)]

    # csv: option byte, field-limit byte, text.
    for name, text, delim, header in texts:
        write("csv", name, csv_byte(delim, header) + b"\x00" + text.encode())
        write("csv", name + "_auto_ragged", csv_byte(0, header, True) + b"\x83" + text.encode())
    write("csv", "quotes", csv_byte(1) + b"\x00" + b'a,b\n"x\ny",z\n"q""q",\n,\n\n"open')
    write("csv", "gzip", csv_byte(1) + b"\x00" + gzip.compress(CRM.encode(), mtime=0))
    write("csv", "utf16", csv_byte(1) + b"\x00" + "a,b\n1,2\n".encode("utf-16"))
    write("csv", "limits", bytes([0x69]) + b"\x00" + b"a,b,c,d,e,f,g,h,i,j\n" + b"x" * 100)

    # load: csv byte, policy/date-format byte, columns byte, time-zone/unit byte, [pattern], text.
    def load(name, text, delim, header, b1, b2, b3=24, pattern=None):
        head = csv_byte(delim, header) + bytes([b1, b2, b3])
        if pattern is not None:
            head += pattern.encode() + b"\n"
        write("load", name, head + text.encode())

    load("crm_amount", CRM, 1, True, 0x00, 0x01 | 0x20 | 0x40)
    load("crm_price_cost_skip", CRM, 1, True, 0x20, 0x02 | 0x04 | 0x10 | 0x20)
    load("crm_margin_drop_iso", CRM, 0, True, 0x40 | 0x01, 0x01 | 0x08)
    load("cdnow_yyyymmdd", CDNOW.replace(" 1 ", " ").replace("  ", " "), 5, False, 0x02, 0x01)
    load("russian_comma", RUSSIAN, 2, True, 0x80 | 0x03, 0x01 | 0x02 | 0x10 | 0x20, 30)
    load("retail_pattern", "StockCode\tInvoiceDate\tQuantity\tCustomerID\tUnitPrice\n"
         "85123A\t12/1/2010 8:26\t6\t17850\t2.55\n22719\t12/13/2010 9:41\t-1\t15311\t1.95\n",
         3, True, 0x04, 0x02 | 0x04, 24, "%m/%d/%Y %H:%M")
    load("slash_pattern", SLASHES, 4, True, 0x05, 0x01, 24, "%d/%m/%Y")
    load("month_names", "c,d,a\nx,5 Jan 2020,1\ny,17 Feb 99,2\n", 1, True, 0x24, 0x01, 24,
         "%d %b %y")
    load("offsets", "c,d,a\nx,2021-02-28T22:30:00Z,1\ny,2021-02-28T22:30:00-0500,2\n", 1, True,
         0x01, 0x01, 50)
    load("tricky_skip", TRICKY, 1, True, 0x20, 0x01)
    load("tricky_fail", TRICKY, 1, True, 0x00, 0x01)

    # table: csv byte, flags byte, text (side files of the simulator's shape).
    side = {
        "nps": "customer_id,date,score,comment,channel\nc1,2021-03-01,9,great,email\n"
               "c2,2021-03-02,3,\"slow, rude\",phone\nc1,2021-03-01,10,dup,email\n"
               "c9,2021-03-05,11,,web\n,2021-03-06,7,,web\nc3,bad,x,,\n",
        "contacts": "customer_id,date,channel,campaign\nc1,2021-01-05,email,spring\n"
                    "c2,2021-01-06,sms,spring\nc3,2021-01-07,phone,winback\n",
        "campaigns": "customer_id,campaign,group,date\nc1,spring,treated,2021-01-05\n"
                     "c2,spring,control,2021-01-05\nc3,spring,1,2021-01-06\n",
        "spend": "channel,period,spend\nsearch,2021-01,1200.50\nsocial,2021-02,800\n"
                 "search,2021-W05,10\ntv,2021-Q1,5000\nprint,2021,1e308\n",
        "customers": "customer_id,loyalty_member,birthday,age\nc1,true,1980-05-17,41\n"
                     "c2,false,,\nc3,true,2000-02-29,21.5\n",
        "russian": "клиент;дата;оценка\nИванов;09.12.2011;9\nПетрова;10.12.2011;6\n",
    }
    flags = {"nps": 0x1C, "contacts": 0x00, "campaigns": 0x01, "spend": 0x02, "customers": 0x03,
             "russian": 0x06}
    for name, text in side.items():
        delim = 2 if name == "russian" else 1
        write("table", name, csv_byte(delim) + bytes([flags[name]]) + text.encode())

    # TOML configs: the repo's examples and small variants.
    segments = open("examples/segments.toml").read()
    actions = open("examples/actions.toml").read()
    write("segment_toml", "example", segments)
    write("segment_toml", "minimal", "[rfm]\nbins = 5\n")
    write("segment_toml", "custom_only",
          '[[custom]]\nname = "big_spenders"\nrule = "revenue >= 1000 and orders > 3"\n')
    write("segment_toml", "bad_key", "[rfm]\nbinz = 5\n")
    write("segment_toml", "dotted", "a.b.c = 1\n[x.y]\nz = [1, [2, {q = 3}]]\n")
    write("segment_toml", "strings", 's = """multi\nline"""\nt = \'\'\'lit\'\'\'\n')
    write("playbook_toml", "example", actions)
    write("playbook_toml", "minimal",
          '[[rule]]\nid = "vip"\naction = "call"\nchannel = "phone"\nwhen = "stage = \'vip\'"\n')
    write("playbook_toml", "cap_cadence", '[[cap]]\nchannel = "*"\nmax_contacts = 2\n'
          'window_days = 14\n[[cadence]]\nwhen = "true"\ndays = 30\n')
    write("playbook_toml", "template",
          '[[rule]]\nid = "x"\naction = "a"\nchannel = "email"\nwhen = "recency_days > 90"\n'
          'reason = "no purchase for {recency_days} days"\nparams = { discount_percent = 10 }\n')
    write("playbook_toml", "bad", "[settings]\nmax_actions_per_customer = -1\n")

    # Rules: every rule of the example configs, then a few of each grammar form.
    rules = re.findall(r'^(?:rule|when) = "(.*)"$', segments + actions, flags=re.M)
    rules += ["x between 1 and 5", "region in ['Moscow', Kazan]", "age not in (25, 34)",
              "not (x = 1 or region = Kazan) and age = unknown", "((true))", "x >= -2.5e1",
              "p_alive <> 0.5 or recency_days == 3", "x = 1 and", "region = 'open"]
    for i, rule in enumerate(rules):
        write("rule", f"rule_{i:02}", rule)

    # JSON: model files as `ltv fit -o` writes them, and a few broken ones.
    write("json", "bgnbd", '{\n  "model": "bgnbd",\n  "params": {"r": 0.2425, "alpha": 4.4135, '
          '"a": 0.7928, "b": 2.4257},\n  "stderr": {"r": 0.0125},\n  "log_likelihood": '
          '-9582.4255,\n  "converged": true,\n  "iterations": 17,\n  "time_unit": "week",\n'
          '  "message": ""\n}\n')
    write("json", "gg", '{"model":"gg","params":{"p":6.25,"q":3.74,"v":15.44},"n_customers":946}')
    write("json", "array", '[1, -2.5e-3, "a\\u00e9\\n", null, false, {"k": [[], {}]}]')
    write("json", "truncated", '{"model": "pnbd", "params": {"r": 0.55')
    write("json", "bad_literal", '{"converged": tru}')
    write("json", "deep", "[" * 70 + "]" * 70)

    # summary: csv byte, flags byte (1 discrete, 2 ids, time unit), text: summaries as
    # `ltv summary` writes them, lifetimes' and BTYD's shapes, weights, litt, broken domains.
    summaries = {
        "ltv": ("customer_id,frequency,recency,T,monetary_value\n1001,2,30.43,38.86,22.35\n"
                "1002,0,0,38.86,\n1003,6,37.14,37.14,47.78\n", 1, 0x02 | 0x04),
        "lifetimes": (",frequency,recency,T\n0,2.0,30.43,38.86\n1,1.0,1.71,38.86\n"
                      "2,0.0,0.0,38.86\n", 1, 0x02),
        "weights_litt": ("frequency,recency,T,count,litt\n0,0,39,1411,0\n1,2,39,439,0\n"
                         "2,30.5,39,95,-1.25\n", 1, 0x00),
        "bgbb_periods": ("frequency;recency;periods;weights\n6;6;6;1203\n5;6;6;728\n"
                         "0;0;6;3464\n", 2, 0x01 | 0x02),
        "semicolon_comma": ("id;frequency;recency;T;monetary_value\nc1;1;2,5;10;9,90\n", 2,
                            0x02 | 0x08),
        "bad_domain": ("customer_id,frequency,recency,T\nc1,2,50,38\nc2,-1,0,5\nc3,1.5,1,2\n",
                       1, 0x02),
        "bad_numbers": ("customer_id,frequency,recency,T,monetary_value\nc1,nan,1,2,3\n"
                        "c2,1,inf,2,3\nc3,1,1,2,1e999\n", 1, 0x02),
        "missing_column": ("customer_id,frequency,recency\nc1,1,1\n", 1, 0x02),
    }
    for name, (text, delim, flags) in summaries.items():
        write("summary", name, csv_byte(delim) + bytes([flags]) + text.encode())

    # model_file: model files as `ltv fit -o` writes them, then hostile parameters.
    def model(name, params, **extra):
        doc = {"model": name, "params": params}
        doc.update(extra)
        return json.dumps(doc)

    write("model_file", "bgnbd", model("bgnbd", {"r": 0.2425, "alpha": 4.4135, "a": 0.7928,
                                                  "b": 2.4257},
                                        stderr={"r": 0.0125, "alpha": 0.378, "a": 0.0297,
                                                "b": 0.7059},
                                        ci95={"r": [0.219, 0.268], "alpha": [3.73, 5.22],
                                              "a": [0.737, 0.853], "b": [1.37, 4.29]},
                                        log_likelihood=-9582.4255, converged=True,
                                        iterations=17, n_customers=2357.0, n_patterns=1016,
                                        time_unit="week", message="",
                                        optimizer_status="NLOPT_SUCCESS"))
    write("model_file", "pnbd", model("pnbd", {"r": 0.55, "alpha": 10.58, "s": 0.61,
                                                "beta": 11.67}, stderr=None, ci95=None))
    write("model_file", "gg", model("gg", {"p": 6.25, "q": 3.74, "v": 15.44}, n_customers=946))
    write("model_file", "bgbb", model("bgbb", {"alpha": 1.2, "beta": 0.75, "gamma": 0.66,
                                                "delta": 2.78}, time_unit="period"))
    write("model_file", "negative", model("bgnbd", {"r": -0.2, "alpha": 4.4, "a": 0.8,
                                                     "b": 2.4}))
    write("model_file", "huge", '{"model": "bgnbd", "params": {"r": 1e999, "alpha": 1e308, '
          '"a": 0.8, "b": 2.4}, "stderr": {"r": -1, "alpha": 1e999, "a": 0, "b": 0}, '
          '"ci95": {"r": [2, 1], "alpha": [0, 1e999], "a": [0, 1], "b": [0, 1]}, '
          '"iterations": 99999999999, "n_customers": -5, "n_patterns": -1}')
    write("model_file", "wrong_types", '{"model": "bgnbd", "params": {"r": "0.2", "alpha": null, '
          '"a": [0.8], "b": {"v": 2.4}}, "converged": "yes"}')
    write("model_file", "missing_keys", '{"model": "mbgnbd", "params": {"r": 0.2}}')
    write("model_file", "unknown_model", '{"model": "nope", "params": {}}')
    write("model_file", "not_object", '[{"model": "bgnbd"}]')

    # server_params: route byte (index into server::routes()), query lines name=value, an empty
    # line, the body.
    def request(route, query, body=""):
        return bytes([route]) + "".join(q + "\n" for q in query).encode() + b"\n" + body.encode()

    for i in range(17):  # every route
        write("server_params", f"route_{i:02}", request(i, ["format=csv", "run=3"]))
    write("server_params", "partner", request(16, ["brand=acme", "from=2021-01-01",
                                                   "to=2021-12-31", "product=p1"]))
    write("server_params", "bad_dates", request(13, ["from=2021-02-30", "to=2020-99-01"]))
    write("server_params", "repeated", request(10, ["run=1", "run=2"]))
    write("server_params", "run_body", request(0, [], '{"horizon": "6", "discount_rate": 0.1}'))
    write("server_params", "bad_body", request(0, [], '{"horizon": -1, "quiet": true}'))
    write("server_params", "deep_body", request(0, [], "[" * 200 + "]" * 200))


if __name__ == "__main__":
    main()
