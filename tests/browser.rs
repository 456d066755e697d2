//! The page in a real browser: headless Chromium driven through ChromeDriver (WebDriver), against
//! a `concord serve` process on loopback. Each test saves screenshots of what it saw under
//! `target/artefacts/browser/` (or `$CONCORD_ARTEFACTS/browser/`).
//!
//! The tests need Debian's `chromium` and `chromium-driver` (or `$CHROMIUM` and `$CHROMEDRIVER`).
//! Where they are not installed the tests say so on standard error and pass, so that
//! `cargo test` works on a machine without a browser; CI sets `CONCORD_BROWSER_TESTS=require`,
//! which turns a missing browser into a failure.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::served::Served;

/// ChromeDriver and Chromium, if both are here.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, default: &str| {
        let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
        path.is_file().then_some(path)
    };
    let found = find("CHROMEDRIVER", "/usr/bin/chromedriver").zip(find("CHROMIUM", "/usr/bin/chromium"));
    if found.is_none() {
        let required = std::env::var("CONCORD_BROWSER_TESTS").is_ok_and(|v| v == "require");
        assert!(!required, "CONCORD_BROWSER_TESTS=require, but chromium or chromedriver is not installed");
        eprintln!("browser test skipped: install Debian's chromium and chromium-driver to run it");
    }
    found
}

/// Runs a browser test: a ChromeDriver of its own and a headless Chromium session, with or
/// without JavaScript. Returns without running where no browser is installed; says whether it
/// ran.
fn with_browser<F, Fut>(name: &str, javascript: bool, test: F) -> bool
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((driver_path, chromium)) = browser_tools() else {
        return false;
    };
    let _alone = crate::util::machine_to_myself();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let driver = Driver::start(&driver_path);
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false");
        }
        let profile = tempfile::tempdir().unwrap();
        let profile_arg = format!("--user-data-dir={}", profile.path().display());
        args.push(&profile_arg);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("start a Chromium session through ChromeDriver");
        let browser = Browser { client: client.clone(), name: name.to_owned(), shots: std::cell::Cell::new(0) };
        test(browser).await;
        let _ = client.close().await;
        drop(driver);
    });
    true
}

/// A ChromeDriver process on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(path: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session and where its screenshots go.
struct Browser {
    client: Client,
    name: String,
    shots: std::cell::Cell<u32>,
}

impl Browser {
    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    async fn find(&self, css: &str) -> Element {
        let found = self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                panic!("no `{css}` on {url}: {e}")
            }
        }
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    async fn attr(&self, css: &str, attribute: &str) -> Option<String> {
        self.find(css).await.attr(attribute).await.unwrap()
    }

    /// Waits until the text of `css` is other than `before` (the page it was read on has been
    /// replaced by the answer to a submit), and returns it.
    async fn text_after(&self, css: &str, before: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.ok(),
                Err(_) => None,
            };
            match now {
                Some(text) if text != before => return text,
                _ if Instant::now() > deadline => {
                    self.shot("failure").await;
                    panic!("`{css}` still reads `{before}`");
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Waits until `css` has `attribute` equal to `value`, or fails saying what it had.
    async fn wait_for_attr(&self, css: &str, attribute: &str, value: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.attr(attribute).await.ok().flatten(),
                Err(_) => None,
            };
            if now.as_deref() == Some(value) {
                return;
            }
            if Instant::now() > deadline {
                self.shot("failure").await;
                panic!("`{css}` has {attribute}={now:?}, expected `{value}`");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a screenshot of the window as `NAME-N-WHAT.png`.
    async fn shot(&self, what: &str) -> PathBuf {
        self.shots.set(self.shots.get() + 1);
        let dir = artefacts().join("browser");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{}-{what}.png", self.name, self.shots.get()));
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Where test artefacts go: `$CONCORD_ARTEFACTS`, or `target/artefacts`.
fn artefacts() -> PathBuf {
    std::env::var_os("CONCORD_ARTEFACTS").map_or_else(|| crate::util::root().join("target/artefacts"), PathBuf::from)
}

#[test]
fn the_board_leads_to_the_reasons_of_a_blocked_exercise() {
    let served = Served::start("2025-06-15");
    let base = served.base.clone();
    let _ = with_browser("board", true, |b| async move {
        b.goto(&format!("{}/", base)).await;
        assert!(b.client.title().await.unwrap().contains("Board"));
        let row = "tr[data-proposal='eadrcc-2025-montana']";
        b.wait_for_attr(row, "data-outcome", "blocked").await;
        assert_eq!(
            b.attr(&format!("{row} td.cell.object"), "title").await.unwrap(),
            "TUR: object by standing position"
        );
        b.wait_for_attr("tr[data-proposal='isr-continuing-status']", "data-outcome", "adopted").await;
        b.shot("board").await;

        b.find(&format!("{row} th a")).await.click().await.unwrap();
        let objection = b.text("li.objection[data-member='TUR']").await;
        assert!(objection.contains("tur-no-new-israel-engagement"), "{objection}");
        assert!(objection.contains("Source: Middle East Eye, 2025"), "{objection}");
        assert!(objection.contains("gaza_permanent_ceasefire = false as of 2025-03-18"), "{objection}");
        assert!(objection.contains("source: Reuters, 18 March 2025"), "{objection}");
        assert_eq!(b.text("#outcome").await, "blocked");
        assert!(b.text("#deadline").await.contains("2025-06-13"));
        b.shot("montana").await;
    });
}

/// The what-if panel, driven as a user would: with JavaScript a changed fact reloads the board
/// at once; without it the button does.
fn what_if_turns_the_exercise_adopted(javascript: bool) {
    let served = Served::start("2025-06-15");
    let before = served.store.checkpoint();
    let base = served.base.clone();
    let name = if javascript { "what-if" } else { "what-if-no-js" };
    let _ = with_browser(name, javascript, |b| async move {
        b.goto(&format!("{}/", base)).await;
        let row = "tr[data-proposal='eadrcc-2025-montana']";
        b.wait_for_attr(row, "data-outcome", "blocked").await;
        for fact in ["gaza_permanent_ceasefire", "gaza_aid_unobstructed"] {
            let select = b.find(&format!("#set-{fact}")).await;
            select.select_by_value(&format!("{fact}=true")).await.unwrap();
            if javascript {
                b.wait_for_attr("#what-if-result", "role", "status").await;
            }
        }
        if !javascript {
            b.find("#what-if-run").await.click().await.unwrap();
        }
        b.wait_for_attr(row, "data-outcome", "adopted").await;
        assert_eq!(b.attr(row, "class").await.as_deref(), Some("changed"));
        assert!(b.text(&format!("{row} .was")).await.contains("was blocked"));
        let summary = b.text("#what-if-result").await;
        assert!(summary.contains("nothing is recorded"), "{summary}");
        assert!(summary.contains("1 proposal(s) would change"), "{summary}");
        // The others stay as they were.
        b.wait_for_attr("tr[data-proposal='nuc-2025-statement']", "data-outcome", "blocked").await;
        b.shot("both-gaza-facts-true").await;
    });
    assert_eq!(served.store.checkpoint(), before, "what-if wrote to the ledger");
}

#[test]
fn what_if_in_the_browser_turns_the_exercise_adopted() {
    what_if_turns_the_exercise_adopted(true);
}

#[test]
fn what_if_works_without_javascript() {
    what_if_turns_the_exercise_adopted(false);
}

#[test]
fn a_delegation_logs_in_and_records_a_vote() {
    let served = Served::start("2025-06-20");
    let token = served.token("delegation", Some("NOR"));
    let before = served.store.size();
    let base = served.base.clone();
    let ran = with_browser("delegation-vote", true, |b| async move {
        b.goto(&format!("{}/proposals/steadfast-2026-spec", base)).await;
        b.find("a[href^='/login']").await.click().await.unwrap();
        b.find("#token").await.send_keys(&token).await.unwrap();
        b.shot("login").await;
        b.find("#login-submit").await.click().await.unwrap();
        assert_eq!(b.text("#whoami").await, "Delegation of NOR");
        // Back on the proposal, the form speaks for NOR only.
        assert!(b.text("#record").await.contains("For NOR"));
        b.find("#stance-object").await.click().await.unwrap();
        b.find("#vote-submit").await.click().await.unwrap();
        // An objection without a reason is refused, and nothing is recorded.
        let refused = b.text("#flash").await;
        assert!(refused.contains("reason"), "the refusal names the missing reason");
        b.find("#stance-object").await.click().await.unwrap();
        b.find("#reason").await.send_keys("the specification needs another round").await.unwrap();
        b.find("#vote-submit").await.click().await.unwrap();
        // The refusal's page stays until the answer replaces it: wait for that, not for `#flash`.
        let flash = b.text_after("#flash", &refused).await;
        assert_eq!(flash, format!("Recorded in ledger entry {before}."));
        b.wait_for_attr("#outcome .badge", "class", "badge blocked").await;
        let objection = b.text("li.objection[data-member='NOR']").await;
        assert!(objection.contains("the specification needs another round"), "{objection}");
        b.shot("recorded").await;
    });
    if !ran {
        return;
    }
    assert_eq!(served.store.size(), before + 1);
    let votes = served.get("/api/votes?proposal=steadfast-2026-spec&member=NOR", None).json();
    assert_eq!(votes.as_array().unwrap().len(), 1, "{votes}");
    assert_eq!(votes[0]["stance"], "object");
}

#[test]
fn the_secretariat_closes_a_proposal_from_its_page() {
    let served = Served::start("2025-06-20");
    let token = served.secretariat.clone();
    let before = served.store.size();
    let base = served.base.clone();
    let ran = with_browser("secretariat-close", true, |b| async move {
        b.goto(&format!("{}/login?next=/proposals/steadfast-2026-spec", base)).await;
        b.find("#token").await.send_keys(&token).await.unwrap();
        b.find("#login-submit").await.click().await.unwrap();
        assert!(b.text("#deadline").await.contains("silence procedure until 2025-06-30"));
        assert!(b.text("#manage").await.contains("Move the deadline"));
        b.shot("forms").await;
        b.find("#close-reason").await.send_keys("consensus reached early").await.unwrap();
        b.find("#close-submit").await.click().await.unwrap();
        assert_eq!(b.text("#flash").await, format!("Recorded in ledger entry {before}."));
        b.wait_for_attr("#outcome .badge", "class", "badge adopted").await;
        let decision = b.text("#decision").await;
        assert!(decision.contains("final since 2025-06-20, closed by the secretariat"), "{decision}");
        assert!(decision.contains("consensus reached early"), "{decision}");
        // Decided: no form is offered any more.
        assert!(b.client.find(Locator::Css("#manage")).await.is_err());
        b.shot("closed").await;
    });
    if ran {
        assert_eq!(served.store.size(), before + 1);
        let board = served.get("/api/proposals/steadfast-2026-spec", None).json();
        assert_eq!(board["recorded"]["outcome"], "adopted", "{board}");
    }
}

#[test]
fn the_page_is_usable_from_the_keyboard() {
    let served = Served::start("2025-06-15");
    let base = served.base.clone();
    let _ = with_browser("keyboard", true, |b| async move {
        b.goto(&format!("{}/", base)).await;
        b.find("#board").await;
        // The first Tab reaches the skip link, and following it lands on the main content.
        let body = b.find("body").await;
        body.send_keys("\u{E004}").await.unwrap();
        let first = b.client.active_element().await.unwrap();
        assert_eq!(first.text().await.unwrap(), "Skip to content");
        b.shot("skip-link").await;
        first.send_keys("\u{E007}").await.unwrap();
        assert!(b.client.current_url().await.unwrap().as_str().ends_with("#main"));
        // Every proposal is a link reached by Tab, in board order.
        let links = b.client.find_all(Locator::Css("#board tbody th a")).await.unwrap();
        assert_eq!(links.len(), 7);
        for link in &links {
            assert!(link.attr("tabindex").await.unwrap().is_none_or(|t| t != "-1"));
        }
    });
}
