//! Lines wrapped at the inspector body's width: where each line starts on screen
//! ([`WrapIndex`]) and the rows cut out of one line ([`cut_rows`]). Widths count
//! characters (a wide character can push a row past the edge).

use ratatui::text::{Line, Span};

/// Where lines start on screen when wrapped. Only the lines taking more than one
/// row are recorded (in JSON and most text few do), so building the index costs
/// one call per line and finding a row a binary search over the long lines.
#[derive(Debug, Clone, Default)]
pub(super) struct WrapIndex {
    lines: usize,
    /// The lines taking more than one row, in order.
    long: Vec<LongLine>,
}

/// A line taking more than one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LongLine {
    line: usize,
    rows: usize,
    /// Rows beyond the first of every long line up to this one, this one included.
    extra_through: usize,
}

impl LongLine {
    /// The screen row of the line's first row.
    fn first_row(&self) -> usize {
        self.line + self.extra_through - (self.rows - 1)
    }
}

impl WrapIndex {
    /// The index of `lines` lines, line `i` taking `rows_of(i)` rows (1 at least).
    pub fn new(lines: usize, mut rows_of: impl FnMut(usize) -> usize) -> Self {
        let mut long = Vec::new();
        let mut extra_through = 0;
        for line in 0..lines {
            let rows = rows_of(line);
            if rows > 1 {
                extra_through += rows - 1;
                long.push(LongLine {
                    line,
                    rows,
                    extra_through,
                });
            }
        }
        WrapIndex { lines, long }
    }

    /// Rows of all lines.
    pub fn total(&self) -> usize {
        self.lines + self.long.last().map_or(0, |long| long.extra_through)
    }

    /// Up to `count` screen rows from row `from`, the lines wrapped at `cols`
    /// characters; `line_at(i)` builds line `i` with its characters and whether it
    /// is ASCII (see [`line_chars`](crate::state::json::line_chars)). Only the lines on
    /// those rows are built.
    pub fn rows<'line, L: std::borrow::Borrow<Line<'line>>>(
        &self,
        cols: usize,
        from: usize,
        count: usize,
        mut line_at: impl FnMut(usize) -> (L, (usize, bool)),
    ) -> Vec<Line<'static>> {
        let mut out = Vec::with_capacity(count.min(self.total()));
        let (mut index, mut first) = self.locate(from);
        while out.len() < count && index < self.lines {
            let (line, (chars, ascii)) = line_at(index);
            let take = (chars.div_ceil(cols).max(1).saturating_sub(first)).min(count - out.len());
            out.extend(cut_rows(line.borrow(), ascii, cols, first, take));
            index += 1;
            first = 0;
        }
        out
    }

    /// The line on screen row `row`, and which of its rows that is.
    pub fn locate(&self, row: usize) -> (usize, usize) {
        let after = self.long.partition_point(|long| long.first_row() <= row);
        let Some(long) = after.checked_sub(1).map(|index| self.long[index]) else {
            return (row, 0);
        };
        let first = long.first_row();
        if row < first + long.rows {
            (long.line, row - first)
        } else {
            (row - long.extra_through, 0)
        }
    }
}

/// Rows `first..first + count` of `line` wrapped at `cols` characters, in one pass
/// over the characters before the last of them (none when `ascii`: then bytes are
/// characters and rows are sliced out directly).
pub(super) fn cut_rows(
    line: &Line<'_>,
    ascii: bool,
    cols: usize,
    first: usize,
    count: usize,
) -> Vec<Line<'static>> {
    let (start, end) = (first * cols, (first + count) * cols);
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new(); count];
    // Characters before the current one.
    let mut pos = 0;
    for span in &line.spans {
        if pos >= end {
            break;
        }
        let text = span.content.as_ref();
        let mut cut = |row: usize, range: std::ops::Range<usize>| {
            rows[row].push(Span::styled(text[range].to_owned(), span.style));
        };
        if ascii {
            let n = text.len();
            let mut a = start.max(pos);
            while a < end.min(pos + n) {
                let row = (a - start) / cols;
                let b = (start + (row + 1) * cols).min(pos + n);
                cut(row, a - pos..b - pos);
                a = b;
            }
            pos += n;
            continue;
        }
        // Where the current piece starts (byte offset) and its row.
        let mut piece: Option<(usize, usize)> = None;
        let mut stop = text.len();
        for (at, _) in text.char_indices() {
            if pos >= end {
                stop = at;
                break;
            }
            if pos >= start {
                let row = (pos - start) / cols;
                match piece {
                    Some((from, r)) if r != row => {
                        cut(r, from..at);
                        piece = Some((at, row));
                    }
                    Some(_) => {}
                    None => piece = Some((at, row)),
                }
            }
            pos += 1;
        }
        if let Some((from, row)) = piece {
            cut(row, from..stop);
        }
    }
    rows.into_iter().map(Line::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_position() {
        let lines: Vec<usize> = vec![1, 3, 1, 1, 2, 1];
        let index = WrapIndex::new(lines.len(), |line| lines[line]);
        assert_eq!(index.total(), 9);
        let located: Vec<(usize, usize)> = (0..9).map(|row| index.locate(row)).collect();
        assert_eq!(
            located,
            [
                (0, 0),
                (1, 0),
                (1, 1),
                (1, 2),
                (2, 0),
                (3, 0),
                (4, 0),
                (4, 1),
                (5, 0)
            ]
        );
        assert_eq!(WrapIndex::new(3, |_| 1).locate(2), (2, 0));
        assert_eq!(WrapIndex::new(3, |_| 1).total(), 3);
        let first_long = WrapIndex::new(2, |line| if line == 0 { 4 } else { 1 });
        assert_eq!(first_long.locate(3), (0, 3));
        assert_eq!(first_long.locate(4), (1, 0));
        assert_eq!(WrapIndex::default().total(), 0);
    }

    #[test]
    fn cuts_rows_of_mixed_spans() {
        let line = Line::from(vec![Span::raw("ab"), Span::raw("cdéf"), Span::raw("g")]);
        let texts = |rows: Vec<Line>| rows.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        assert_eq!(texts(cut_rows(&line, false, 3, 0, 3)), ["abc", "déf", "g"]);
        assert_eq!(texts(cut_rows(&line, false, 3, 1, 1)), ["déf"]);
        let ascii = Line::from(vec![Span::raw("abcd"), Span::raw("efg")]);
        assert_eq!(texts(cut_rows(&ascii, true, 3, 1, 2)), ["def", "g"]);
        assert_eq!(cut_rows(&ascii, true, 3, 0, 3)[0].spans.len(), 1);
        assert_eq!(cut_rows(&ascii, true, 3, 0, 3)[1].spans.len(), 2);
    }
}
