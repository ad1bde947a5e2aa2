//! Files attached to a case: photos of a fault, receipts, scanned letters.
//!
//! What a file *is* comes from its first bytes, never from the name or the type the browser
//! claims, so a renamed executable is refused and a photo saved as `.png` from a phone that
//! wrote JPEG is still a photo.

use crate::{FieldError, text};

/// The largest file accepted (10 MiB): a phone photo or a multi-page scan fits.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The most files one case keeps.
pub const MAX_PER_CASE: usize = 30;

/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// A kind of file Sanbao accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileType {
    pub const ALL: [FileType; 4] = [Self::Jpeg, Self::Png, Self::Webp, Self::Pdf];

    /// Recognise a file by its signature (its first bytes).
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if head.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_mime(s: &str) -> Option<FileType> {
        Self::ALL.into_iter().find(|t| t.mime() == s)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
        }
    }

    /// Photos get a thumbnail; a PDF is shown as a document icon.
    pub fn is_image(self) -> bool {
        !matches!(self, Self::Pdf)
    }
}

/// A checked upload: its type from its bytes and a name safe to show and to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file_type: FileType,
    pub name: String,
    pub size: usize,
}

/// Check an uploaded file: not empty, not over [`MAX_BYTES`], one of the accepted types, and
/// a usable name (the browser's path stripped, control characters removed, shortened; a
/// missing name becomes `附件.<ext>`).
pub fn check_upload(name: &str, bytes: &[u8]) -> Result<Upload, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", "empty", text!("case.file_empty")));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new(
            "file",
            "too_large",
            text!("case.file_too_large", mb = MAX_BYTES / 1024 / 1024),
        ));
    }
    let Some(file_type) = FileType::sniff(bytes) else {
        return Err(FieldError::new("file", "type", text!("case.file_type")));
    };
    Ok(Upload {
        file_type,
        name: clean_name(name, file_type),
        size: bytes.len(),
    })
}

/// The last path component of what the browser sent, printable, at most
/// [`MAX_NAME_CHARS`] characters, keeping its extension when it has to be shortened.
/// The Unicode bidirectional controls (UAX #9: LRM, RLM, ALM, the embeddings and overrides
/// U+202A–U+202E, the isolates U+2066–U+2069): in a file name they can show `exe.jpg` as
/// `gpj.exe` or hide the real extension, so a name keeps none of them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub fn clean_name(raw: &str, file_type: FileType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !is_bidi_control(*c)
                && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':')
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return format!("附件.{}", file_type.extension());
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned.to_owned();
    }
    let ext = cleaned
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 8)
        .map_or(String::new(), |e| format!(".{e}"));
    let keep = MAX_NAME_CHARS - ext.chars().count();
    let stem: String = cleaned.chars().take(keep).collect();
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(FileType::sniff(JPEG), Some(FileType::Jpeg));
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(b"RIFF\x24\0\0\0WEBPVP8 "),
            Some(FileType::Webp)
        );
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"MZ\x90\0"), None, "an executable");
        assert_eq!(FileType::sniff(b"RIFF\x24\0\0\0WAVE"), None, "a sound");
        assert_eq!(FileType::sniff(b""), None);
    }

    #[test]
    fn uploads_are_checked() {
        let ok = check_upload("C:\\fakepath\\屏幕漏液.jpg", JPEG).unwrap();
        assert_eq!(ok.file_type, FileType::Jpeg);
        assert_eq!(ok.name, "屏幕漏液.jpg");
        assert_eq!(ok.size, JPEG.len());
        // A JPEG named .png is still a JPEG.
        assert_eq!(
            check_upload("photo.png", JPEG).unwrap().file_type,
            FileType::Jpeg
        );
        assert_eq!(check_upload("a.jpg", b"").unwrap_err().code, "empty");
        assert_eq!(
            check_upload("virus.jpg", b"MZ\x90\0\x03").unwrap_err().code,
            "type"
        );
        let mut big = JPEG.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check_upload("big.jpg", &big).unwrap_err().code, "too_large");
        big.truncate(MAX_BYTES);
        assert!(check_upload("just.jpg", &big).is_ok());
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(clean_name("../../etc/passwd", FileType::Pdf), "passwd");
        assert_eq!(clean_name("", FileType::Pdf), "附件.pdf");
        assert_eq!(clean_name("  .  ", FileType::Png), "附件.png");
        assert_eq!(
            clean_name("a\u{0}b\r\n\"c\".jpg", FileType::Jpeg),
            "abc.jpg"
        );
        assert_eq!(
            clean_name("invoice\u{202E}fdp.exe", FileType::Pdf),
            "invoicefdp.exe",
            "a right-to-left override cannot disguise the extension"
        );
        assert_eq!(
            clean_name("a\u{2066}b\u{200F}.png", FileType::Png),
            "ab.png"
        );
        assert_eq!(
            clean_name("𠮷野家 收据.pdf", FileType::Pdf),
            "𠮷野家 收据.pdf"
        );
        let long = format!("{}.jpeg", "发".repeat(200));
        let short = clean_name(&long, FileType::Jpeg);
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with(".jpeg"));
    }

    proptest! {
        #[test]
        fn a_clean_name_is_short_printable_and_has_no_path(raw in "\\PC{0,300}") {
            let n = clean_name(&raw, FileType::Jpeg);
            prop_assert!(!n.is_empty());
            prop_assert!(n.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!n.contains('/') && !n.contains('\\'));
            prop_assert!(!n.chars().any(|c| c.is_control() || is_bidi_control(c)));
            prop_assert!(!n.starts_with('.'));
        }
    }
}
