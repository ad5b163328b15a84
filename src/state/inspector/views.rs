//! What the inspector's body shows, as rows wrapped at its width: text lines built
//! once ([`TextView`]), or a JSON document whose lines are built only when they
//! are on screen ([`JsonView`]).

use ratatui::text::Line;

use super::wrap::WrapIndex;
use crate::state::json::{JsonDoc, JsonLayout, line_chars};

/// Text lines, built once, and where they wrap.
#[derive(Debug, Clone)]
pub(super) struct TextView {
    lines: Vec<Line<'static>>,
    /// Characters per line, and whether the line is ASCII (then bytes are characters).
    chars: Vec<(usize, bool)>,
    wraps: WrapIndex,
    cols: usize,
}

impl TextView {
    /// `lines` wrapped at `cols` characters.
    pub fn new(lines: Vec<Line<'static>>, cols: usize) -> Self {
        let chars = lines.iter().map(line_chars).collect();
        let mut view = TextView {
            lines,
            chars,
            wraps: WrapIndex::default(),
            cols,
        };
        view.rewrap(cols);
        view
    }

    /// Wraps at `cols` characters from now on.
    pub fn rewrap(&mut self, cols: usize) {
        self.cols = cols.max(1);
        let (chars, cols) = (&self.chars, self.cols);
        self.wraps = WrapIndex::new(chars.len(), |line| chars[line].0.div_ceil(cols).max(1));
    }

    /// How many rows the lines take.
    pub fn total_rows(&self) -> usize {
        self.wraps.total()
    }

    /// Up to `count` rows from row `from`.
    pub fn rows(&self, from: usize, count: usize) -> Vec<Line<'static>> {
        self.wraps.rows(self.cols, from, count, |index| {
            (&self.lines[index], self.chars[index])
        })
    }
}

/// A JSON document, the lines of its current view (built when drawn) and where
/// they wrap.
#[derive(Debug, Clone)]
pub(super) struct JsonView {
    doc: JsonDoc,
    layout: JsonLayout,
    wraps: WrapIndex,
    cols: usize,
}

impl JsonView {
    /// `doc` laid out with `fold_depth` (see [`JsonLayout::new`]), wrapped at
    /// `cols` characters.
    pub fn new(doc: JsonDoc, fold_depth: Option<usize>, cols: usize) -> Self {
        let mut view = JsonView {
            layout: doc.layout(fold_depth),
            doc,
            wraps: WrapIndex::default(),
            cols,
        };
        view.rewrap(cols);
        view
    }

    /// Lays the document out again with `fold_depth`.
    pub fn lay_out(&mut self, fold_depth: Option<usize>) {
        self.layout = self.doc.layout(fold_depth);
        self.rewrap(self.cols);
    }

    /// Wraps at `cols` characters from now on.
    pub fn rewrap(&mut self, cols: usize) {
        self.cols = cols.max(1);
        let (doc, layout, cols) = (&self.doc, &self.layout, self.cols);
        self.wraps = WrapIndex::new(layout.len(), |line| layout.rows(doc, line, cols));
    }

    /// How many rows the view takes.
    pub fn total_rows(&self) -> usize {
        self.wraps.total()
    }

    /// Up to `count` rows from row `from`; builds the lines they show.
    pub fn rows(&self, from: usize, count: usize) -> Vec<Line<'static>> {
        self.wraps.rows(self.cols, from, count, |index| {
            let line = self.layout.line(&self.doc, index);
            let chars = line_chars(&line);
            (line, chars)
        })
    }
}
