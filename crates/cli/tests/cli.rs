//! End-to-end tests of the `hamstride` binary: what a script or a person sees. Exit codes,
//! JSON on standard output, messages that name the bad field, standard-input scripting,
//! strict mode, the private answers file, and `kb check` on good and broken knowledge bases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary with its own throwaway data folder: `assess` keeps what it assesses, and a test
/// must never write into the real user's database.
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hamstride"));
    let data = std::env::temp_dir().join(format!("hamstride-cli-data-{}", std::process::id()));
    c.env("HAMSTRIDE_DATA_DIR", data);
    c
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hamstride-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal",
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

#[test]
fn json_from_stdin_follows_the_contract() {
    let out = run_stdin(&["assess", "--input", "-", "--format", "json"], STRAIN);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "hamstride.assessment/2");
    assert_eq!(v["findings_schema"], "hamstride.findings/1");
    assert_eq!(v["differential"][0]["condition"], "acute_hamstring_strain");
    assert_eq!(v["triage"]["level"], "clinician");
    // Contract v2: what set the level, and what unknown answers could change it.
    assert_eq!(v["triage"]["set_by"]["kind"], "rule");
    assert_eq!(v["triage"]["set_by"]["id"], "R-P1");
    assert!(v["triage"]["could_change"].is_array());
    assert!(v["disclaimer"]
        .as_str()
        .unwrap()
        .contains("not a diagnosis"));
}

#[test]
fn text_output_leads_with_triage_and_cites_sources() {
    let d = tmpdir("text");
    let f = d.join("f.json");
    std::fs::write(&f, STRAIN).unwrap();
    let out = bin().args(["assess", "--input"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.trim_start().starts_with("BOOK A PHYSIO"), "{text}");
    assert!(text.contains("Hamstring muscle strain"));
    // The decision ends on how to see more, never on the references.
    assert!(!text.contains("Sources"), "{text}");
    assert!(text.contains("\nMore: "), "{text}");
    let out = bin()
        .args(["assess", "--sources", "--details", "--input"])
        .arg(&f)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("What to do now") && text.contains("Sources"),
        "{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("not a diagnosis"), "disclaimer missing");
}

#[test]
fn emergency_is_exit_zero() {
    let out = run_stdin(
        &["assess", "-i", "-", "-f", "json"],
        r#"{"bladder_change": true, "low_back_pain": true}"#,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["triage"]["level"], "emergency");
    assert!(v["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "R-E1"));
}

#[test]
fn bad_input_names_the_field_and_exits_3() {
    let cases = [
        (r#"{"age_years": 200}"#, "age_years"),
        (r#"{"onset": "slowly"}"#, "onset"),
        (r#"{"pop_or_snap": "yes"}"#, "pop_or_snap"),
        (r#"{"pain_sites": ["calf", "calf"]}"#, "pain_sites"),
        (r#"{"schema": "other/9"}"#, "schema"),
        ("{\n  \"age_years\": 30,\n  oops\n}", "line 3"),
        ("[1, 2]", "object"),
    ];
    for (input, needle) in cases {
        let out = run_stdin(&["assess", "--input", "-", "--format", "json"], input);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{input}: {err}");
        assert!(
            err.contains(needle),
            "{input}: message should name {needle}: {err}"
        );
        assert!(out.stdout.is_empty(), "no assessment on bad input");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unknown_field_warns_or_fails_with_strict() {
    let input = r#"{"onset": "gradual", "favourite_shoe": "x"}"#;
    let out = run_stdin(&["assess", "--input", "-", "--format", "json"], input);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("favourite_shoe"));
    let out = run_stdin(
        &["assess", "--input", "-", "--format", "json", "--strict"],
        input,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("favourite_shoe"));
}

#[test]
fn missing_file_is_bad_input() {
    let out = bin()
        .args(["assess", "--input", "/nonexistent/findings.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/findings.json"));
}

#[test]
fn interview_without_a_terminal_explains_how_to_script() {
    let out = run_stdin(&["assess"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--input"));
}

#[test]
fn save_writes_private_normalised_findings() {
    let d = tmpdir("save");
    let saved = d.join("answers.json");
    let out = run_stdin(
        &[
            "assess",
            "--input",
            "-",
            "--format",
            "json",
            "--save",
            saved.to_str().unwrap(),
        ],
        STRAIN,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(v["schema"], "hamstride.findings/1");
    assert_eq!(v["onset"], "sudden");
    assert_eq!(v["days_since_onset"], 5.0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "answers are health data");
    }
    // Re-running from the saved file gives the same assessment.
    let again = bin()
        .args(["assess", "--format", "json", "--input"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(again.stdout, out.stdout);
}

fn copy_kb(to: &Path) {
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
    for e in std::fs::read_dir(kb).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn kb_check_passes_on_the_shipped_kb_and_fails_on_a_broken_copy() {
    let out = bin()
        .args(["kb", "check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["conditions"], 14);
    // Contract version 2: the 69 fields of version 1 and 6 more.
    assert_eq!(stats["findings"], 75);

    let d = tmpdir("kb");
    copy_kb(&d);
    let out = bin()
        .args(["kb", "check", "--dir"])
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let triage = std::fs::read_to_string(d.join("triage.toml")).unwrap();
    std::fs::write(
        d.join("triage.toml"),
        triage.replace("\"ref74\"", "\"ref9999\""),
    )
    .unwrap();
    let out = bin()
        .args(["kb", "check", "--dir"])
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("triage.toml") && err.contains("R-E1") && err.contains("ref9999"),
        "{err}"
    );

    // The pre-fill table is checked too, naming its file and entry.
    let d = tmpdir("kb-prefill");
    copy_kb(&d);
    let prefill = std::fs::read_to_string(d.join("prefill.toml")).unwrap();
    std::fs::write(
        d.join("prefill.toml"),
        prefill.replace("min_days = 14", "min_days = -1"),
    )
    .unwrap();
    let out = bin()
        .args(["kb", "check", "--dir"])
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("prefill.toml")
            && err.contains("return_after_break")
            && err.contains("min_days"),
        "{err}"
    );
}

#[test]
fn kb_check_names_a_missing_or_unsourced_signal_constant() {
    let d = tmpdir("kb-signals");
    copy_kb(&d);
    let shipped = std::fs::read_to_string(d.join("signals.toml")).unwrap();
    let check = |text: String| {
        std::fs::write(d.join("signals.toml"), text).unwrap();
        let out = bin()
            .args(["kb", "check", "--dir"])
            .arg(&d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = check(shipped.replace("spike_window_days = ", "# spike_window_days = "));
    assert!(
        err.contains("signals.toml") && err.contains("`series.spike_window_days` is missing"),
        "{err}"
    );
    let err = check(shipped.replace(
        "spike_window_days = { value = 30, source = \"ref127\" }",
        "spike_window_days = { value = 30, source = \"ref9999\" }",
    ));
    assert!(err.contains("ref9999"), "{err}");
}

#[test]
fn help_teaches() {
    let out = bin().args(["assess", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--input") && text.contains("don't know") && text.contains("--save"));
}

/// Contract version 2 in the terminal: a forced stretch with a pop and nothing known about
/// walking or sitting is sent to a doctor (brief 2.4a), and the text says what set the level
/// and which unknown answers would change it.
#[test]
fn text_names_what_set_the_level_and_what_could_change_it() {
    let v2 = r#"{"schema": "hamstride.findings/2", "age_years": 47, "onset": "sudden",
     "mechanism": "overstretch", "pop_or_snap": true, "days_since_onset": 0,
     "pain_sites": ["upper_back_thigh", "sit_bone"], "pain_now": 8}"#;
    let out = run_stdin(&["assess", "--input", "-"], v2);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SEE A DOCTOR"), "{text}");
    assert!(text.contains("What set this level"), "{text}");
    assert!(text.contains("[R-U1]"), "{text}");
    assert!(text.contains("Answers that could change this"), "{text}");

    let json = run_stdin(&["assess", "--input", "-", "--format", "json"], v2);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["findings_schema"], "hamstride.findings/2");
    assert_eq!(v["triage"]["level"], "urgent");
    let named: Vec<&str> = v["triage"]["could_change"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["finding"].as_str())
        .collect();
    assert!(named.contains(&"walking"), "{named:?}");

    // A version-2 field under a version-1 tag is refused in strict mode, naming the field.
    let mixed = r#"{"schema": "hamstride.findings/1", "weakness_kind": "tired_or_heavy"}"#;
    let out = run_stdin(&["assess", "--input", "-", "--strict"], mixed);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("weakness_kind"));
}
