//! The layout table a run reads the EDI files with: the built-in one, a `--layout` file, or the
//! folder's `layouts.toml`.

use std::path::{Path, PathBuf};

use parsers::FileName;

use crate::load::inputs::Limits;
use crate::load::*;

/// The name of a layout table in the results folder (or the working folder).
pub const LAYOUTS_FILE: &str = "layouts.toml";

/// The largest layout table read: a real one is a few hundred bytes.
const MAX_LAYOUTS_BYTES: u64 = 64 * 1024;

/// The layout tables files are read with: the centre's own (from `--layout` or `layouts.toml`)
/// for the boards it names, the built-in one for the rest.
#[derive(Debug, Clone, Default)]
pub struct LayoutChoice {
    /// The centre's table, where it gave one.
    pub own: Option<parsers::Layouts>,
    /// The boards whose files the centre's table is for; `None` for every board.
    pub boards: Option<Vec<String>>,
    /// The file the centre's table came from.
    pub file: Option<PathBuf>,
}

impl LayoutChoice {
    /// The table for a file of this board (`None` when the board is not known).
    pub fn for_board(&self, board: Option<&str>) -> &parsers::Layouts {
        match (&self.own, &self.boards, board) {
            (Some(own), None, _) => own,
            (Some(own), Some(boards), Some(b))
                if boards.iter().any(|x| x.eq_ignore_ascii_case(b)) =>
            {
                own
            }
            _ => parsers::Layouts::builtin(),
        }
    }

    /// The table for a file, by the board in its name.
    pub fn for_file(&self, path: &Path) -> &parsers::Layouts {
        if self.own.is_none() {
            return parsers::Layouts::builtin();
        }
        let board = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(FileName::parse)
            .map(|n| n.awarding_body().to_string());
        self.for_board(board.as_deref())
    }
}

/// The layout table to read with: `explicit` (`--layout FILE`), else `layouts.toml` in `dir`
/// or the working folder, else the built-in one. A table may say which boards' files it is
/// for (`boards = ["70"]`); the files of other boards are read with the built-in table.
pub fn load_layouts(explicit: Option<&Path>, dir: Option<&Path>) -> Result<LayoutChoice, String> {
    let found = explicit
        .map(Path::to_path_buf)
        .or_else(|| crate::rules::settings_file(dir, LAYOUTS_FILE));
    let Some(path) = found else {
        return Ok(LayoutChoice::default());
    };
    let limits = Limits {
        max_file_bytes: MAX_LAYOUTS_BYTES,
        ..Limits::default()
    };
    let bytes = inputs::read_file(&path, &limits)
        .map_err(|e| format!("{}: {}", path.display(), e.reason))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{}: a layout table is UTF-8 text (TOML), and this file is not",
            path.display()
        )
    })?;
    let own =
        parsers::Layouts::with_overrides(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let boards = match text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("boards").cloned())
    {
        None => None,
        Some(toml::Value::Array(ids)) => Some(
            ids.iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        format!(
                            "{}: boards: expected a list of awarding body ids such as [\"70\"], \
                             found {v}",
                            path.display()
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(format!(
                "{}: boards: expected a list of awarding body ids such as [\"70\"], found {other}",
                path.display()
            ))
        }
    };
    Ok(LayoutChoice {
        own: Some(own),
        boards,
        file: Some(path),
    })
}
