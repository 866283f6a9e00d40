//! Telling formats apart by content, so a file named `.fit` that is really a GPX (or a `.gz`
//! of anything) still decodes. Names are only a hint: exports rename things, and a runner may
//! hand over a file with no extension at all. The walker asks [`kind_of_content`] about the
//! first bytes of every file and archive member before it looks at the name.

use std::io::Read;

use crate::archive::{gunzip, is_gzip, is_zip, Kind, Limits, SNIFF_BYTES};
use crate::xml::contains;
use crate::{fit, gpx, tcx, Activity, Error, SourceFormat, Warning, WarningCode};

/// What [`decode_any`] found in one file.
#[derive(Debug)]
pub struct Decoded {
    pub format: SourceFormat,
    /// One activity for FIT and GPX; a TCX may hold several.
    pub activities: Vec<Activity>,
    /// The decoded file bytes (gunzipped if the input was gzip), which the content hash
    /// is taken over so `run.fit` and `run.fit.gz` are one file.
    pub content: Vec<u8>,
    /// The input as given when it was gzip-compressed (the original worth keeping, smaller
    /// than `content`); `None` when `content` is the input itself.
    pub gzip: Option<Vec<u8>>,
}

/// Detect the format of (possibly gzipped) bytes. `None` when no reader recognises them.
pub fn format_of(bytes: &[u8]) -> Option<SourceFormat> {
    if fit::is_fit(bytes) {
        return Some(SourceFormat::Fit);
    }
    // Look past a BOM, whitespace and the XML prolog for the root element.
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    if contains(head, b"<TrainingCenterDatabase") {
        Some(SourceFormat::Tcx)
    } else if contains(head, b"<gpx") || contains(head, b":gpx") {
        Some(SourceFormat::Gpx)
    } else {
        None
    }
}

/// What the first bytes of a file (up to [`SNIFF_BYTES`]) say it is: a zip, or an activity
/// (FIT, GPX, TCX, or a gzip of one); `None` when they say nothing and the name decides.
/// A gzip head is inflated only as far as [`SNIFF_BYTES`] of output, so a bomb costs nothing
/// here; a truncated head inflates as far as it goes.
pub fn kind_of_content(head: &[u8]) -> Option<Kind> {
    if is_zip(head) {
        return Some(Kind::Zip);
    }
    if is_gzip(head) {
        let mut inner = Vec::with_capacity(SNIFF_BYTES);
        let mut dec = flate2::read::GzDecoder::new(head).take(SNIFF_BYTES as u64);
        let mut buf = [0u8; 512];
        // Read chunk by chunk: a head cut mid-stream ends in an error after what it held.
        while let Ok(n @ 1..) = dec.read(&mut buf) {
            inner.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        }
        return format_of(&inner).map(|_| Kind::Activity);
    }
    format_of(head).map(|_| Kind::Activity)
}

/// What [`decompress`] made of a file.
#[derive(Debug)]
pub struct Decompressed {
    /// The file's content, gunzipped if it was gzip (as far as it went, if it was cut).
    pub content: Vec<u8>,
    /// The input, when it was gzip.
    pub gzip: Option<Vec<u8>>,
    /// Why the content may be incomplete: a gzip cut short or damaged part way.
    pub warning: Option<&'static str>,
}

/// Gunzip if needed: the decoded content, the gzip input when there was one, and a warning
/// when the gzip ended early.
pub fn decompress(bytes: Vec<u8>, limits: &Limits) -> Result<Decompressed, Error> {
    if is_gzip(&bytes) {
        let (content, warning) = gunzip(&bytes, limits)?;
        Ok(Decompressed {
            content,
            gzip: Some(bytes),
            warning,
        })
    } else {
        Ok(Decompressed {
            content: bytes,
            gzip: None,
            warning: None,
        })
    }
}

/// Detect the format of decoded content and decode it.
pub fn decode(content: &[u8]) -> Result<(SourceFormat, Vec<Activity>), Error> {
    let format = format_of(content).ok_or_else(|| {
        Error::Unrecognised(if content.is_empty() {
            "the file is empty".into()
        } else {
            "not FIT, GPX or TCX".into()
        })
    })?;
    let decoded = match format {
        SourceFormat::Fit => vec![fit::decode(content)?],
        SourceFormat::Gpx => gpx::decode_all(content)?,
        SourceFormat::Tcx => tcx::decode(content)?,
    };
    // What is possible (kb/import.toml): impossible samples out, impossible activities
    // skipped with their reason; a file with none left is skipped with the first reason.
    let mut activities = Vec::with_capacity(decoded.len());
    let mut refused = Vec::new();
    for mut a in decoded {
        match crate::plausible::check(&mut a) {
            Ok(()) => activities.push(a),
            Err(e) => refused.push(e),
        }
    }
    if activities.is_empty() {
        return Err(refused
            .into_iter()
            .next()
            .unwrap_or_else(|| Error::NotActivity("no activity in the file".into())));
    }
    if let (Some(first), Some(why)) = (activities.first_mut(), refused.first()) {
        first.warnings.push(Warning::new(
            WarningCode::ActivityLeftOut,
            format!(
                "{} more {} in this file left out: {why}",
                refused.len(),
                if refused.len() == 1 {
                    "activity was"
                } else {
                    "activities were"
                }
            ),
        ));
    }
    Ok((format, activities))
}

/// Detect the format of what [`decompress`] gave and decode it; when the gzip ended early,
/// its warning goes on every activity (each is stored, and shown, on its own), and a gzip
/// that gave nothing at all is refused with that reason rather than "the file is empty".
pub fn decode_decompressed(d: &Decompressed) -> Result<(SourceFormat, Vec<Activity>), Error> {
    if d.content.is_empty() && d.warning.is_some() {
        return Err(Error::decode(
            "gzip",
            0,
            "the file is cut short or damaged before anything in it could be read",
        ));
    }
    let (format, mut activities) = decode(&d.content)?;
    for a in activities.iter_mut() {
        a.warnings.extend(d.warning.map(|w| {
            let code = if w == crate::archive::GZIP_CUT {
                WarningCode::Truncated
            } else {
                WarningCode::Damaged
            };
            Warning::new(code, w)
        }));
    }
    Ok((format, activities))
}

/// Gunzip if needed, detect the format, decode.
pub fn decode_any(bytes: Vec<u8>, limits: &Limits) -> Result<Decoded, Error> {
    let d = decompress(bytes, limits)?;
    let (format, activities) = decode_decompressed(&d)?;
    Ok(Decoded {
        format,
        activities,
        content: d.content,
        gzip: d.gzip,
    })
}
