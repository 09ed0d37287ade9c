//! Basedata as the boards ship it: a `.zip` in the results folder is read as a folder of the
//! files it holds. A zip that would harm the machine or mislead is refused with a reason: one
//! that is encrypted, expands far beyond its size (a zip bomb), holds a path that leads out of
//! it (`../`), or holds another zip.
//!
//! A file inside a zip is named `FOLDER/BASEDATA.zip/O6A26_70.X01`: the zip's path, then the
//! member's own path, so that every message and finding can say where it came from.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::load::inputs::{InputError, Limits};
use crate::messages::describe_read;

/// The most a zip may hold, its members unpacked and added up.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
/// A member that unpacks to more than this many times its packed size, and to more than
/// `BOMB_FLOOR` bytes, is a zip bomb.
pub const MAX_RATIO: u64 = 100;
const BOMB_FLOOR: u64 = 1024 * 1024;
/// The most members read from one zip.
pub const MAX_MEMBERS: usize = 10_000;

/// Whether a path names a zip archive (`.zip`, any case).
pub fn is_zip(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// What a zip holds: its members to read (as `ZIP/member` paths), the members not read and
/// why, and what makes the zip (or a member) unsafe to read.
#[derive(Debug, Default)]
pub struct Listing {
    pub members: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, String)>,
    pub refused: Vec<InputError>,
}

fn refuse(path: &Path, reason: impl Into<String>) -> InputError {
    InputError {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn open(zip: &Path) -> Result<zip::ZipArchive<std::fs::File>, InputError> {
    let file = std::fs::File::open(zip).map_err(|e| refuse(zip, describe_read(&e)))?;
    zip::ZipArchive::new(file).map_err(|e| {
        refuse(
            zip,
            format!("is not a zip archive that can be read ({e}); download it again"),
        )
    })
}

/// Lists a zip's members. `wanted` says which member file names are to be read (the JCQ
/// names); the rest are listed as skipped.
pub fn list(zip: &Path, limits: &Limits, wanted: &dyn Fn(&str) -> bool) -> Listing {
    let mut listing = Listing::default();
    let mut archive = match open(zip) {
        Ok(a) => a,
        Err(e) => {
            listing.refused.push(e);
            return listing;
        }
    };
    if archive.len() > MAX_MEMBERS {
        listing.refused.push(refuse(
            zip,
            format!(
                "holds {} files, more than the {MAX_MEMBERS} resultsday reads from one zip; not \
                 read",
                archive.len()
            ),
        ));
        return listing;
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let member = match archive.by_index_raw(i) {
            Ok(m) => m,
            Err(e) => {
                listing
                    .refused
                    .push(refuse(zip, format!("has a damaged entry ({e}); not read")));
                return Listing {
                    refused: listing.refused,
                    ..Listing::default()
                };
            }
        };
        if member.is_dir() {
            continue;
        }
        let raw_name = member.name().to_string();
        let Some(inner) = member.enclosed_name() else {
            listing.refused.push(refuse(
                &zip.join(raw_name.replace(['/', '\\'], "_")),
                format!(
                    "is named '{}' in the zip, a path that leads out of the zip's folder; not \
                     read (a zip made to overwrite other files)",
                    raw_name.escape_default()
                ),
            ));
            continue;
        };
        let path = zip.join(&inner);
        if member.encrypted() {
            listing.refused.push(refuse(
                &path,
                "is encrypted in the zip (it needs a password); not read: ask the board for the \
                 basedata without a password",
            ));
            continue;
        }
        let (size, packed) = (member.size(), member.compressed_size());
        if size > BOMB_FLOOR && size > packed.saturating_mul(MAX_RATIO) {
            listing.refused.push(refuse(
                &path,
                format!(
                    "would unpack from {packed} bytes to {size}, more than {MAX_RATIO} times its \
                     size (a zip bomb); not read"
                ),
            ));
            continue;
        }
        if size > limits.max_file_bytes {
            listing.refused.push(refuse(
                &path,
                format!(
                    "would unpack to {size} bytes, over the limit of {} for one file; not read",
                    limits.max_file_bytes
                ),
            ));
            continue;
        }
        let file_name = inner
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_zip(Path::new(&file_name)) {
            listing.skipped.push((
                path,
                "a zip inside a zip: not read (unzip the outer one into the folder)".into(),
            ));
            continue;
        }
        if !wanted(&file_name) {
            listing.skipped.push((
                path,
                "in a zip, not a JCQ basedata, entries or results file".into(),
            ));
            continue;
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            listing.refused.push(refuse(
                zip,
                format!(
                    "would unpack to more than {MAX_TOTAL_BYTES} bytes in all; the rest of it is \
                     not read"
                ),
            ));
            break;
        }
        listing.members.push(path);
    }
    listing
}

/// The zip a path lies inside, and the member's name in it: `A/B.zip/O6A26_70.X01` →
/// (`A/B.zip`, `O6A26_70.X01`). `None` for a path that is not inside a zip.
pub fn split(path: &Path) -> Option<(&Path, String)> {
    let zip = path
        .ancestors()
        .skip(1)
        .find(|a| is_zip(a) && a.is_file())?;
    let inner = path.strip_prefix(zip).ok()?;
    let name = inner
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Some((zip, name))
}

/// Reads one member of a zip whole, held to the limit on one file however the zip describes
/// its size.
pub fn read_member(path: &Path, limits: &Limits) -> Result<Vec<u8>, InputError> {
    let Some((zip, name)) = split(path) else {
        return Err(refuse(path, "no such file or folder"));
    };
    let mut archive = open(zip)?;
    // Found by its name once made safe, as `list` named it (`./O6A26_70.X02` is `O6A26_70.X02`).
    let index = (0..archive.len())
        .find(|&i| {
            archive
                .by_index_raw(i)
                .ok()
                .and_then(|m| m.enclosed_name())
                .is_some_and(|n| {
                    n.components()
                        .filter(|c| matches!(c, std::path::Component::Normal(_)))
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                        == name
                })
        })
        .ok_or_else(|| refuse(path, "cannot be read from the zip: it is not in it"))?;
    let member = archive
        .by_index(index)
        .map_err(|e| refuse(path, format!("cannot be read from the zip: {e}")))?;
    if member.encrypted() {
        return Err(refuse(path, "is encrypted in the zip; not read"));
    }
    let cap = limits.max_file_bytes.min(MAX_TOTAL_BYTES);
    let mut bytes = Vec::new();
    member
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(path, format!("cannot be unpacked from the zip: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(refuse(
            path,
            format!("unpacks to more than {cap} bytes, over the limit for one file; not read"),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn make_zip(dir: &Path, name: &str, members: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join(name);
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, bytes) in members {
            w.start_file(*n, opts).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        path
    }

    fn jcq(name: &str) -> bool {
        parsers::FileName::parse(name).is_some()
    }

    #[test]
    fn a_zip_is_read_as_the_folder_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let z = make_zip(
            dir.path(),
            "6A26_70.zip",
            &[
                ("./O6A26_70.X01", b"O1..."),
                ("readme.txt", b"read me"),
                ("inner/S6A26_70.X01", b"S1..."),
            ],
        );
        let l = list(&z, &Limits::default(), &jcq);
        assert_eq!(
            l.members,
            [z.join("O6A26_70.X01"), z.join("inner/S6A26_70.X01")]
        );
        assert_eq!(l.skipped.len(), 1);
        assert!(l.refused.is_empty());
        assert_eq!(
            read_member(&z.join("inner/S6A26_70.X01"), &Limits::default()).unwrap(),
            b"S1..."
        );
        assert_eq!(
            split(&z.join("inner/S6A26_70.X01")).unwrap().1,
            "inner/S6A26_70.X01"
        );
    }

    #[test]
    fn bombs_paths_out_and_damaged_zips_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let z = make_zip(
            dir.path(),
            "bad.zip",
            &[("../../etc/O6A26_70.X01", b"x"), ("O6A26_70.X02", &zeros)],
        );
        let l = list(&z, &Limits::default(), &jcq);
        assert!(l.members.is_empty(), "{:?}", l.members);
        let reasons: Vec<&str> = l.refused.iter().map(|e| e.reason.as_str()).collect();
        assert!(reasons[0].contains("leads out of the zip"), "{reasons:?}");
        assert!(reasons[1].contains("zip bomb"), "{reasons:?}");
        let damaged = dir.path().join("damaged.zip");
        std::fs::write(&damaged, b"PK\x03\x04 not really").unwrap();
        let l = list(&damaged, &Limits::default(), &jcq);
        assert!(
            l.refused[0].reason.contains("is not a zip archive"),
            "{:?}",
            l.refused
        );
    }
}
