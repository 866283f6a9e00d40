//! `hamstride export-data` and `hamstride delete-data`: the runner's whole record as one zip,
//! or gone, through the service's `data` use cases (the web app's Settings page does the same).
//!
//! The export is health data, so the zip is written like every other file the CLI keeps
//! (`files.rs`: a new temporary file with mode 0600, renamed into place only when whole) and
//! the path is checked before the database is touched: never the database's own files, a
//! folder or a device, and never over an existing file without `--force`. Deleting asks for
//! the service's confirmation word at a terminal, or takes `--yes`; with neither (a script, a
//! pipe) it refuses and deletes nothing, so a stray command cannot empty the record.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use hamstride_service::data::{self, CONFIRM_WORD};
use hamstride_service::plans::Now;
use hamstride_service::{DbOptions, Error};
use inquire::error::InquireError;

use crate::plan_cmd::service_fail;
use crate::{exit, fail, open_db, out, Format};

/// `hamstride export-data [--out FILE] [--force]`.
pub fn export(db: &DbOptions, out: Option<&Path>, force: bool, format: Format) -> Result<ExitCode> {
    if let Some(path) = out {
        if let Err(message) = check_out(path, db, force) {
            return fail(exit::BAD_INPUT, message);
        }
    }
    let store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let service = match hamstride_service::Service::new() {
        Ok(s) => s,
        Err(e) => return service_fail(e),
    };
    let now = Now::system();
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => match service.today(&store, now) {
            Ok(today) => {
                let p = PathBuf::from(data::export_file_name(today));
                if let Err(message) = check_out(&p, db, force) {
                    return fail(exit::BAD_INPUT, message);
                }
                p
            }
            Err(e) => return service_fail(e),
        },
    };
    let written = crate::files::write_private_with(&path, |file| {
        data::export_all(&store, std::io::BufWriter::new(file), now)
    });
    let summary = match written {
        Ok(Ok(s)) => s,
        // Writing the zip failed (a full disk, a file system that refuses): the path's fault,
        // as for any output file; nothing was left under its name.
        Ok(Err(Error::Export(e))) => {
            return fail(
                exit::BAD_INPUT,
                format!("cannot write {}: {e}", path.display()),
            )
        }
        Ok(Err(e)) => return service_fail(e),
        Err(e) => {
            return fail(
                exit::BAD_INPUT,
                format!("cannot write {}: {e}", path.display()),
            )
        }
    };
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    if format == Format::Json {
        outln!(
            "{}",
            serde_json::json!({
                "path": path.display().to_string(),
                "bytes": bytes,
                "entries": summary.entries,
                "counts": summary.counts,
            })
        );
    } else {
        outln!(
            "Wrote {} ({} kB): everything hamstride keeps about you.",
            path.display(),
            bytes.div_ceil(1024)
        );
        for line in data::what_goes(&summary.counts) {
            outln!("  {line}");
        }
        outln!(
            "README.txt inside says what each file is. The zip holds your health data: it is written \
readable only by you. Share it only with whom you choose."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The export's path: a file (never standard output: a zip is written with seeks), not the
/// database, and not over an existing file unless `force`.
fn check_out(path: &Path, db: &DbOptions, force: bool) -> Result<(), String> {
    if crate::files::is_stdout(path) {
        return Err(
            "a zip cannot be written to standard output; give a file name, e.g. --out my-data.zip"
                .into(),
        );
    }
    crate::files::check_out_file(path, db)?;
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(format!(
            "refusing to overwrite {}: it already exists; choose another name, or add --force to replace it",
            path.display()
        ));
    }
    Ok(())
}

/// `hamstride delete-data [--yes]`.
pub fn delete(db: &DbOptions, yes: bool, format: Format) -> Result<ExitCode> {
    // Refused before the database is opened: without a way to confirm, nothing happens.
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !yes && !terminal {
        return fail(
            exit::BAD_INPUT,
            format!(
                "refusing to delete your data without a confirmation: run `hamstride delete-data` at a \
terminal and type {CONFIRM_WORD}, or add --yes to a script. Nothing was deleted."
            ),
        );
    }
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let counts = match data::counts(&store) {
        Ok(c) => c,
        Err(e) => return service_fail(e),
    };
    if !yes {
        let goes = data::what_goes(&counts);
        if goes.is_empty() {
            outln!(
                "You have nothing stored in {}: there is nothing to delete.",
                store.place()
            );
            return Ok(ExitCode::SUCCESS);
        }
        outln!("This deletes everything hamstride keeps about you, for good:");
        for line in &goes {
            outln!("  {line}");
        }
        outln!(
            "It cannot be undone. To keep a copy first, press Esc and run `hamstride export-data`."
        );
        let answer = inquire::Text::new(&format!("Type {CONFIRM_WORD} to delete it all:"))
            .with_help_message("Esc or Ctrl-C: keep everything")
            .prompt();
        match answer {
            Ok(typed) if data::confirmed(&typed) => {}
            Ok(_) => {
                return fail(
                    exit::BAD_INPUT,
                    format!("you did not type {CONFIRM_WORD}. Nothing was deleted."),
                )
            }
            Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => {
                out::message("Stopped. Nothing was deleted.");
                return Ok(ExitCode::from(exit::STOPPED));
            }
            Err(e) => return fail(exit::INTERNAL, format!("the question failed: {e}")),
        }
    }
    let gone = match data::delete_all(&mut store) {
        Ok(c) => c,
        Err(e) => return service_fail(e),
    };
    if format == Format::Json {
        outln!("{}", serde_json::json!({ "deleted": gone }));
    } else if gone.is_empty() {
        outln!("There was nothing to delete.");
    } else {
        outln!("Deleted:");
        for line in data::what_goes(&gone) {
            outln!("  {line}");
        }
        outln!(
            "hamstride has none of your data now. The database itself stays, empty of it, in {}.",
            store.place()
        );
    }
    Ok(ExitCode::SUCCESS)
}
