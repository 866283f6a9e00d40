//! What the CLI's integration tests share: running the binary on a throwaway data folder, the
//! findings of a typical strain, and a tmux harness that drives the real terminal interface
//! (prompts, Esc, wrapping) the way a runner does. Each test file uses part of it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A moderate hamstring strain five days old: the usual first plan.
pub const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hamstride")
}

/// Run hamstride with its data in `d/data` (never a real user's folder, never PostgreSQL).
pub fn run(d: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .env("HAMSTRIDE_DATA_DIR", d.join("data"))
        .env_remove("HAMSTRIDE_DATABASE_URL")
        .args(args)
        .output()
        .unwrap()
}

/// Standard output and standard error together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Write `findings` to `d/name` and assess them.
pub fn assess(d: &Path, name: &str, findings: &str, extra: &[&str]) -> Output {
    let f = d.join(name);
    std::fs::write(&f, findings).unwrap();
    let mut args = vec!["assess", "--input", f.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(d, &args)
}

/// Is tmux here? In CI it must be (`.ci/run` installs it): a missing tmux fails there, and
/// elsewhere the caller prints one `SKIPPED:` line.
pub fn have_tmux(what: &str) -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false"),
        "in CI the terminal walk must run: install tmux (.ci/run does)"
    );
    println!("SKIPPED: {what} (tmux not installed)");
    false
}

/// One hamstride command running in its own tmux window of a given size, with its exit code
/// written to a file when it ends. Killed when dropped.
pub struct Term {
    session: String,
    status: PathBuf,
}

impl Term {
    /// Start `args` in a `cols` × `rows` terminal with the data in `d/data`.
    pub fn start(d: &Path, cols: u16, rows: u16, args: &[&str]) -> Term {
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        Term::shell(
            d,
            cols,
            rows,
            &format!("{} {}", shell_quote(bin()), quoted.join(" ")),
        )
    }

    /// Run a bash script (with `hamstride` as a function for the binary under test) in a
    /// `cols` × `rows` terminal with the data in `d/data`; the exit code is the script's.
    pub fn shell(d: &Path, cols: u16, rows: u16, script: &str) -> Term {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let status = d.join(format!("status-{n}"));
        let _ = std::fs::remove_file(&status);
        // tmux turns '.' and ':' in a session name into '_'; keep to letters and digits.
        let tag: String = d
            .file_name()
            .unwrap()
            .to_string_lossy()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let session = format!("hs{}-{tag}-{n}", std::process::id());
        let body = format!(
            "export HAMSTRIDE_DATA_DIR={}; hamstride() {{ {} \"$@\"; }}; cd {}; {script}",
            shell_quote(d.join("data").to_str().unwrap()),
            shell_quote(bin()),
            shell_quote(d.to_str().unwrap()),
        );
        let cmd = format!(
            "bash -c {}; echo $? > {}; sleep 600",
            shell_quote(&body),
            shell_quote(status.to_str().unwrap())
        );
        let ok = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-x"])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .arg(&cmd)
            .env_remove("HAMSTRIDE_DATABASE_URL")
            .status()
            .unwrap();
        assert!(ok.success(), "tmux could not start");
        Term { session, status }
    }

    /// What the window shows now, lines the terminal broke joined again.
    pub fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The whole output, scrolled-off lines included, with lines the terminal itself had to
    /// break joined again (so a line too long for the window shows as one long line).
    pub fn history(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Wait until the window shows `what` (panics with the screen after 15 s).
    pub fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("waited for {what:?}; the screen shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// Press keys: tmux key names ("Enter", "Escape", "Down", "Space") or literal text.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let named = matches!(
                *k,
                "Enter" | "Escape" | "Down" | "Up" | "Space" | "Tab" | "BSpace" | "C-c" | "C-d"
            );
            let mut c = Command::new("tmux");
            c.args(["send-keys", "-t", &self.session]);
            if !named {
                c.arg("-l");
            }
            c.arg(k).status().unwrap();
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    /// The exit code, once the command has ended (panics after 15 s).
    pub fn exit_code(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(s) = std::fs::read_to_string(&self.status) {
                if let Ok(n) = s.trim().parse() {
                    return n;
                }
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!(
                    "the command did not end; the screen shows:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(80));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
