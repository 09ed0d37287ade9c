//! Any string as a file name: `FileName::parse` never panics, and what it recognises is
//! consistent with the name it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::{DataType, FileName, FileNameKind};

fuzz_target!(|name: &str| {
    let Some(parsed) = FileName::parse(name) else {
        return;
    };
    let noise_len = parsed.noise.as_ref().map_or(0, |n| {
        assert!(!n.is_empty(), "noise is Some but empty for {name:?}");
        n.len()
    });
    match &parsed.kind {
        FileNameKind::Edi {
            data_type,
            centre_or_series,
            awarding_body,
            sequence,
        } => {
            assert_ne!(*data_type, DataType::Bundle, "{name:?}");
            assert_eq!(centre_or_series.len(), 5, "{name:?}");
            assert!(centre_or_series
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'_'));
            assert_eq!(awarding_body.len(), 2, "{name:?}");
            assert!(awarding_body
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
            assert!(*sequence <= 99, "{name:?}");
            // stem (8) + '.' + 'X' + two digits
            assert_eq!(name.len(), noise_len + 12, "{name:?} -> {parsed:?}");
            // The canonical name is recognised as the same file, without noise.
            let canonical = format!(
                "{}{centre_or_series}{awarding_body}.X{sequence:02}",
                data_type.letter()
            );
            let again = FileName::parse(&canonical)
                .unwrap_or_else(|| panic!("{name:?}: canonical {canonical:?} not recognised"));
            assert_eq!(again.kind, parsed.kind, "{name:?} vs {canonical:?}");
            assert_eq!(again.noise, None, "{canonical:?}");
        }
        FileNameKind::Bundle {
            series,
            awarding_body,
        } => {
            assert_eq!(parsed.data_type(), DataType::Bundle);
            assert_eq!(series.len(), 5, "{name:?}");
            assert_eq!(awarding_body.len(), 2, "{name:?}");
            assert_eq!(name.len(), noise_len + 12, "{name:?} -> {parsed:?}");
            let canonical = format!("Z{series}{awarding_body}.zip");
            let again = FileName::parse(&canonical)
                .unwrap_or_else(|| panic!("{name:?}: canonical {canonical:?} not recognised"));
            assert_eq!(again.kind, parsed.kind, "{name:?} vs {canonical:?}");
        }
        FileNameKind::XmlResults {
            centre,
            awarding_body,
            guid,
        } => {
            assert_eq!(parsed.data_type(), DataType::Results);
            assert!(!centre.is_empty() && centre.bytes().all(|b| b.is_ascii_digit()));
            assert!(
                !awarding_body.is_empty()
                    && awarding_body
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            );
            assert!(!guid.is_empty(), "{name:?} -> {parsed:?}");
            assert_eq!(
                name.len(),
                "a2c.".len()
                    + centre.len()
                    + 1
                    + awarding_body.len()
                    + ".EDIResults.".len()
                    + guid.len()
                    + noise_len
                    + ".xml".len(),
                "{name:?} -> {parsed:?}"
            );
            let canonical = format!("a2c.{centre}.{awarding_body}.EDIResults.{guid}.xml");
            let again = FileName::parse(&canonical)
                .unwrap_or_else(|| panic!("{name:?}: canonical {canonical:?} not recognised"));
            assert_eq!(again.kind, parsed.kind, "{name:?} vs {canonical:?}");
            assert_eq!(again.noise, None, "{canonical:?}");
        }
    }
});
