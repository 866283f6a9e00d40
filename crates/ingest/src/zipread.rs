//! The parts of reading an untrusted zip that the `zip` crate leaves to its caller: a
//! look at the end record before the crate parses anything, a buffered reader that survives
//! the crate's many seeks, the overlap check, and a walk over the local headers when the
//! central directory is missing or damaged.
//!
//! Why each exists: the crate parses every central entry before it returns (so an entry limit
//! checked afterwards costs the whole parse, 100 s for a million entries), searches the
//! whole file backwards when it finds no end record (90 s for 2 GB that is not a zip), seeks
//! before every entry (a `BufReader` then refills its whole buffer each time: 4.7 GB read for
//! a 1.5 MB zip), and happily hands out entries whose bytes overlap (the "overlap" zip bomb,
//! where a few kilobytes unpack many times over). Everything here reads a bounded number of
//! bytes per call and never allocates by a size the file claims.

use std::cell::Cell;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::rc::Rc;

/// The end record is 22 bytes plus a comment of at most 65,535: the most we read from the end
/// of a file to find it.
const END_SEARCH: u64 = 22 + 65_535;
const LOCAL_SIG: u64 = 0x0403_4b50;
const END_SIG: u64 = 0x0605_4b50;
const END64_SIG: u64 = 0x0606_4b50;
const LOCATOR64_SIG: u64 = 0x0706_4b50;
/// The window of the crate's backwards search for the end record.
const SEARCH_WINDOW: u64 = 2048;
/// Smallest central directory entry (no name, no extra field, no comment).
const CENTRAL_ENTRY_MIN: u64 = 46;
/// Buffer of [`Window`]: big enough that a run of small members is one read, small enough
/// that refilling it after a seek to a far-away member costs little.
const WINDOW: usize = 64 << 10;

/// What the end of a file says about it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Survey {
    /// A readable end record: the entries it lists, and the lowest offset the crate needs
    /// to read while it parses the directory (see [`Window`]).
    Central { entries: u64, floor: u64 },
    /// It starts like a zip, but the end record is missing or does not make sense: a zip
    /// cut short, or one whose table of contents is damaged.
    Damaged,
    /// Neither a local header at the start nor an end record at the end.
    NotZip,
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at + 2)?;
    Some(u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at + 4)?;
    Some(u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

/// Read up to `n` bytes at `at` (fewer at the end of the file).
fn read_at<R: Read + Seek>(r: &mut R, at: u64, n: u64) -> io::Result<Vec<u8>> {
    r.seek(SeekFrom::Start(at))?;
    let mut out = Vec::new();
    r.take(n).read_to_end(&mut out)?;
    Ok(out)
}

/// Look at the first four bytes and the last 64 KiB only, and say what the file is.
pub(crate) fn survey<R: Read + Seek>(r: &mut R) -> io::Result<Survey> {
    let len = r.seek(SeekFrom::End(0))?;
    let starts_local = u32_at(&read_at(r, 0, 4)?, 0) == Some(LOCAL_SIG);
    let tail_start = len.saturating_sub(END_SEARCH);
    let tail = read_at(r, tail_start, END_SEARCH)?;
    // The last end signature whose record (and comment) fits in the file, as the crate
    // picks it.
    let found = (0..tail.len().saturating_sub(21)).rev().find(|&p| {
        u32_at(&tail, p) == Some(END_SIG)
            && u16_at(&tail, p + 20).is_some_and(|c| p as u64 + 22 + c <= tail.len() as u64)
    });
    let Some(p) = found else {
        return Ok(if starts_local {
            Survey::Damaged
        } else {
            Survey::NotZip
        });
    };
    let end_pos = tail_start + p as u64;
    let record = tail.get(p..).unwrap_or_default();
    let (Some(entries), Some(size), Some(offset)) =
        (u16_at(record, 10), u32_at(record, 12), u32_at(record, 16))
    else {
        return Ok(Survey::Damaged);
    };
    let zip64 = entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF;
    let (entries, size, directory_end) = if zip64 {
        match zip64_end(r, end_pos)? {
            Some(v) => v,
            None => return Ok(Survey::Damaged),
        }
    } else {
        (entries, size, end_pos)
    };
    // A count the directory has no room for is a lie; the crate would try to parse it.
    let Some(directory_start) = directory_end.checked_sub(size) else {
        return Ok(Survey::Damaged);
    };
    if entries.saturating_mul(CENTRAL_ENTRY_MIN) > size {
        return Ok(Survey::Damaged);
    }
    // The crate's search for the end record reads 2 KiB windows backwards from the end of
    // the file: it may look at the whole tail we searched, and a window more.
    let floor = directory_start
        .min(tail_start)
        .saturating_sub(SEARCH_WINDOW);
    Ok(Survey::Central { entries, floor })
}

/// The zip64 end record through its locator (20 bytes before the end record): entries,
/// directory size, and where the directory ends (the zip64 record follows it).
fn zip64_end<R: Read + Seek>(r: &mut R, end_pos: u64) -> io::Result<Option<(u64, u64, u64)>> {
    let Some(locator_pos) = end_pos.checked_sub(20) else {
        return Ok(None);
    };
    let locator = read_at(r, locator_pos, 20)?;
    if u32_at(&locator, 0) != Some(LOCATOR64_SIG) {
        return Ok(None);
    }
    let Some(at) = u64_at(&locator, 8).filter(|&at| at < locator_pos) else {
        return Ok(None);
    };
    let record = read_at(r, at, 56)?;
    if u32_at(&record, 0) != Some(END64_SIG) {
        return Ok(None);
    }
    Ok(match (u64_at(&record, 32), u64_at(&record, 40)) {
        (Some(entries), Some(size)) => Some((entries, size, at)),
        _ => None,
    })
}

/// A buffered reader for the `zip` crate. `std::io::BufReader` empties its buffer on every
/// seek, and the crate seeks before each central entry and each member, so a 1 MiB buffer
/// read 1 MiB per entry. This one keeps its buffer when a seek lands inside it (the next
/// member of a run of small ones usually does), and refuses to read below a floor while the
/// crate parses the directory, so a directory that fails to parse cannot send the crate's
/// backwards search for another end record over the whole file.
pub(crate) struct Window<R> {
    inner: R,
    buf: Box<[u8]>,
    /// File offset of `buf[0]`.
    base: u64,
    pos: usize,
    filled: usize,
    floor: Rc<Cell<u64>>,
}

impl<R: Read + Seek> Window<R> {
    pub(crate) fn new(mut inner: R) -> io::Result<Window<R>> {
        let base = inner.stream_position()?;
        Ok(Window {
            inner,
            buf: vec![0; WINDOW].into_boxed_slice(),
            base,
            pos: 0,
            filled: 0,
            floor: Rc::new(Cell::new(0)),
        })
    }

    /// The shared floor: reads below it fail while it is set.
    pub(crate) fn floor(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.floor)
    }

    fn at(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn check_floor(&self) -> io::Result<()> {
        if self.at() < self.floor.get() {
            return Err(io::Error::other(
                "read before the central directory while reading it",
            ));
        }
        Ok(())
    }
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.filled && out.len() >= self.buf.len() {
            // A large read gains nothing from the buffer: straight through.
            self.check_floor()?;
            self.base = self.at();
            self.pos = 0;
            self.filled = 0;
            let n = self.inner.read(out)?;
            self.base += n as u64;
            return Ok(n);
        }
        let n = {
            let have = self.fill_buf()?;
            let n = have.len().min(out.len());
            if let (Some(dst), Some(src)) = (out.get_mut(..n), have.get(..n)) {
                dst.copy_from_slice(src);
            }
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read + Seek> BufRead for Window<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            self.check_floor()?;
            // The inner reader sits at base + filled: reading on continues from there.
            self.base += self.filled as u64;
            self.pos = 0;
            self.filled = 0;
            self.filled = self.inner.read(&mut self.buf)?;
        }
        Ok(self.buf.get(self.pos..self.filled).unwrap_or_default())
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(t) => Some(t),
            SeekFrom::Current(d) => self.at().checked_add_signed(d),
            SeekFrom::End(_) => None,
        };
        if let Some(t) = target {
            if t >= self.base && t <= self.base + self.filled as u64 {
                self.pos = (t - self.base) as usize;
                return Ok(t);
            }
        }
        let t = match target {
            Some(t) => self.inner.seek(SeekFrom::Start(t))?,
            None => self.inner.seek(to)?,
        };
        self.base = t;
        self.pos = 0;
        self.filled = 0;
        Ok(t)
    }
}

/// The byte span `[header, data end)` of every member the archive lists, checked to be
/// disjoint and before the central directory. Real zips lay members end to end; overlapping
/// spans (several entries pointing into the same bytes) are how a kilobyte-sized zip is made
/// to unpack into gigabytes. Entries the crate cannot even locate are left to the walk,
/// which reports them one by one.
pub(crate) fn overlap<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Option<String> {
    let mut spans = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        if let Ok(e) = archive.by_index_raw(i) {
            let end = e.data_start().saturating_add(e.compressed_size());
            spans.push((e.header_start(), end));
        }
    }
    spans.sort_unstable();
    let directory = archive.central_directory_start();
    let overlapping = spans.windows(2).any(|w| w[1].0 < w[0].1);
    let past_directory = spans.last().is_some_and(|s| s.1 > directory);
    (overlapping || past_directory).then(|| {
        "the files in this zip overlap each other, a trick that makes a small zip unpack into a huge amount of data; it was not read".to_string()
    })
}

/// One member found by walking the local headers, before it is opened.
#[derive(Debug)]
pub(crate) struct LocalHeader {
    pub name: String,
    /// Where the header starts.
    pub start: u64,
    /// Where the member's data ends, when the header says (it does not when a data
    /// descriptor after the data carries the sizes).
    pub data_end: Option<u64>,
    pub encrypted: bool,
}

/// What is at `at`: a local header, or `None` at anything else (the central directory, the
/// end of the file, garbage: the walk over local headers stops there).
pub(crate) fn local_header<R: Read + Seek>(r: &mut R, at: u64) -> io::Result<Option<LocalHeader>> {
    let fixed = read_at(r, at, 30)?;
    if fixed.len() < 30 || u32_at(&fixed, 0) != Some(LOCAL_SIG) {
        return Ok(None);
    }
    let (Some(flags), Some(csize), Some(nlen), Some(xlen)) = (
        u16_at(&fixed, 6),
        u32_at(&fixed, 18),
        u16_at(&fixed, 26),
        u16_at(&fixed, 28),
    ) else {
        return Ok(None);
    };
    let name = read_at(r, at + 30, nlen)?;
    let data_start = at + 30 + nlen + xlen;
    // Bit 3: sizes follow the data. 0xFFFFFFFF: the size is in a zip64 extra field, which
    // the crate's reader parses; the end is then not known here.
    let sized = flags & 8 == 0 && csize != 0xFFFF_FFFF;
    Ok(Some(LocalHeader {
        name: String::from_utf8_lossy(&name).into_owned(),
        start: at,
        data_end: sized.then_some(data_start + csize),
        encrypted: flags & 1 != 0,
    }))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Counts the bytes read from the file underneath.
    struct Counting<R> {
        inner: R,
        read: Rc<Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(out)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    impl<R: Seek> Seek for Counting<R> {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.inner.seek(to)
        }
    }

    /// Issue 14, item 9: a 1.5 MB zip of 5,000 members read 4.7 GB through a 1 MiB
    /// `BufReader` (refilled after every seek). Through the window, parsing the directory,
    /// the overlap check and reading every member read about the archive's size.
    #[test]
    fn many_small_members_read_about_the_archive_once() {
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..5000 {
            w.start_file(format!("f{i:05}.gpx"), opts)
                .unwrap_or_default();
            w.write_all(&[b'x'; 200]).unwrap_or_default();
        }
        let bytes = w.finish().map(io::Cursor::into_inner).unwrap_or_default();
        let len = bytes.len() as u64;
        let read = Rc::new(Cell::new(0));
        let counting = Counting {
            inner: io::Cursor::new(bytes),
            read: Rc::clone(&read),
        };
        let mut window = Window::new(counting).expect("a cursor seeks");
        assert!(matches!(
            survey(&mut window),
            Ok(Survey::Central { entries: 5000, .. })
        ));
        let mut archive = zip::ZipArchive::new(&mut window).expect("a valid zip");
        assert_eq!(overlap(&mut archive), None);
        let mut total = 0;
        for i in 0..archive.len() {
            let mut e = archive.by_index(i).expect("a stored member");
            total += io::copy(&mut e, &mut io::sink()).unwrap_or(0);
        }
        assert_eq!(total, 5000 * 200);
        assert!(
            read.get() < 3 * len,
            "read {} bytes of a {len}-byte zip",
            read.get()
        );
    }
}
