//! The `hamstride` command: a thin terminal adapter over `hamstride-service`.
//!
//! It parses arguments, reads findings from a file or standard input, drives the interactive
//! interview, prints results as text or JSON, and turns errors into messages and exit codes.
//! All clinical logic lives in the core; nothing here decides anything about a runner.

#[macro_use]
mod out;
mod checkin_prompt;
mod data_cmd;
mod dates;
mod docs_cmd;
mod files;
mod import_cmd;
mod interactive;
mod plan_cmd;
mod render;
mod safe;
mod serve_cmd;
mod training_cmd;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use hamstride_service::{AthleteDb, DbOptions, Findings, Service};

/// Exit codes that mean something to scripts.
pub(crate) mod exit {
    /// Bad findings, a findings file that cannot be read, an output path that is refused or
    /// cannot be written, an import where every file failed, or a deletion not confirmed: the
    /// user's input.
    pub const BAD_INPUT: u8 = 3;
    /// The knowledge base failed its check.
    pub const KB_INVALID: u8 = 4;
    /// The local database cannot be opened or written (corrupt file, disk full, locked).
    pub const STORE: u8 = 5;
    /// `import`: some files were imported (or already there) and others could not be read.
    pub const PARTLY_DONE: u8 = 6;
    /// Anything else (a bug).
    pub const INTERNAL: u8 = 1;
    /// The runner stopped the interview (or the question of `delete-data`) before the end:
    /// nothing was saved, replaced or deleted.
    pub const STOPPED: u8 = 7;
}

#[derive(Parser, Debug)]
#[command(
    name = "hamstride",
    version,
    about = "Educational decision support for runners with pain at the back of the thigh.",
    long_about = "hamstride asks about your pain at the back of the thigh, tells you what it most likely is \
(strain, tear, tendon pain, sciatica, cramp, soreness, tightness ...), how urgent it is, and what to do now, \
with the reasons and the sources behind each step. It checks for warning signs that need a doctor first.\n\n\
It is educational information, not a diagnosis. Your answers stay on this computer.",
    after_help = "Examples:\n  hamstride assess                                   # the interview, one question at a time\n  \
hamstride assess --input findings.json --format json\n  cat findings.json | hamstride assess --input - --format json\n  \
hamstride assess --save my-answers.json            # keep your answers to re-run later\n  \
hamstride import ~/Downloads/export_12345.zip      # a Strava or Garmin bulk export, as downloaded\n  \
hamstride activities --units mi\n  hamstride plan                                     # today's and this week's sessions\n  \
hamstride checkin --during 2 --after 1 --morning 1 --done all\n  hamstride plan export --out my-plan\n  \
hamstride pain --during 2 --after 3 --site 'sit bone' --side left\n  hamstride status\n  \
hamstride report --out for-my-physio.html\n  hamstride export-data                              # everything, in one zip\n  \
hamstride kb check\n\n\
Your data stays on this computer, in a database folder readable only by you: by default in your user data \
folder (~/.local/share/hamstride on Linux), or where --data-dir or HAMSTRIDE_DATA_DIR says. A physio or coach \
can keep several runners in PostgreSQL instead: --database postgres://... with --athlete NAME.\n\n\
Exit status: 0 success (whatever the triage level; also when the reader of the output stops early, as \
`| head` does), 2 bad command line, 3 bad input (findings, a path that does not exist, an output path that is \
refused or cannot be written, an import where every file failed, a deletion not confirmed), 4 knowledge base invalid, 5 database cannot \
be opened or written, 6 import partly done (some files could not be read), 7 interview (or a \
deletion's question) stopped before the end (nothing saved, nothing deleted), 1 internal error."
)]
struct Cli {
    /// Folder holding your database (default: your user data folder, e.g. ~/.local/share/hamstride).
    #[arg(long, global = true, value_name = "DIR", env = "HAMSTRIDE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A PostgreSQL database instead of the local file (postgres://user@host/db), for a server
    /// where a physio or coach follows many runners.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "HAMSTRIDE_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// Whose data to use, when one database holds several runners (default: the only runner).
    #[arg(long, global = true, value_name = "NAME", env = "HAMSTRIDE_ATHLETE")]
    athlete: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assess your pain: an interview in the terminal, or findings from a file.
    #[command(long_about = "Assess pain at the back of the thigh.\n\n\
Without --input, hamstride interviews you: first a short screen for warning signs, then one question at a \
time, always the one that would most change the answer. You can answer \"don't know\" to anything, and \
press Esc to stop early and see the result so far.\n\n\
With --input FILE (or --input - for standard input) it reads findings JSON as defined by the assessment \
contract (schema \"hamstride.findings/1\"). A missing field means \"don't know\", never \"no\".")]
    Assess(AssessArgs),
    /// Import runs from your watch: FIT, GPX, TCX files, folders, .gz, or a Strava/Garmin export zip.
    #[command(
        long_about = "Import activities from your watch or an online service into your local database.\n\n\
PATH can be a single file (.fit, .gpx, .tcx, or any of them .gz), a folder (searched recursively), or a zip: \
Strava's \"Download your archive\" export (activities.csv supplies names and perceived exertion) or \
Garmin's \"Export your data\" archive with its zips inside zips. Give the export exactly as downloaded.\n\n\
Nothing is imported twice: a file already imported (same content, even re-compressed) and the same run \
recorded twice (another format or a re-save: same start within a minute, same place, distance and duration, \
same sport) count as duplicates; the better copy is kept (more data, then FIT over TCX over GPX), and a better \
copy imported later replaces the one stored. A file that cannot be read, or a path that does not exist, is \
skipped with its reason and never stops the rest. If the import is interrupted, run it again: \
it completes without duplicates.\n\n\
Each reason is a plain sentence with a short code (`damaged`, `too_large`, `other_file` …) that \
`--format json` shows too; `--verbose` adds what exactly went wrong with each file.",
        after_help = "Examples:\n  hamstride import export_12345.zip\n  hamstride import ~/Garmin/Activities/ run.gpx\n  \
hamstride import --verbose old-watch/\n  \
hamstride import --format json export.zip | jq .imported\n\n\
Exit status: 0 done (files that are not activities, such as photos, do not count as failures), 3 nothing \
imported because every file failed (or no path exists), 6 partly done: some files imported or already \
there, others could not be read (listed under \"Skipped\"), 5 database problem."
    )]
    Import(ImportArgs),
    /// List the activities in your database.
    Activities {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Distances in kilometres or miles (default: your profile's, else km).
        #[arg(long, value_enum)]
        units: Option<Units>,
    },
    /// Your plan: today's and this week's sessions, the phase you are in and how to move on.
    #[command(
        long_about = "Show your plan: what it is for, the phase you are in, today's sessions in full, this week \
at a glance, the criteria to move on to the next phase, your timeline, and whom to see.\n\n\
The plan comes from your latest assessment (`hamstride assess`) and moves on through your check-ins \
(`hamstride checkin`): by criteria and by how your pain responds, never by the calendar alone.",
        after_help = "Examples:\n  hamstride plan\n  hamstride plan --date 2026-12-01     # what that day holds if nothing changes\n  \
hamstride plan --format json | jq .today_sessions\n  hamstride plan export --out ~/my-plan"
    )]
    Plan {
        #[command(subcommand)]
        command: Option<PlanCommand>,
        /// Show the plan as of this day: YYYY-MM-DD, today, yesterday or a weekday name (default today).
        #[arg(long, value_name = "DATE")]
        date: Option<dates::DateArg>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Record how your last session went and how you feel this morning; the plan responds.
    #[command(
        long_about = "Check in the morning after a session (or any morning): pain during and straight after \
your last session and pain this morning, each 0 (none) to 10 (worst imaginable), what you did, and which of the \
phase's criteria are now true.\n\n\
The plan then decides, with its reasons: PROGRESS (next phase or next run stage), HOLD, or STEP BACK \
(pain above the plan's ceiling, a morning clearly worse than the one before, or a rising weekly trend). \
Every check-in re-runs the warning-sign screen on your answers; on the re-check days (day 3, day 7, then \
weekly) it asks the full screen, and anything urgent switches the plan to \"see a doctor\" at once. \
A check-in with only the warning-sign check (`--red-flags none`) records it and leaves the plan where it is \
(RECORDED).\n\n\
Your scores go into your pain diary too (`hamstride pain list`): they are the entry of the day before the \
check-in, the day of your last session, whose next morning is this morning.\n\n\
Without options, in a terminal, it asks: Enter skips a question, Esc cancels the whole check-in.",
        after_help = "Examples:\n  hamstride checkin                                          # asks\n  \
hamstride checkin --during 2 --after 1 --morning 1 --done all\n  \
hamstride checkin --morning 3 --done run,2 --met 1\n  \
hamstride checkin --red-flags none                          # the warning-sign check: none of them\n  \
hamstride checkin --seen-clinician\n\n\
Exit status: 0 recorded, 3 bad input (pain outside 0-10, unknown exercise or criterion id, no assessment yet), \
5 database problem, 7 cancelled (Esc at a question). Nothing is recorded when the input is bad or the check-in \
is cancelled."
    )]
    Checkin(CheckinCli),
    /// Log pain in your diary: during, after, next morning, sitting tolerance, for a day or a run.
    #[command(
        long_about = "Keep a pain diary. Each entry is for a day (default today) or one run, with pain during, \
straight after and the next morning (0 = none, 10 = worst imaginable), how long you can sit comfortably, where \
it hurts and a note. Log the morning score the day after: `--date yesterday --morning 2`, or \
`--run last --morning 2` for your latest run.\n\n\
One entry per day: logging a day that has an entry updates it (what you give replaces, the rest is kept), \
and a check-in's scores fill in the entry of the day before it.\n\n\
`hamstride status` and `hamstride report` relate the diary to your training of the same day and the two days \
before, and say how sure they can be (with fewer than about 10 days of scores: not yet).\n\n\
Without scores, in a terminal, it asks.",
        after_help = "Examples:\n  hamstride pain --during 2 --after 3 --site 'sit bone' --side left\n  \
hamstride pain --run last --morning 1 --sitting 45\n  hamstride pain --date 2026-11-20 --morning 2 --note \"stiff on the stairs\"\n  \
hamstride pain list\n  hamstride pain delete 12\n\n\
Exit status: 0 recorded, 3 bad input (score outside 0-10, unknown site or run, a future date), 5 database problem, \
7 cancelled (Esc at a question). Nothing is recorded when the input is bad or the entry is cancelled."
    )]
    Pain(PainCli),
    /// This week at a glance: distance by day, trends, flags, plan and pain, in the terminal.
    #[command(
        long_about = "This week at a glance: distance per day and next-morning pain, the week's totals, sparklines of \
the last 12 weeks, the load flags of the last 14 days with their evidence grade, form changes against your own \
baseline, your plan's adherence, and what your pain diary shows so far.\n\n\
Flags are links seen in studies of many runners (\"runs like this are linked with more injuries\"), not forecasts \
for you. The acute:chronic ratio is shown for context only and never raises a flag.",
        after_help = "Examples:\n  hamstride status\n  hamstride status --units mi\n  hamstride status --format json | jq .flags"
    )]
    Status {
        /// Distances in kilometres or miles (default: your profile's, else km).
        #[arg(long, value_enum)]
        units: Option<Units>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write an HTML report of load, pain and form, with a one-page summary for your physio.
    #[command(
        long_about = "Write one self-contained HTML file (no scripts, nothing loaded from the internet) that opens \
in any browser and prints: first a one-page summary for a physiotherapist or doctor (your latest assessment with \
the findings for and against, the last 8 weeks of load, your pain diary, plan adherence and recent flags), then \
weekly load with pain over it and flagged spikes marked, the last 12 weeks day by day, load context, form trends, \
what the pain diary shows, and every signal explained with its evidence grade and sources. Every chart has a \
text alternative and a data table.\n\n\
The file holds your health data: it is written readable only by you. Share it only with whom you choose.",
        after_help = "Examples:\n  hamstride report\n  hamstride report --out ~/Desktop/for-my-physio.html --units mi"
    )]
    Report {
        /// The HTML file to write ("-" for standard output; never the database, a folder or a device).
        #[arg(
            long,
            short,
            value_name = "FILE",
            default_value = "hamstride-report.html"
        )]
        out: PathBuf,
        /// Distances in kilometres or miles (default: your profile's, else km).
        #[arg(long, value_enum)]
        units: Option<Units>,
        /// Output format of the confirmation.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Your settings, kept in your database: units, time zone, heart rate.
    #[command(
        long_about = "Your settings, kept in your database.\n\n\
Units are used for every distance shown. The time zone decides which calendar day a run belongs to (default: \
this computer's). Resting and maximum heart rate set the heart-rate load (Banister's formula, with his curve \
for men or for women); without them hamstride estimates the maximum from your data and uses 60 at rest, and says so.",
        after_help = "Examples:\n  hamstride profile --units mi\n  hamstride profile --timezone Europe/London --hr-rest 48 --hr-max 186\n  hamstride profile"
    )]
    Profile {
        /// Set the units for distances: km or mi.
        #[arg(long, value_enum)]
        units: Option<Units>,
        /// Your time zone (IANA name, e.g. Europe/London, America/New_York).
        #[arg(long, value_name = "NAME")]
        timezone: Option<String>,
        /// Resting heart rate, bpm.
        #[arg(long, value_name = "BPM")]
        hr_rest: Option<f64>,
        /// Maximum heart rate, bpm.
        #[arg(long, value_name = "BPM")]
        hr_max: Option<f64>,
        /// Which of Banister's heart-rate load curves to use: men or women.
        #[arg(long, value_name = "men|women")]
        hr_curve: Option<String>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Save everything hamstride keeps about you in one zip file.
    #[command(
        name = "export-data",
        long_about = "Save everything hamstride keeps about you in one zip file: your settings, every assessment \
with your answers and its result, your plans and check-ins, your pain diary, your activities with the numbers \
worked out for each, and every file you imported, byte for byte.\n\n\
Inside, README.txt says what each file is. The .csv files open in a spreadsheet; the .json files are for \
programs. The zip holds your health data: it is written readable only by you, and an existing file is \
never replaced unless you add --force.",
        after_help = "Examples:\n  hamstride export-data                          # hamstride-export-YYYY-MM-DD.zip here\n  \
hamstride export-data --out ~/Backups/hamstride.zip\n  \
hamstride export-data --out my-data.zip --force --format json\n\n\
Exit status: 0 written, 3 the file is refused (it exists, it is the database, a folder or a device) or cannot \
be written, 5 database problem."
    )]
    ExportData {
        /// The zip file to write (default: hamstride-export-YYYY-MM-DD.zip in this folder).
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the file if it already exists.
        #[arg(long)]
        force: bool,
        /// Output format of the confirmation.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Delete everything hamstride keeps about you, after you confirm.
    #[command(
        name = "delete-data",
        long_about = "Delete everything hamstride keeps about you, for good: activities and the files you \
imported, assessments, plans, check-ins, the pain diary and your settings. Other runners in the same database \
keep theirs.\n\n\
It first shows what will go and asks you to type delete. It cannot be undone: run `hamstride export-data` \
first to keep a copy. In a script, where nobody can type, it refuses unless you add --yes.",
        after_help = "Examples:\n  hamstride export-data && hamstride delete-data   # keep a copy, then delete\n  \
hamstride delete-data --yes --format json        # in a script: no question\n\n\
Exit status: 0 deleted (or nothing to delete), 3 not confirmed (no terminal and no --yes, or another word \
typed): nothing deleted, 5 database problem, 7 stopped with Esc or Ctrl-C: nothing deleted."
    )]
    DeleteData {
        /// Delete without asking (for scripts). Nothing asks again: keep a copy first.
        #[arg(long)]
        yes: bool,
        /// Output format of the result.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The exercise library: every exercise with instructions, dose, easier and harder versions.
    Exercises {
        /// Show one exercise in full.
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Work with the knowledge base (conditions, rules, evidence, sources).
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Open hamstride in your browser: everything on this computer, nothing sent anywhere.
    #[command(
        long_about = "Start the local web app on this computer and open it in your browser.\n\n\
It prints the address to open as its first line (with a secret that changes at every start: only a browser \
given that address gets in), opens your browser, and keeps running until you press Ctrl-C. It uses the same \
database as the other commands (--data-dir, --database, --athlete).",
        after_help = "Examples:\n  hamstride serve\n  hamstride serve --port 8080 --no-open\n  \
hamstride serve --listen 0.0.0.0 --port 8080   # others on your network can reach it: read the warning"
    )]
    Serve {
        /// The port to listen on (default: any free port).
        #[arg(long, value_name = "PORT")]
        port: Option<u16>,
        /// Listen on this address instead of 127.0.0.1 (prints a warning: others may reach it).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::IpAddr>,
        /// Do not open the browser; just print the address.
        #[arg(long)]
        no_open: bool,
    },
    /// Print tab completion for your shell (bash, zsh, fish, elvish, powershell)
    #[command(
        long_about = "Print the tab-completion script for your shell on standard output. \
Press Tab after `hamstride ` to see the commands, after `--` to see the options.",
        after_help = "Examples:\n  hamstride completions bash > ~/.local/share/bash-completion/completions/hamstride\n  \
hamstride completions zsh > ~/.zfunc/_hamstride      # with fpath+=~/.zfunc in ~/.zshrc\n  \
hamstride completions fish > ~/.config/fish/completions/hamstride.fish"
    )]
    Completions {
        /// Your shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, or write one page per command to a folder
    #[command(
        after_help = "Examples:\n  hamstride man | man -l -                # read it now\n  \
hamstride man --out ~/.local/share/man/man1   # then: man hamstride, man hamstride-checkin"
    )]
    Man {
        /// Write hamstride.1 and a page for every command (hamstride-assess.1, ...) to this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
struct AssessArgs {
    /// Read findings JSON from this file ("-" for standard input) instead of asking.
    #[arg(long, short, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Output format: text for people, json for scripts (the assessment contract).
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the answers given (findings JSON) to this file, readable only by you ("-": standard
    /// output, before the result). Never the database, a folder or a device.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Reject findings with fields the contract does not define (default: warn and ignore).
    #[arg(long)]
    strict: bool,
    /// Units for distances in the interview.
    #[arg(long, value_enum, default_value_t = Units::Km)]
    units: Units,
    /// Do not keep this assessment (nor make a plan from it) in your database.
    #[arg(long)]
    no_record: bool,
    /// Make the new plan your active plan without asking, when you already have one (the old
    /// plan stays in `plan history` and can be restored). Without it, a terminal asks, and a
    /// script keeps the current plan.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Answer the training questions (recent changes, weekly distance) from your imported runs,
    /// shown as "from your data". Only what the data shows is filled in; you answer the rest.
    #[arg(long)]
    from_data: bool,
    /// Text output: after the decision, also show the full reasons, every answer that could
    /// change the level, the advice and the questions still open.
    #[arg(long)]
    details: bool,
    /// Text output: after the decision, also list the sources behind the rules and advice.
    #[arg(long)]
    sources: bool,
}

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
struct PainCli {
    #[command(subcommand)]
    command: Option<PainCommand>,
    /// Pain during the run or activity, 0-10.
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    during: Option<i64>,
    /// Pain straight after it, 0-10.
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    after: Option<i64>,
    /// Pain the next morning, 0-10 (the morning after the entry's day).
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    morning: Option<i64>,
    /// Minutes you can sit comfortably.
    #[arg(long, value_name = "MIN", allow_negative_numbers = true)]
    sitting: Option<i64>,
    /// Where it hurts: sit bone, buttock, upper back thigh, mid back thigh, lower back thigh,
    /// back of knee, ...
    #[arg(long, value_name = "SITE")]
    site: Option<String>,
    /// Which side: left, right or both.
    #[arg(long, value_name = "SIDE")]
    side: Option<String>,
    /// The day the entry is about: YYYY-MM-DD, today, yesterday or a weekday name (the most
    /// recent, today included; default today, or the run's day with --run).
    #[arg(long, value_name = "DATE")]
    date: Option<dates::DateArg>,
    /// The run it is about: an activity id (see `hamstride activities`) or "last".
    #[arg(long, value_name = "ID|last")]
    run: Option<String>,
    /// A note for yourself or your physio.
    #[arg(long)]
    note: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Subcommand, Debug)]
enum PainCommand {
    /// List every diary entry.
    List {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Delete one entry by its id (shown by `pain list`).
    Delete {
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
enum PlanCommand {
    /// Start the prevention programme (no pain now): warm-up, Nordic curls, strength, load advice.
    Prevention {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every plan you have had, newest first: what it was for, how far it got, which is active.
    History {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Make an earlier plan (by its number in `plan history`) your active plan again.
    Restore {
        #[arg(value_name = "ID")]
        id: i64,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write the plan as Markdown, an iCalendar file and FIT workouts for a Garmin watch.
    Export {
        /// Folder to write into (created if needed, readable only by you; never the data folder).
        #[arg(long, short, value_name = "DIR", default_value = "hamstride-plan")]
        out: PathBuf,
        /// Weeks of sessions to put in the calendar.
        #[arg(long, default_value_t = 4)]
        weeks: u32,
        /// Output format of the summary.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
struct CheckinCli {
    /// Pain during your last session, 0-10.
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    during: Option<i64>,
    /// Pain straight after it, 0-10.
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    after: Option<i64>,
    /// Pain this morning, 0-10.
    #[arg(long, value_name = "0-10", allow_negative_numbers = true)]
    morning: Option<i64>,
    /// What you did: the numbers or names of the day's sessions as `hamstride plan` lists them
    /// ("1,3" or "heel dig hold"), "run", or "all" for all of them.
    #[arg(long, value_name = "WHICH")]
    done: Vec<String>,
    /// Criteria of your phase that are now true: their numbers as `hamstride plan` lists them
    /// ("1,2").
    #[arg(long, value_name = "NUMBERS")]
    met: Vec<String>,
    /// The warning-sign check: "none", or the signs you have now, by name, comma-separated
    /// (a wrong name lists them all).
    #[arg(long, value_name = "none|SIGNS")]
    red_flags: Option<String>,
    /// A doctor or physiotherapist has seen you.
    #[arg(long)]
    seen_clinician: bool,
    /// The day of the check-in: YYYY-MM-DD, today, yesterday or a weekday name (the most recent,
    /// today included; default today).
    #[arg(long, value_name = "DATE")]
    date: Option<dates::DateArg>,
    /// A note for yourself or your physio.
    #[arg(long)]
    note: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// Files, folders or zip exports to import.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: text summary, or JSON {"imported", "duplicates", "skipped": [{"path", "code", "reason", "detail"}], "warnings": [{"path", "code", "warning", "detail"}], ...}.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also show what exactly went wrong with each file skipped or repaired (the technical
    /// detail behind each plain reason).
    #[arg(long, short)]
    verbose: bool,
    /// Decoding threads (default: one per core).
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    threads: usize,
}

#[derive(Subcommand, Debug)]
enum KbCommand {
    /// Validate the knowledge base: ids, sources, findings, rules, evidence.
    Check {
        /// Check the TOML files in this directory instead of the built-in knowledge base.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Units {
    Km,
    Mi,
}

impl Units {
    /// The flag when given, else the profile's setting ("km"/"mi"), else km.
    pub fn or_profile(flag: Option<Units>, profile: Option<&str>) -> Units {
        flag.unwrap_or(if profile == Some("mi") {
            Units::Mi
        } else {
            Units::Km
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Units::Km => "km",
            Units::Mi => "mi",
        }
    }

    /// Metres in this unit.
    pub fn of_metres(self, m: f64) -> f64 {
        self.words().dist(m)
    }

    /// The same choice for the shared renderer (`hamstride_export::words`), which writes
    /// every sentence about flags and sessions for the terminal and the report alike.
    pub fn words(self) -> hamstride_service::view::words::Units {
        match self {
            Units::Km => hamstride_service::view::words::Units::Km,
            Units::Mi => hamstride_service::view::words::Units::Mi,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dbo = DbOptions {
        url: cli.database.clone(),
        data_dir: cli.data_dir.clone(),
        athlete: cli.athlete.clone(),
    };
    let result = match cli.command {
        Command::Assess(args) => assess(&dbo, &args),
        Command::Plan {
            command: None,
            date,
            format,
        } => plan_cmd::show(&dbo, date, format),
        Command::Plan {
            command: Some(PlanCommand::Export { out, weeks, format }),
            ..
        } => plan_cmd::export(&dbo, &out, weeks, format),
        Command::Plan {
            command: Some(PlanCommand::Prevention { format }),
            ..
        } => plan_cmd::prevention(&dbo, format),
        Command::Plan {
            command: Some(PlanCommand::History { format }),
            ..
        } => plan_cmd::history(&dbo, format),
        Command::Plan {
            command: Some(PlanCommand::Restore { id, format }),
            ..
        } => plan_cmd::restore(&dbo, id, format),
        Command::Checkin(a) => plan_cmd::checkin(
            &dbo,
            plan_cmd::CheckinArgs {
                during: a.during,
                after: a.after,
                morning: a.morning,
                done: a.done,
                met: a.met,
                red_flags: a.red_flags,
                seen_clinician: a.seen_clinician,
                date: a.date,
                note: a.note,
                format: a.format,
            },
        ),
        Command::Profile {
            units,
            timezone,
            hr_rest,
            hr_max,
            hr_curve,
            format,
        } => plan_cmd::profile(
            &dbo,
            hamstride_service::training::ProfileUpdate {
                units: units.map(|u| u.name().to_string()),
                timezone,
                hr_rest,
                hr_max,
                hr_curve,
            },
            format,
        ),
        Command::Pain(PainCli {
            command: Some(PainCommand::List { format }),
            ..
        }) => training_cmd::list(&dbo, format),
        Command::Pain(PainCli {
            command: Some(PainCommand::Delete { id }),
            ..
        }) => training_cmd::delete(&dbo, id),
        Command::Pain(a) => training_cmd::log(
            &dbo,
            training_cmd::PainArgs {
                input: hamstride_service::training::PainInput {
                    date: None,
                    activity_id: None,
                    site: a.site,
                    side: a.side,
                    during: a.during,
                    after: a.after,
                    next_morning: a.morning,
                    sitting_min: a.sitting,
                    notes: a.note,
                },
                run: a.run,
                date: a.date,
                format: a.format,
            },
        ),
        Command::Status { units, format } => training_cmd::status(&dbo, units, format),
        Command::Report { out, units, format } => training_cmd::report(&dbo, &out, units, format),
        Command::ExportData { out, force, format } => {
            data_cmd::export(&dbo, out.as_deref(), force, format)
        }
        Command::DeleteData { yes, format } => data_cmd::delete(&dbo, yes, format),
        Command::Exercises { id, format } => plan_cmd::exercises(id.as_deref(), format),
        Command::Import(args) => {
            import_cmd::import(&dbo, &args.paths, args.format, args.verbose, args.threads)
        }
        Command::Activities { format, units } => import_cmd::activities(&dbo, format, units),
        Command::Kb {
            command: KbCommand::Check { dir, format },
        } => kb_check(dir.as_deref(), format),
        Command::Serve {
            port,
            listen,
            no_open,
        } => serve_cmd::serve(
            &dbo,
            serve_cmd::ServeArgs {
                port,
                listen,
                no_open,
            },
        ),
        Command::Completions { shell } => docs_cmd::completions(shell),
        Command::Man { out } => docs_cmd::man(&dbo, out.as_deref()),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away (`| head`): what was asked is done, say nothing.
        Err(err) if out::is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            out::message(&format!("hamstride: {err:#}"));
            ExitCode::from(exit::INTERNAL)
        }
    }
}

/// The runner's database, or the exit (message printed) when it cannot be opened.
pub(crate) fn open_db(db: &DbOptions) -> std::result::Result<AthleteDb, Result<ExitCode>> {
    hamstride_service::open(db).map_err(|e| match e {
        hamstride_service::Error::Input { .. } => fail(exit::BAD_INPUT, e),
        e => fail(exit::STORE, e),
    })
}

/// A user-facing error with its exit code.
pub(crate) fn fail(code: u8, msg: impl std::fmt::Display) -> Result<ExitCode> {
    out::message(&format!("hamstride: {msg}"));
    Ok(ExitCode::from(code))
}

fn assess(db: &DbOptions, args: &AssessArgs) -> Result<ExitCode> {
    // Before the interview, so a refused --save path costs no answers.
    if let Some(Err(message)) = args.save.as_deref().map(|p| files::check_out_file(p, db)) {
        return fail(exit::BAD_INPUT, message);
    }
    let service = Service::new().context("loading the built-in knowledge base")?;
    let (findings, ending) = match &args.input {
        Some(path) => {
            let (text, name) = match read_input(path) {
                Ok(x) => x,
                Err(e) => return fail(exit::BAD_INPUT, e),
            };
            let parsed = match service.parse_findings(&text, &name, args.strict) {
                Ok(p) => p,
                Err(e) => return fail(exit::BAD_INPUT, e),
            };
            for w in &parsed.warnings {
                eprintln!("hamstride: warning: {name}: {w} (use --strict to reject)");
            }
            (parsed.findings, interactive::Ending::Finished)
        }
        None => {
            if !std::io::stdin().is_terminal() {
                return fail(
                    exit::BAD_INPUT,
                    "the interview needs a terminal; to script it, give findings with --input FILE or --input -",
                );
            }
            let mut start = Findings::empty(&service.kb().schema);
            let from_data = args.from_data || ask_consent(db);
            if from_data {
                for line in prefill(&service, db, &mut start) {
                    outln!("From your data: {line}");
                }
            }
            interactive::run(&service, args.units, start)?
        }
    };
    let mut findings = findings;
    if args.input.is_some() && args.from_data {
        for line in prefill(&service, db, &mut findings) {
            eprintln!("hamstride: from your data: {line}");
        }
    }
    if ending == interactive::Ending::AllUnknown {
        // Nothing the runner could tell: a result would rest on nothing. Say why the questions
        // stopped and what to do, and keep nothing.
        outln!("{}", service.kb().screen_wording.all_unknown);
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = service.assess(&findings);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &outcome.assessment)?;
            writeln!(out)?;
        }
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let stopped = ending == interactive::Ending::Stopped;
            let show = render::Show {
                details: args.details,
                sources: args.sources,
                more: more_hint(args),
            };
            let text = render::assessment(service.kb(), &findings, &outcome, color, stopped, &show);
            out.write_all(text.as_bytes())?;
        }
    }
    drop(out);
    if ending == interactive::Ending::Stopped {
        // Leaving changes nothing: a result from a half-answered interview is shown, never
        // kept, and the active plan stays as it was.
        eprintln!(
            "\nhamstride: you stopped before the end, so nothing was saved and your plan is unchanged.{}",
            if args.save.is_some() { " Your answers were not written either." } else { "" }
        );
        return Ok(ExitCode::from(exit::STOPPED));
    }
    if let Some(path) = &args.save {
        if let Err(e) = save_findings(&service, &findings, path) {
            if out::is_closed_pipe(&e) {
                return Err(e);
            }
            return fail(exit::BAD_INPUT, format!("saving answers: {e:#}"));
        }
    }
    if args.no_record {
        return Ok(ExitCode::SUCCESS);
    }
    record(&service, db, &findings, &outcome, args)
}

/// The last line of the decision: the same command with `--details` or `--sources`. An
/// interview cannot be replayed, so it points at `--save` to keep the answers for next time.
fn more_hint(args: &AssessArgs) -> String {
    match &args.input {
        Some(p) if p.as_os_str() != "-" => format!(
            "`hamstride assess --input {} --details` (advice and reasons), `--sources` (references).",
            p.display()
        ),
        Some(_) => "the same input to `hamstride assess --input - --details` (advice and reasons), `--sources` (references).".to_string(),
        None => "add `--details` (advice and reasons) or `--sources` (references) to `hamstride assess`; `--save FILE` keeps your answers, and `--input FILE --details` shows them again.".to_string(),
    }
}

/// Keep a finished assessment and its plan. An active plan is replaced only with `--yes`, or
/// when the runner says so at a terminal (or when the result needs a doctor urgently), and the
/// runner is told which plan is active now and how to switch back.
fn record(
    service: &Service,
    db: &DbOptions,
    findings: &Findings,
    outcome: &hamstride_service::Outcome,
    args: &AssessArgs,
) -> Result<ExitCode> {
    use hamstride_service::view::OnActivePlan;
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let on_active = if args.yes {
        OnActivePlan::Replace
    } else {
        match service.current_plan_summary(&store) {
            Ok(None) => OnActivePlan::Replace,
            Ok(Some(p)) if std::io::stdin().is_terminal() && args.format == Format::Text => {
                let replace = inquire::Confirm::new(&format!(
                    "You have a plan: {}, phase \"{}\" ({} check-ins). Make the new plan your plan instead?",
                    p.protocol, p.phase, p.check_ins
                ))
                .with_default(false)
                .with_help_message("No keeps your plan; the new one waits in `hamstride plan history`")
                .prompt()
                .unwrap_or(false);
                if replace {
                    OnActivePlan::Replace
                } else {
                    OnActivePlan::Keep
                }
            }
            Ok(Some(_)) => OnActivePlan::Keep,
            Err(e) => return plan_cmd::service_fail(e),
        }
    };
    let r = match service.record_assessment(
        &mut store,
        findings,
        outcome,
        hamstride_service::plans::Now::system(),
        on_active,
    ) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                exit::STORE,
                format!("the assessment above was not saved: {e} (use --no-record to skip saving)"),
            )
        }
    };
    let name = service
        .plans()
        .protocol(&r.state.protocol)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let lines = recorded_lines(&r, &name);
    if args.format == Format::Text {
        outln!("\n{}", lines.join("\n"));
    } else {
        for l in lines {
            eprintln!("hamstride: {l}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What happened to the runner's plans, in plain words.
fn recorded_lines(r: &hamstride_service::view::Recorded, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    match (&r.replaced, &r.kept) {
        (_, Some(kept)) => out.push(format!(
            "Saved. You kept your plan ({}, phase \"{}\"). The new plan, {name}, is plan {} in \
             `hamstride plan history`; `hamstride plan restore {}` switches to it.",
            kept.protocol, kept.phase, r.plan_id, r.plan_id
        )),
        (Some(old), None) if r.replaced_for_urgency => out.push(format!(
            "Saved. This result needs a doctor soon, so your plan ({}, phase \"{}\") was replaced \
             by: {name}. After you have been seen, `hamstride plan restore {}` brings it back.",
            old.protocol, old.phase, old.id
        )),
        (Some(old), None) => out.push(format!(
            "Saved. Your plan is now: {name}. It replaced plan {} ({}, phase \"{}\"), which stays \
             in `hamstride plan history`; `hamstride plan restore {}` brings it back.",
            old.id, old.protocol, old.phase, old.id
        )),
        (None, None) => out.push(format!("Saved. Your plan: {name}.")),
    }
    if r.active {
        out.push("See it with `hamstride plan`; check in with `hamstride checkin`.".to_string());
    }
    out
}

/// Fill training findings from the runner's imported runs (consent given). Problems reading
/// the data are reported and the interview simply asks instead.
fn prefill(service: &Service, db: &DbOptions, f: &mut Findings) -> Vec<String> {
    let now = hamstride_service::plans::Now::system();
    let got = hamstride_service::open(db).and_then(|mut store| {
        hamstride_service::training::refresh_metrics(&mut store, &mut |_, _| {})?;
        service.findings_from_data(&store, now)
    });
    match got {
        Ok(d) if d.runs_28d == 0 => {
            eprintln!(
                "hamstride: no runs in your data for the last 4 weeks; the interview asks instead"
            );
            Vec::new()
        }
        Ok(d) => {
            let u = Units::or_profile(None, Some(&d.units)).words();
            service
                .apply_data_findings(f, &d)
                .iter()
                .map(|r| hamstride_service::view::words::data_reason(r, u))
                .collect()
        }
        Err(e) => {
            eprintln!("hamstride: could not read your runs ({e}); the interview asks instead");
            Vec::new()
        }
    }
}

/// In the interview, when runs are imported, ask before using them.
fn ask_consent(db: &DbOptions) -> bool {
    let has_runs = hamstride_service::training::has_runs(db);
    has_runs
        && inquire::Confirm::new("You have imported runs. Use them to answer the questions about your recent training?")
            .with_default(false)
            .with_help_message("Only what your data shows is filled in, marked \"from your data\"; nothing leaves this computer")
            .prompt()
            .unwrap_or(false)
}

/// A findings file is a few kilobytes; more than this is not one.
const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Read findings from a file or `-`. The bound is enforced while reading, not taken from the
/// metadata, which says nothing true for standard input, a FIFO or `/dev/zero`.
fn read_input(path: &Path) -> std::result::Result<(String, String), String> {
    let name = if path.as_os_str() == "-" {
        String::from("standard input")
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!(
            "{name} is too large to be a findings file (more than {} MiB)",
            MAX_INPUT / (1024 * 1024)
        ));
    }
    let s = String::from_utf8(bytes)
        .map_err(|_| format!("cannot read {name}: it is not UTF-8 text"))?;
    Ok((s, name))
}

/// Write the findings atomically (temp file + rename) with mode 0600: it is health data.
/// `-` writes them to standard output.
fn save_findings(service: &Service, f: &Findings, path: &Path) -> Result<()> {
    let mut json = serde_json::to_string_pretty(&service.findings_json(f))?;
    json.push('\n');
    if files::is_stdout(path) {
        return Ok(out::write_all(json.as_bytes())?);
    }
    files::write_private(path, json.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn kb_check(dir: Option<&Path>, format: Format) -> Result<ExitCode> {
    match hamstride_service::check_kb(dir) {
        Ok(stats) => {
            if format == Format::Json {
                jsonln!(&stats);
            } else {
                let plans = &stats.plans;
                let signals = stats.signals;
                let prefill = stats.prefill;
                let stats = &stats.kb;
                outln!(
                    "knowledge base {} is valid: {} findings, {} conditions, {} evidence rows, {} triage rules \
({} red-flag), {} screen groups, {} advice entries, {} sources ({} cited by conditions, rules and advice)",
                    stats.version,
                    stats.findings,
                    stats.conditions,
                    stats.evidence_rows,
                    stats.rules,
                    stats.red_flag_rules,
                    stats.screens,
                    stats.advice,
                    stats.sources,
                    stats.sources_cited
                );
                outln!(
                    "plan library is valid: {} exercises, {} protocols with {} phases and {} exit criteria, {} return-to-run stages",
                    plans.exercises, plans.protocols, plans.phases, plans.criteria, plans.ladder_stages
                );
                outln!(
                    "running-data signals are valid: {signals}, each with its grade and known sources"
                );
                outln!(
                    "assessment pre-fill from data is valid: {prefill} training changes, each with its sources or reason"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(hamstride_service::Error::Io { path, error }) => {
            fail(exit::BAD_INPUT, format!("cannot read {path}: {error}"))
        }
        Err(e) => fail(
            exit::KB_INVALID,
            format!("knowledge base check failed: {e}"),
        ),
    }
}
