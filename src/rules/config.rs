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
    super::settings_file(Some(dir), FILE_NAME)
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
    let text =
        std::fs::read_to_string(path).map_err(|e| err(crate::messages::describe_read(&e)))?;
    let mut settings: Settings = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    if let Some(t) = &settings.statement_template {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        settings.statement_template = Some(check_template(folder, t).map_err(err)?);
    }
    Ok(settings)
}

/// The largest statement template read: a page design is a few kilobytes.
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// A centre's statement template must be a file inside the folder its settings are in (the
/// results folder or the working folder), of a sane size: a template is code that runs on
/// every candidate's results, so it is never taken from elsewhere on the machine.
fn check_template(folder: &Path, template: &Path) -> Result<PathBuf, String> {
    let joined = folder.join(template);
    let shown = template.display();
    let inside = std::fs::canonicalize(folder)
        .ok()
        .zip(std::fs::canonicalize(&joined).ok());
    let Some((folder_real, real)) = inside else {
        return Err(format!(
            "statement_template = \"{shown}\": no such file in {}",
            folder.display()
        ));
    };
    if !real.starts_with(&folder_real) {
        return Err(format!(
            "statement_template = \"{shown}\" is outside the folder of resultsday.toml ({}); \
             put the template in that folder",
            folder.display()
        ));
    }
    let meta = std::fs::metadata(&real).map_err(|e| {
        format!(
            "statement_template = \"{shown}\": {}",
            crate::messages::describe_read(&e)
        )
    })?;
    if !meta.is_file() {
        return Err(format!("statement_template = \"{shown}\" is not a file"));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "statement_template = \"{shown}\" is {} bytes, over the limit of {MAX_TEMPLATE_BYTES} \
             for a template",
            meta.len()
        ));
    }
    Ok(real)
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
    fn a_template_must_be_a_file_inside_the_settings_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("in");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("page.html"), "{{ 1 }}").unwrap();
        std::fs::write(dir.path().join("outside.html"), "{{ 1 }}").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", folder.join("link.html")).unwrap();
        let p = folder.join(FILE_NAME);
        let with = |t: &str| {
            std::fs::write(&p, format!("statement_template = \"{t}\"\n")).unwrap();
            load(Some(&p))
        };
        assert_eq!(
            with("page.html").unwrap().statement_template,
            Some(folder.join("page.html"))
        );
        for (t, says) in [
            ("../outside.html", "is outside the folder"),
            ("/etc/hostname", "is outside the folder"),
            ("link.html", "is outside the folder"),
            ("missing.html", "no such file"),
            (".", "is not a file"),
        ] {
            let e = with(t).unwrap_err().to_string();
            assert!(e.contains(says), "{t}: {e}");
        }
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
