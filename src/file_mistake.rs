//! A mistake in a file the user writes by hand (`keys.toml`, `theme.toml`): which
//! file, the line and column, and what is wrong — shown as `FILE:LINE:COLUMN: …`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What is wrong with a hand-written file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileMistake {
    /// The file's usual name (`keys.toml`), shown when there is no path.
    pub file: &'static str,
    /// The file, when read from one.
    pub path: Option<PathBuf>,
    /// 1-based line of the mistake (0 when the file could not be read).
    pub line: usize,
    /// 1-based column (in characters) of the mistake.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FileMistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self
            .path
            .as_deref()
            .map_or_else(|| self.file.to_string(), |path| path.display().to_string());
        if self.line == 0 {
            write!(f, "{path}: {}", self.message)
        } else {
            write!(f, "{path}:{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

impl FileMistake {
    /// A mistake at byte `span.start` of `text` (the whole of file `file`), placed
    /// on its line and column.
    pub fn at(file: &'static str, text: &str, span: Range<usize>, message: String) -> Self {
        let start = span.start.min(text.len());
        let before = text.get(..start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit_once('\n')
            .map_or(before, |(_, last)| last)
            .chars()
            .count()
            + 1;
        FileMistake {
            file,
            path: None,
            line,
            column,
            message,
        }
    }

    /// The same mistake, in the file at `path`.
    pub fn in_file(self, path: PathBuf) -> Self {
        FileMistake {
            path: Some(path),
            ..self
        }
    }
}

/// The text of the file at `path` (whose usual name is `file`), `None` when there
/// is no such file, or the mistake of a file that is there but cannot be read.
pub fn read_if_present(file: &'static str, path: &Path) -> Result<Option<String>, FileMistake> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(FileMistake {
            file,
            path: Some(path.to_path_buf()),
            line: 0,
            column: 0,
            message: format!("cannot read it: {error}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_a_byte_offset_on_its_line_and_column_in_characters() {
        let text = "a = 1\nbé = [2, x]\n";
        let at = text.find('x').unwrap();
        let mistake = FileMistake::at("t.toml", text, at..at + 1, "no x".into());
        assert_eq!((mistake.line, mistake.column), (2, 10));
        assert_eq!(mistake.to_string(), "t.toml:2:10: no x");
        let placed = mistake.in_file(PathBuf::from("/c/t.toml"));
        assert_eq!(placed.to_string(), "/c/t.toml:2:10: no x");
    }

    #[test]
    fn a_missing_file_is_none_and_a_directory_cannot_be_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            read_if_present("t.toml", &dir.path().join("t.toml")),
            Ok(None)
        );
        let unreadable = read_if_present("t.toml", dir.path()).unwrap_err();
        assert_eq!(unreadable.line, 0);
        assert!(
            unreadable.to_string().contains("cannot read it"),
            "{unreadable}"
        );
    }
}
