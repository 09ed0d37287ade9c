//! The centre's settings, from an optional `resultsday.toml` in the results folder or the
//! working folder.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What a centre may set. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Printed at the top of every statement.
    pub centre_name: Option<String>,
    /// Checked against the files' centre number.
    pub centre_number: Option<String>,
    /// A line under the centre name on statements (address, telephone).
    pub centre_address: Option<String>,
    /// A statement template of the centre's own (minijinja), instead of the built-in one.
    pub statement_template: Option<PathBuf>,
    /// Who to contact about results, printed on statements.
    pub results_contact: Option<String>,
}

/// The file name looked for.
pub const FILE_NAME: &str = "resultsday.toml";

/// An error in the settings file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SettingsError {
    pub file: String,
    pub message: String,
}

/// Finds `resultsday.toml` in `dir`, else in the working folder.
pub fn find(dir: &Path) -> Option<PathBuf> {
    [dir.join(FILE_NAME), PathBuf::from(FILE_NAME)]
        .into_iter()
        .find(|p| p.is_file())
}

/// Reads the settings; a relative template path is taken from the settings file's folder.
pub fn load(path: Option<&Path>) -> Result<Settings, SettingsError> {
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    let err = |message: String| SettingsError {
        file: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(crate::inputs::describe_io(&e)))?;
    let mut settings: Settings = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    if let (Some(t), Some(folder)) = (&settings.statement_template, path.parent()) {
        if t.is_relative() {
            settings.statement_template = Some(folder.join(t));
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample_settings() {
        let s = load(Some(Path::new("samples/results-day/resultsday.toml"))).unwrap();
        assert_eq!(s.centre_name.as_deref(), Some("Northgate Academy"));
        assert_eq!(s.centre_number.as_deref(), Some("14520"));
    }

    #[test]
    fn a_misspelt_setting_is_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, "centre_nmae = \"X\"\n").unwrap();
        let e = load(Some(&p)).unwrap_err();
        assert!(e.to_string().contains("resultsday.toml"));
        assert!(e.to_string().contains("centre_nmae"));
    }
}
