//! `concord --db FILE token …`: a secret printed once and never listed, role and member checked,
//! revocation listed, and the ledger untouched by tokens.

use crate::store::{TempStore, nato_store};
use crate::util::Run;

/// Asserts exit 0 and no panic; `token create` writes its notice to standard error.
#[track_caller]
fn ok(run: Run) -> Run {
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "`concord {}` failed:\n{}", run.args.join(" "), run.stderr);
    run
}

/// Makes a token and returns its secret, checking that it is alone on standard output.
#[track_caller]
fn create(store: &TempStore, args: &[&str]) -> (String, String) {
    let mut all = vec!["token", "create"];
    all.extend_from_slice(args);
    let run = ok(store.run(&all));
    let secret = run.stdout.strip_suffix('\n').unwrap_or_else(|| panic!("one line: {:?}", run.stdout)).to_owned();
    assert!(!secret.contains('\n'), "one line: {:?}", run.stdout);
    let hex = secret.strip_prefix("concord_").unwrap_or_else(|| panic!("not a concord secret: {secret}"));
    assert_eq!(hex.len(), 64, "{secret}");
    assert!(hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{secret}");
    assert!(run.stderr.contains("not shown again"), "{}", run.stderr);
    (secret, run.stderr)
}

#[test]
fn create_prints_the_secret_once_and_list_never_shows_it() {
    let store = nato_store();
    let (secret, notice) = create(&store, &["--role", "delegation", "--member", "TUR", "--label", "Ankara desk"]);
    assert_eq!(notice.trim(), "delegation token 1 for TUR: keep it, it is not shown again");
    let (other, notice) = create(&store, &["--role", "observer"]);
    assert_ne!(other, secret);
    assert_eq!(notice.trim(), "observer token 2: keep it, it is not shown again");

    let text = store.run(&["token", "list"]).success();
    assert!(!text.stdout.contains(&secret) && !text.stdout.contains("concord_"), "{}", text.stdout);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", text.stdout);
    assert!(lines[0].starts_with("ID  ROLE"), "{}", text.stdout);
    assert!(lines[1].contains("delegation") && lines[1].contains("TUR") && lines[1].contains("Ankara desk"));
    assert!(lines[2].contains("observer"), "{}", text.stdout);

    let json = store.run(&["token", "list", "--format", "json"]).success();
    assert!(!json.stdout.contains("concord_"), "{}", json.stdout);
    let tokens = json.json()["tokens"].as_array().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    let first = tokens[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created", "id", "label", "member", "role"]);
    assert_eq!(first["id"], 1);
    assert_eq!(first["role"], "delegation");
    assert_eq!(first["member"], "TUR");
    assert_eq!(first["label"], "Ankara desk");
    assert!(first["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(tokens[1]["member"], serde_json::Value::Null);
}

#[test]
fn a_delegation_token_needs_a_known_member() {
    let store = nato_store();
    let run = store.run(&["token", "create", "--role", "delegation"]).failure();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("delegation") && run.stderr.contains("--member"), "{}", run.stderr);

    let run = store.run(&["token", "create", "--role", "delegation", "--member", "XXX"]).failure();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("no member `XXX`"), "{}", run.stderr);

    let run = store.run(&["token", "create", "--role", "observer", "--member", "TUR"]).failure();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("observer") && run.stderr.contains("--member"), "{}", run.stderr);

    let run = store.run(&["token", "create", "--role", "admin"]).failure();
    assert!(run.stderr.contains("unknown role `admin`") && run.stderr.contains("secretariat"), "{}", run.stderr);

    let list = store.run(&["token", "list"]).success();
    assert!(list.stdout.starts_with("no tokens"), "refusals write nothing: {}", list.stdout);
}

#[test]
fn token_commands_need_a_store() {
    let run = crate::util::concord(&["token", "list"]).failure();
    assert!(run.stderr.contains("--db FILE"), "{}", run.stderr);
}

#[test]
fn revoked_tokens_are_listed_as_revoked() {
    let store = nato_store();
    create(&store, &["--role", "secretariat", "--label", "desk"]);
    create(&store, &["--role", "observer"]);
    let run = store.run(&["token", "revoke", "1"]).success();
    assert!(run.stdout.contains("revoked token 1"), "{}", run.stdout);

    let tokens = store.run(&["token", "list", "--format", "json"]).success().json();
    let tokens = tokens["tokens"].as_array().unwrap();
    assert!(tokens[0]["revoked"].as_str().unwrap().ends_with('Z'), "{tokens:?}");
    assert!(tokens[1].get("revoked").is_none(), "{tokens:?}");
    let text = store.run(&["token", "list"]).success().stdout;
    let line = text.lines().nth(1).unwrap();
    assert!(line.starts_with("1 ") && line.trim_end().ends_with('Z'), "{text}");

    let again = store.run(&["token", "revoke", "1"]).failure();
    assert!(again.stderr.contains("already revoked"), "{}", again.stderr);
    let missing = store.run(&["token", "revoke", "9"]).failure();
    assert!(missing.stderr.contains("no token 9"), "{}", missing.stderr);
}

#[test]
fn tokens_leave_the_ledger_alone() {
    let store = nato_store();
    let before = store.checkpoint();
    create(&store, &["--role", "delegation", "--member", "HUN"]);
    create(&store, &["--role", "secretariat"]);
    store.run(&["token", "revoke", "2"]).success();
    assert_eq!(store.checkpoint(), before, "tokens are not ledger entries");
    store.run(&["ledger", "verify"]).success();
    store.run(&["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-16"]).success();
    store.run(&["ledger", "verify"]).success();
    assert_eq!(store.size(), 2);
}

// See: issue 11 (a format width above 65,535 panicked `token list` on a very long label).
#[test]
fn r11_a_label_of_70000_characters_is_listed() {
    let store = nato_store();
    let label = "L".repeat(70_000);
    let db = store.db.to_str().unwrap();
    let made = crate::util::concord_program(&["--db", db, "token", "create", "--role", "observer", "--label", &label]);
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    let list = crate::util::concord_program(&["--db", db, "token", "list"]).success();
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the token");
    assert!(lines[1].contains(&format!("observer  -       {label}  ")), "the label in its column");
    assert_eq!(lines[0].find("CREATED"), lines[1].find("20"), "the columns line up");
}
