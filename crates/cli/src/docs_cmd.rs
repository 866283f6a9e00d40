//! `hamstride completions SHELL` and `hamstride man`: the shell's tab completion and the manual
//! page, both generated from the same clap definition as `--help`, so they can never drift
//! from the commands (clap_complete and clap_mangen do the formats; nothing here is
//! hand-written roff or shell).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use hamstride_service::plans::ExportFile;
use hamstride_service::DbOptions;

use crate::{exit, fail, Cli};

/// Print the completion script for `shell` on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hamstride", &mut bytes);
    crate::out::write_all(&bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// Every page: `hamstride.1`, then `hamstride-assess.1`, `hamstride-plan-export.1` and so on
/// for each subcommand at any depth (clap's own `help` left out).
fn pages() -> Result<Vec<ExportFile>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut files = Vec::new();
    collect(&cmd, "hamstride", &mut files)?;
    Ok(files)
}

fn collect(cmd: &clap::Command, name: &str, files: &mut Vec<ExportFile>) -> Result<()> {
    // A subcommand's page is titled with its full name, as `man hamstride-plan-export` finds it.
    let page = cmd.clone().name(name.to_string());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page).render(&mut bytes)?;
    files.push(ExportFile {
        name: format!("{name}.1"),
        bytes,
    });
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{name}-{}", sub.get_name()), files)?;
    }
    Ok(())
}

/// `hamstride man`: the main page on standard output, or with `--out DIR` every page as a
/// file there (to install: copy them to ~/.local/share/man/man1).
pub fn man(db: &DbOptions, out: Option<&Path>) -> Result<ExitCode> {
    let pages = pages()?;
    let Some(dir) = out else {
        if let Some(first) = pages.first() {
            crate::out::write_all(&first.bytes)?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    if let Err(message) = crate::files::check_out_dir(dir, db) {
        return fail(exit::BAD_INPUT, message);
    }
    match crate::files::write_export(dir, &pages) {
        Ok(paths) => {
            outln!("Wrote {} manual pages to {}.", paths.len(), dir.display());
            outln!(
                "Read one with `man {}`, or copy them to ~/.local/share/man/man1 to use `man hamstride`.",
                dir.join("hamstride.1").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => fail(exit::BAD_INPUT, message),
    }
}
