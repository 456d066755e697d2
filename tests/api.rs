//! The HTTP API of `concord serve`: the same JSON as the command line, writes by role, errors as
//! JSON, and the OpenAPI document.

use serde_json::json;

use crate::served::Served;

#[test]
fn reads_answer_what_the_command_line_answers() {
    let served = Served::start("2025-06-20");
    let api = served.get("/api/decisions?at=2025-06-15", None);
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(api.content_type.starts_with("application/json"));
    let cli = served.store.run(&["decide", "--at", "2025-06-15", "--format", "json"]).success().json();
    assert_eq!(api.json(), cli);

    let api = served.get("/api/proposals/eadrcc-2025-montana?at=2025-06-15", None).json();
    let cli = served.store.run(&["explain", "eadrcc-2025-montana", "--at", "2025-06-15", "--format", "json"]);
    assert_eq!(api, cli.success().json());

    let set = "set=gaza_permanent_ceasefire=true&set=gaza_aid_unobstructed=true";
    let api = served.get(&format!("/api/what-if?at=2025-06-15&{set}"), None).json();
    let cli = served.store.run(&[
        "what-if",
        "--at",
        "2025-06-15",
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "gaza_aid_unobstructed=true",
        "--format",
        "json",
    ]);
    assert_eq!(api, cli.success().json());
    assert_eq!(api["changed"][0]["proposal"], "eadrcc-2025-montana");
    assert_eq!(api["changed"][0]["after"], "adopted");

    let api = served.get("/api/committees/NAC/power?at=2025-06-15", None).json();
    let cli = served.store.run(&["power", "--committee", "NAC", "--at", "2025-06-15", "--format", "json"]);
    assert_eq!(api, cli.success().json());
}

#[test]
fn the_clock_closes_silence_procedures_that_ended() {
    // On 2025-06-20 the Montana exercise's silence (deadline 2025-06-13) has ended, the
    // Steadfast specification's (2025-06-30) has not. The server records the first before it
    // opens its port.
    let served = Served::start("2025-06-20");
    let proposals = served.get("/api/proposals", None).json();
    let decision = |id: &str| proposals.as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["decision"].clone();
    assert_eq!(decision("eadrcc-2025-montana")["outcome"], "blocked");
    assert_eq!(decision("eadrcc-2025-montana")["trigger"], "deadline");
    assert_eq!(decision("eadrcc-2025-montana")["objecting"], json!(["TUR"]));
    assert!(decision("steadfast-2026-spec").is_null());
    // The secretariat moves the clock past the second deadline.
    let tick = served.post("/api/tick", Some(&served.secretariat), &json!({"now": "2025-07-01"}));
    assert_eq!(tick.status, 200, "{}", tick.body);
    assert_eq!(tick.json()["decisions"][0]["proposal"], "steadfast-2026-spec");
    assert_eq!(tick.json()["decisions"][0]["outcome"], "adopted");
    let history = served.get("/api/proposals/steadfast-2026-spec/history", None).json();
    assert_eq!(history["decision"], "adopted", "{history}");
    assert_eq!(history["decided_on"], "2025-06-30");
    assert!(history["entries"].as_array().unwrap().iter().any(|e| e["change"] == "decision"), "{history}");
    // What the server answers is what the command line answers on the same file.
    let cli = served.store.run(&["history", "steadfast-2026-spec", "--until", "2025-07-01", "--format", "json"]);
    let api = served.get("/api/proposals/steadfast-2026-spec/history?until=2025-07-01", None).json();
    assert_eq!(api, cli.success().json());
}

#[test]
fn writes_need_a_token_of_the_right_member() {
    let served = Served::start("2025-06-20");
    let vote = |member: &str| json!({"proposal": "steadfast-2026-spec", "member": member, "stance": "object", "reason": "needs more time"});
    let none = served.post("/api/votes", None, &vote("NOR"));
    assert_eq!(none.status, 401, "{}", none.body);
    assert!(none.json()["error"].as_str().unwrap().contains("token"));
    let bad = served.post("/api/votes", Some("concord_0000"), &vote("NOR"));
    assert_eq!(bad.status, 401);

    let norway = served.token("delegation", Some("NOR"));
    let other = served.post("/api/votes", Some(&norway), &vote("DNK"));
    assert_eq!(other.status, 403, "{}", other.body);
    assert!(other.json()["error"].as_str().unwrap().contains("NOR"));

    let observer = served.token("observer", None);
    assert_eq!(served.post("/api/votes", Some(&observer), &vote("NOR")).status, 403);
    let fact = json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "test"});
    assert_eq!(served.post("/api/facts", Some(&norway), &fact).status, 403);
    assert_eq!(served.get("/api/tokens", Some(&norway)).status, 403);

    let before = served.store.size();
    let own = served.post("/api/votes", Some(&norway), &vote("NOR"));
    assert_eq!(own.status, 201, "{}", own.body);
    let ack = own.json();
    assert_eq!(ack["entries"], json!([before]));
    assert_eq!(ack["tree_size"], before + 1);
    // Acknowledged means on disk: the command line, reading the file, sees it.
    assert_eq!(served.store.size(), before + 1);
    let explain = served.get("/api/proposals/steadfast-2026-spec", None).json();
    assert_eq!(explain["outcome"], "blocked");
    assert_eq!(explain["objections"][0]["member"], "NOR");
    assert_eq!(explain["objections"][0]["reason"], "needs more time");

    // The secretariat records facts. The Montana exercise was decided at its deadline: the
    // decision stands, and says what it would now be.
    let facts = [("gaza_permanent_ceasefire", "ceasefire"), ("gaza_aid_unobstructed", "aid")];
    for (id, source) in facts {
        let body = json!({"id": id, "value": true, "source": source});
        let a = served.post("/api/facts", Some(&served.secretariat), &body);
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let montana = served.get("/api/proposals/eadrcc-2025-montana", None).json();
    assert_eq!(montana["outcome"], "blocked", "{montana}");
    assert_eq!(montana["final"], true);
    assert_eq!(montana["would_now_be"], "adopted", "{montana}");

    // A revoked token grants nothing.
    let list = served.get("/api/tokens", Some(&served.secretariat)).json();
    let id = list.as_array().unwrap().iter().find(|g| g["member"] == "NOR").unwrap()["id"].as_u64().unwrap();
    let revoke = served.delete(&format!("/api/tokens/{id}"), &served.secretariat);
    assert_eq!(revoke.status, 204, "{}", revoke.body);
    assert_eq!(served.post("/api/votes", Some(&norway), &vote("NOR")).status, 401);
}

#[test]
fn bad_requests_get_json_errors_and_change_nothing() {
    let served = Served::start("2025-06-20");
    let s = Some(served.secretariat.as_str());
    let before = served.store.checkpoint();
    let cases: Vec<(&str, serde_json::Value, u16, &str)> = vec![
        ("/api/votes", json!({"proposal": "nope", "member": "NOR", "stance": "consent"}), 422, "nope"),
        (
            "/api/votes",
            json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "maybe"}),
            400,
            "field `stance`: unknown variant `maybe`, expected one of `consent`, `object`, `abstain`, `silent`",
        ),
        ("/api/votes", json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "object"}), 422, "reason"),
        ("/api/votes", json!({"proposal": "steadfast-2026-spec", "member": "NOR"}), 400, "stance"),
        (
            "/api/votes",
            json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent", "extra": 1}),
            400,
            "extra",
        ),
        (
            "/api/votes",
            json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent", "at": "2025-13-01"}),
            400,
            "at",
        ),
        (
            "/api/facts",
            json!({"id": "gaza_permanent_ceasefire", "value": "yes", "source": "x"}),
            422,
            "gaza_permanent_ceasefire",
        ),
        (
            "/api/positions",
            json!({"id": "p", "member": "NOR", "source": "x", "policy": "permit(principal, action, resource);"}),
            422,
            "forbid",
        ),
        ("/api/proposals", json!({"id": "x", "committee": "NOPE", "kind": "exercise"}), 422, "NOPE"),
        // Found by schemathesis: empty ids and sources were taken from the API.
        ("/api/facts", json!({"id": "", "value": false, "source": ""}), 422, "must not be empty"),
        ("/api/facts", json!({"id": "gaza_permanent_ceasefire", "value": true, "source": " "}), 422, "source"),
        ("/api/proposals", json!({"id": "", "committee": "MC", "kind": "exercise"}), 422, "`id` must not be empty"),
        (
            "/api/positions",
            json!({"id": "", "member": "NOR", "source": "x",
            "policy": "forbid (principal, action, resource);"}),
            422,
            "`id` must not be empty",
        ),
        ("/api/votes", json!(["steadfast-2026-spec", "NOR", "consent"]), 400, "JSON object"),
        ("/api/proposals/nope/close", json!({}), 404, "nope"),
        ("/api/proposals/nope/extend", json!({"deadline": "2025-07-01"}), 404, "nope"),
        ("/api/proposals/nope/withdraw", json!({"reason": "x"}), 404, "nope"),
        ("/api/proposals/steadfast-2026-spec/extend", json!({"deadline": "2025-06-01"}), 422, "2025-06-01"),
        ("/api/proposals/eadrcc-2025-montana/close", json!({}), 422, "eadrcc-2025-montana"),
        ("/api/positions/nope/withdraw", json!({}), 404, "nope"),
    ];
    for (path, body, status, needle) in cases {
        let a = served.post(path, s, &body);
        assert_eq!(a.status, status, "{path} {body}: {}", a.body);
        let message = a.json()["error"].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "{path} {body}: `{message}` does not name `{needle}`");
    }
    let not_json = served.post_raw("/api/votes", s, "application/json", b"{not json".to_vec());
    assert_eq!(not_json.status, 400);
    assert!(not_json.json()["error"].is_string());
    // A body over the limit is refused from its announced length, before it is read.
    let big = served.raw(&format!(
        "POST /api/votes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000000\r\nConnection: close\r\n\r\n{{",
        served.secretariat
    ));
    assert!(big.starts_with("HTTP/1.1 413"), "{big}");
    assert!(big.contains("{\"error\":"), "{big}");
    for path in ["/api/decisions?at=yesterday", "/api/what-if", "/api/what-if?set=no-equals", "/api/ledger/proof/x"] {
        let a = served.get(path, None);
        assert_eq!(a.status, 400, "{path}: {}", a.body);
        assert!(a.json()["error"].is_string(), "{path}");
    }
    for path in ["/api/proposals/nope", "/api/committees/NOPE/power", "/api/ledger/proof/9999", "/api/nowhere"] {
        let a = served.get(path, None);
        assert_eq!(a.status, 404, "{path}: {}", a.body);
        assert!(a.json()["error"].is_string(), "{path}");
    }
    assert_eq!(served.store.checkpoint(), before, "a refused request changed the ledger");
}

#[test]
fn proofs_from_the_api_check_with_the_public_key_alone() {
    let served = Served::start("2025-06-20");
    let proof = served.get("/api/ledger/proof/1", None);
    assert_eq!(proof.status, 200, "{}", proof.body);
    let file = served.store.file("proof.json");
    std::fs::write(&file, &proof.body).unwrap();
    let key = format!("{}.pub", served.store.db.display());
    let check = crate::util::concord(&["ledger", "check-proof", &file, "--key", &key]).success();
    assert!(check.stdout.starts_with("ok: entry 1 is in the ledger"), "{}", check.stdout);
    let ledger = served.get("/api/ledger", None).json();
    assert_eq!(ledger["tree_size"], served.store.size());
    assert_eq!(ledger["public_key"], std::fs::read_to_string(&key).unwrap().trim());
    let consistency = served.get(&format!("/api/ledger/consistency?old=1&new={}", served.store.size()), None);
    assert_eq!(consistency.status, 200, "{}", consistency.body);
}

#[test]
fn the_openapi_document_describes_every_route() {
    let served = Served::start("2025-06-20");
    let doc = served.get("/api/openapi.json", None).json();
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/decisions",
        "/api/what-if",
        "/api/proposals",
        "/api/proposals/{id}",
        "/api/proposals/{id}/history",
        "/api/proposals/{id}/extend",
        "/api/proposals/{id}/withdraw",
        "/api/proposals/{id}/close",
        "/api/votes",
        "/api/facts",
        "/api/positions",
        "/api/committees/{id}/power",
        "/api/ledger",
        "/api/ledger/proof/{seq}",
        "/api/tokens",
    ] {
        assert!(paths.contains_key(path), "{path} is not in the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["DecideReport"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
}

#[test]
fn stopping_the_server_keeps_every_acknowledged_write() {
    let mut served = Served::start("2025-06-20");
    let count = |export: &str| export.matches("proposal = \"steadfast-2026-spec\"").count();
    let before = count(&served.store.run(&["export"]).success().stdout);
    let token = served.secretariat.clone();
    let mut acknowledged = 0;
    for (i, member) in ["BEL", "CAN", "DNK", "FRA", "ISL", "ITA"].iter().enumerate() {
        let stance = if i % 2 == 0 { "consent" } else { "abstain" };
        let body = json!({"proposal": "steadfast-2026-spec", "member": member, "stance": stance});
        if served.post("/api/votes", Some(&token), &body).status == 201 {
            acknowledged += 1;
        }
    }
    assert_eq!(acknowledged, 6);
    assert!(served.stop().success());
    served.store.run(&["ledger", "verify"]).success();
    let export = served.store.run(&["export"]).success().stdout;
    assert_eq!(count(&export), before + 6, "{export}");
}

/// The ledger entry `seq` as the server answers it.
fn entry(served: &Served, seq: &serde_json::Value) -> serde_json::Value {
    served.get(&format!("/api/ledger/entries/{seq}"), None).json()
}

// See: issue 10. A delegation token posted a vote dated 2030-01-01: the server's "today" jumped
// to 2030 for everyone, and the clock closed a silence procedure fifteen days early, for good.
#[test]
fn r10_a_delegation_that_dates_its_vote_gets_403_and_the_clock_stays() {
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let before = served.store.checkpoint();
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent", "at": "2030-01-01"});
    let refused = served.post("/api/votes", Some(&norway), &vote);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.json()["error"].as_str().unwrap().contains("only the secretariat may date a write"));
    assert_eq!(served.store.checkpoint(), before, "nothing is recorded");
    assert_eq!(served.get("/api/status", None).json()["today"], "2025-06-20", "the clock did not move");
    let tick = served.post("/api/tick", Some(&served.secretariat), &json!({}));
    assert_eq!(tick.json()["decisions"], json!([]), "{}", tick.body);
    let steadfast = served.get("/api/proposals/steadfast-2026-spec", None).json();
    assert_eq!((steadfast["outcome"].clone(), steadfast["final"].clone()), (json!("pending"), json!(false)));
}

// See: issue 10.
#[test]
fn r10_a_delegation_vote_is_dated_by_the_clock() {
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent"});
    let ack = served.post("/api/votes", Some(&norway), &vote);
    assert_eq!(ack.status, 201, "{}", ack.body);
    assert_eq!(entry(&served, &ack.json()["entries"][0])["at"], "2025-06-20");
}

// See: issue 10.
#[test]
fn r10_a_secretariat_write_dated_after_the_clock_is_422() {
    let served = Served::start("2025-06-20");
    let before = served.store.checkpoint();
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent", "at": "2025-06-21"});
    let refused = served.post("/api/votes", Some(&served.secretariat), &vote);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"].as_str().unwrap().contains("after the clock"), "{}", refused.body);
    assert_eq!(served.store.checkpoint(), before);
    assert_eq!(served.get("/api/status", None).json()["today"], "2025-06-20");
}

// See: issue 10.
#[test]
fn r10_the_clock_records_a_silence_procedure_only_once_its_deadline_has_come() {
    let served = Served::start("2025-06-20");
    let s = Some(served.secretariat.as_str());
    let early = served.post("/api/tick", s, &json!({"now": "2025-06-29"}));
    assert_eq!(early.status, 200, "{}", early.body);
    assert_eq!(early.json()["decisions"], json!([]));
    assert_eq!(served.get("/api/proposals/steadfast-2026-spec", None).json()["final"], false);
    let due = served.post("/api/tick", s, &json!({"now": "2025-06-30"})).json();
    assert_eq!(due["decisions"][0]["proposal"], "steadfast-2026-spec");
    assert_eq!(due["decisions"][0]["on"], "2025-06-30");
    let decided = served.get("/api/proposals/steadfast-2026-spec", None).json();
    assert_eq!((decided["final"].clone(), decided["decided_on"].clone()), (json!(true), json!("2025-06-30")));
    // The decisions and the command line agree on the file.
    let cli = served.store.run(&["decide", "--at", "2025-06-30", "--format", "json"]).success().json();
    assert_eq!(served.get("/api/decisions?at=2025-06-30", None).json(), cli);
}

// See: issue 10 (a 500 gave the store's path and SQLite's error to the client).
#[test]
fn r10_a_server_error_answers_an_id_and_logs_the_detail() {
    // Record what falls due, then take the key away: the server starts (nothing to sign), and
    // its first write cannot be signed.
    let store = crate::store::nato_store();
    store.run(&["tick", "--now", "2025-06-20"]).success();
    std::fs::remove_file(format!("{}.key", store.db.display())).unwrap();
    let served = Served::start_logged(store, &["--clock", "2025-06-20"]);
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent"});
    let failed = served.post("/api/votes", Some(&served.secretariat), &vote);
    assert_eq!(failed.status, 500, "{}", failed.body);
    let error = failed.json()["error"].as_str().unwrap().to_owned();
    let id = error.strip_prefix("internal error (id ").and_then(|e| e.strip_suffix(')')).unwrap();
    assert!(id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()), "{error}");
    assert!(!failed.body.contains("nato.db") && !failed.body.contains(".key"), "{}", failed.body);
    // The detail is in the server's log, under the same id.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let logged = loop {
        let log = served.log();
        if log.contains(id) || std::time::Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let line = logged.lines().find(|l| l.contains(id)).unwrap_or_else(|| panic!("no {id} in the log:\n{logged}"));
    assert!(line.contains("internal error") && line.contains("nato.db.key"), "{line}");
}

// See: issue 11 (`--private` still served `/api/status` anonymously).
#[test]
fn r11_a_private_server_needs_a_token_for_its_status() {
    let served = Served::start_with(crate::store::nato_store(), &["--clock", "2025-06-20", "--private"]);
    let anonymous = served.get("/api/status", None);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    assert!(!anonymous.body.contains("nato-2025"), "{}", anonymous.body);
    assert_eq!(served.get("/api/status", Some(&served.secretariat)).status, 200);
}

// See: issue 11 (the JSON API accepted the session cookie with a foreign `Origin`).
#[test]
fn r11_the_api_refuses_a_cookie_write_from_another_site() {
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let cookie = format!("concord_token={norway}");
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent"});
    let before = served.store.size();
    let foreign = served.post_with("/api/votes", &[("Cookie", &cookie), ("Origin", "https://evil.example")], &vote);
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    let bare = served.post_with("/api/votes", &[("Cookie", &cookie)], &vote);
    assert_eq!(bare.status, 403, "{}", bare.body);
    assert_eq!(served.store.size(), before, "nothing is recorded");
    let origin = served.base.clone();
    let same = served.post_with("/api/votes", &[("Cookie", &cookie), ("Origin", &origin)], &vote);
    assert_eq!(same.status, 201, "{}", same.body);
    // A bearer token is unaffected by `Origin`.
    let bearer = format!("Bearer {norway}");
    let scripted =
        served.post_with("/api/votes", &[("Authorization", &bearer), ("Origin", "https://x.example")], &vote);
    assert_eq!(scripted.status, 201, "{}", scripted.body);
}

// See: issue 11 (a delegation could back-date a position's `since` to 2000).
#[test]
fn r11_a_delegation_cannot_back_date_a_position() {
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let before = served.store.size();
    let position = json!({"id": "nor-p", "member": "NOR", "source": "x", "since": "2000-01-01",
        "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
    let answer = served.post("/api/positions", Some(&norway), &position);
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(answer.json()["error"].as_str().unwrap().contains("no earlier than the day it is recorded"));
    assert_eq!(served.store.size(), before, "nothing is recorded");
}

// See: issue 11 (`?recorded=ANY TEXT` printed a "Recorded in ledger entry ANY TEXT" banner).
#[test]
fn r11_the_proposal_page_echoes_no_text_of_the_query() {
    let served = Served::start("2025-06-20");
    let page = served.get("/proposals/steadfast-2026-spec?recorded=ANY%20TEXT%20%3Cem%3Eyou%20won%3C%2Fem%3E", None);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Recorded in ledger entry"), "{}", page.body);
    assert!(!page.body.contains("ANY TEXT") && !page.body.contains("you won"), "{}", page.body);
}

// See: issue 11 (no CSP, `frame-ancestors` or `nosniff` headers).
#[test]
fn r11_every_answer_tells_the_browser_what_the_page_may_do() {
    let served = Served::start("2025-06-20");
    for path in ["/", "/committees", "/proposals/eadrcc-2025-montana", "/assets/app.js", "/api/decisions", "/nowhere"] {
        let answer = served.get(path, None);
        let csp = answer.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp:?}");
        assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("referrer-policy"), Some("same-origin"), "{path}");
    }
}

// See: issue 11 (a position of 58 KB tied up the writer for 3 s).
#[test]
fn r11_a_58_kb_position_is_refused_at_once_and_the_writer_stays_free() {
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let clause = "resource.kind == \"exercise\" && ";
    let policy =
        format!("forbid (principal, action, resource) when {{ {} true }};", clause.repeat(58 * 1024 / clause.len()));
    let before = served.store.size();
    let asked = std::time::Instant::now();
    let position = json!({"id": "nor-big", "member": "NOR", "source": "x", "policy": policy});
    let answer = served.post("/api/positions", Some(&norway), &position);
    assert_eq!(answer.status, 422, "{}", &answer.body[..answer.body.len().min(500)]);
    assert!(answer.json()["error"].as_str().unwrap().contains("policy"), "{}", answer.body);
    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent"});
    assert_eq!(served.post("/api/votes", Some(&norway), &vote).status, 201);
    assert!(asked.elapsed() < std::time::Duration::from_secs(1), "{:?}", asked.elapsed());
    assert_eq!(served.store.size(), before + 1);
}

// See: issue 11 (every view of the committees ran an unbounded power computation, for anyone).
#[test]
fn r11_an_anonymous_power_request_starts_no_computation() {
    let served = Served::start("2025-06-20");
    // Today's seats are computed by the server itself.
    assert_eq!(served.get("/api/committees/NAC/power", None).status, 200);
    // Before Finland and Sweden joined, the seats differ: nobody computed them yet.
    let before = "/api/committees/NAC/power?at=2023-01-01";
    let anonymous = served.get(before, None);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    let observer = served.token("observer", None);
    let computed = served.get(before, Some(&observer));
    assert_eq!(computed.status, 200, "{}", computed.body);
    assert_eq!(computed.json()["players"], 30);
    assert_eq!(served.get(before, None).body, computed.body, "kept for everyone");
}

// See: issue 11 (`--tick-seconds` near `u64::MAX` panicked the clock task, and the server ran
// on without a clock).
#[test]
fn r11_a_tick_interval_near_u64_max_is_refused_with_a_clear_error() {
    use std::process::{Command, Stdio};
    let store = crate::store::nato_store();
    let mut child = Command::new(crate::util::program())
        .current_dir(crate::util::root())
        .args(["--db", store.db.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0", "--clock", "2025-06-20"])
        .args(["--tick-seconds", "18446744073709551615"])
        .env("CONCORD_ERROR_FORMAT", "plain")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let exited = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let status = exited.unwrap_or_else(|| panic!("the server kept running:\n{stderr}"));
    assert!(!status.success() && status.code().is_some(), "{status:?}: {stderr}");
    assert!(stderr.contains("86400"), "the limit is not in the message: {stderr}");
}
