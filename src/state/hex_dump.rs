//! Binary payloads as a classic hex dump, a window of lines at a time, for the
//! inspector to scroll through large payloads cheaply.

use std::fmt::Write as _;

use ratatui::text::{Line, Span};

use crate::theme;

/// Bytes per hex dump line.
pub const HEX_BYTES_PER_LINE: usize = 16;

/// Lines `first_line..first_line + max_lines` of the hex dump of `bytes` (offsets
/// count from the start of `bytes`):
/// `00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |Hello world.|`.
pub fn hex_dump_at(bytes: &[u8], first_line: usize, max_lines: usize) -> Vec<Line<'static>> {
    bytes
        .chunks(HEX_BYTES_PER_LINE)
        .enumerate()
        .skip(first_line)
        .take(max_lines)
        .map(|(line, chunk)| {
            let mut hex = String::with_capacity(50);
            for i in 0..HEX_BYTES_PER_LINE {
                if i == HEX_BYTES_PER_LINE / 2 {
                    hex.push(' ');
                }
                match chunk.get(i) {
                    // Writing to a String cannot fail.
                    Some(b) => _ = write!(hex, "{b:02x} "),
                    None => hex.push_str("   "),
                }
            }
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            Line::from(vec![
                Span::styled(format!("{:08x}  ", line * HEX_BYTES_PER_LINE), theme::dim()),
                Span::raw(hex),
                Span::styled(" |", theme::dim()),
                Span::styled(ascii, theme::json_string()),
                Span::styled("|", theme::dim()),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_format() {
        let lines = hex_dump_at(b"Hello world\n\x00\xffABCDEFG", 0, 4);
        let texts: Vec<String> = lines.iter().map(Line::to_string).collect();
        assert_eq!(
            texts,
            [
                "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 ff 41 42  |Hello world...AB|",
                &format!("00000010  43 44 45 46 47{}|CDEFG|", " ".repeat(36)),
            ]
        );
        assert_eq!(hex_dump_at(&[0u8; 40], 0, 1).len(), 1);
        assert!(
            hex_dump_at(&[0u8; 40], 2, 5)[0]
                .to_string()
                .starts_with("00000020  00")
        );
        assert!(hex_dump_at(&[], 0, 5).is_empty());
    }
}
