//! Standard output with checked writes. `println!` panics when the reader has gone away
//! (`hamstride plan | head -1`), which ends in exit code 101 and, worse, after `pain` has
//! saved, looks like a failure a script would retry. `outln!`/`out!` return the write error
//! instead; `main` ends quietly with exit 0 when it is a closed pipe (what was asked is done;
//! the reader simply stopped reading). `unsafe` is forbidden here, so SIGPIPE is not reset.

use std::io::{self, Write};

/// Write formatted text to standard output; the error is the caller's to pass up with `?`.
pub fn write_fmt(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    io::stdout().lock().write_fmt(args)
}

/// Write bytes to standard output and flush them (a report or saved answers given `-`).
pub fn write_all(bytes: &[u8]) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_all(bytes)?;
    o.flush()
}

/// Is this error (anywhere in its chain) standard output closed by its reader?
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Like `println!`, but returns from the enclosing function with the write error (`?`).
macro_rules! outln {
    () => {
        $crate::out::write_fmt(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::out::write_fmt(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// Like `print!`, but returns from the enclosing function with the write error (`?`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write_fmt(format_args!($($arg)*))?
    };
}
