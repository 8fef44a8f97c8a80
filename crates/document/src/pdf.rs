//! The annual report as a tagged PDF, laid out by our own code and written by
//! [krilla](https://github.com/LaurenzV/krilla) (the PDF library typst, too, writes through).
//!
//! The layout is simple on purpose: A4, one column, text set line by line (words shaped with
//! rustybuzz once per document and reused, broken at spaces, a word too long for the line at
//! its characters; no hyphenation), headings that keep with what follows, tables whose rows
//! never split and whose header repeats on every page, charts drawn from the report's
//! [`Scene`](etablera_report::chart::Scene) as vectors. The body is laid out first, then the
//! cover and the contents, so the contents know the pages.
//!
//! Everything drawn is either tagged content or an artifact (borders, badges' boxes, page
//! footers); the structure tree follows the reading order (Document → headings, paragraphs,
//! lists, tables with header cells, figures with `/Alt`, the contents as TOC/TOCI/Link), and
//! krilla checks PDF/UA-1 and PDF/A-2a as it writes, refusing a file that would not conform.

use crate::Error;
use etablera_report::chart::{Anchor, Scene, Shape};
use etablera_report::model::{Report, Target};
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::{Destination, XyzDestination};
use krilla::geom::{Path, PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use std::collections::HashMap;
use std::num::NonZeroU16;
use std::rc::Rc;
use std::sync::LazyLock;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// Margins: 2,2 cm at the sides and the top, 2,4 cm at the bottom (the footer sits in it).
const LEFT: f32 = 62.36;
const TOP: f32 = 62.36;
const BOTTOM: f32 = PAGE_H - 68.03;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;

type Rgb = (u8, u8, u8);
const BLACK: Rgb = (0, 0, 0);
const BLUE: Rgb = (0x1f, 0x4e, 0x9a);
const DARK_RED: Rgb = (0x8b, 0, 0);
const GREY: Rgb = (0x44, 0x44, 0x44);
const RULE: Rgb = (0x99, 0x99, 0x99);

/// Regular, bold, italic.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Face {
    Regular = 0,
    Bold = 1,
    Italic = 2,
}

#[derive(Clone, Copy, Debug)]
struct Style {
    face: Face,
    size: f32,
    colour: Rgb,
}

impl Style {
    const fn new(face: Face, size: f32, colour: Rgb) -> Style {
        Style { face, size, colour }
    }
    /// Baseline to baseline.
    fn line(&self) -> f32 {
        self.size * 1.3
    }
}

const BODY: Style = Style::new(Face::Regular, 10.0, BLACK);
const STRONG: Style = Style::new(Face::Bold, 10.0, BLACK);

struct Fonts {
    pdf: Vec<Font>,
    shaping: Vec<rustybuzz::Face<'static>>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    pdf: crate::FONTS
        .iter()
        .map(|b| Font::new(krilla::Data::from(*b), 0).expect("a compiled-in font"))
        .collect(),
    shaping: crate::FONTS
        .iter()
        .map(|b| rustybuzz::Face::from_slice(b, 0).expect("a compiled-in font"))
        .collect(),
});

/// Whether one of the fonts has a glyph for the character. Liberation Sans has all of
/// Basic Latin's printable characters, Latin-1 and Latin Extended-A, so those are not looked
/// up.
pub(crate) fn covered(c: char) -> bool {
    plain(c)
        || FONTS
            .shaping
            .iter()
            .any(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
}

/// A character every font has and [`settable`] keeps as it is.
fn plain(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ac}' | '\u{ae}'..='\u{17f}')
}

/// A word shaped in one face: its glyphs (advances in em) and its width in em.
struct Shaped {
    glyphs: Vec<KrillaGlyph>,
    width: f32,
}

/// One line's text in one style at a place: the glyphs of its words and spaces.
struct Run {
    x: f32,
    baseline: f32,
    style: Style,
    text: String,
    glyphs: Vec<KrillaGlyph>,
}

enum Item {
    Run(Run),
    Rect {
        rect: (f32, f32, f32, f32),
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    Chart {
        x: f32,
        y: f32,
        scale: f32,
        target: usize,
    },
    /// The page of contents entry `entry`, right-aligned at `right`.
    TocPage {
        entry: usize,
        right: f32,
        baseline: f32,
    },
}

/// What a drawn item is in the structure: an artifact, or (part of) a leaf of the tree.
#[derive(Clone, Copy)]
enum Mark {
    Artifact(ArtifactType),
    Leaf(usize),
}

struct Placed {
    item: Item,
    mark: Mark,
}

/// The structure tree as it is built, before krilla's identifiers exist.
enum Node {
    Group(TagKind, Vec<Node>),
    Leaf(usize),
    /// The link annotation of contents entry `n`.
    Annot(usize),
}

/// A heading the contents and the bookmarks point to.
struct Heading {
    level: u16,
    text: String,
    page: usize,
    y: f32,
}

/// A table column's width: its content's (at most a share of the line), or a share of
/// what is left.
#[derive(Clone, Copy)]
enum Col {
    Auto,
    Fr(f32),
}

enum Cell<'a> {
    Text(&'a str),
    Badge(&'a str, &'a str),
}

struct Layout<'r> {
    report: &'r Report,
    /// Each face's shaped words.
    shaped: [HashMap<String, Rc<Shaped>>; 3],
    pages: Vec<Vec<Placed>>,
    y: f32,
    leaves: usize,
    /// Open groups, innermost last; the first is the root.
    open: Vec<(Option<TagKind>, Vec<Node>)>,
    headings: Vec<Heading>,
    /// The targets in order, for the charts' scenes.
    targets: Vec<&'r Target>,
    /// Contents entries: heading index, link rectangles (page, rect).
    links: Vec<(usize, Vec<(usize, (f32, f32, f32, f32))>)>,
}

/// Text as the fonts can set it: control and private-use characters left out, a character
/// none of the fonts has shown as «?» (PDF/A allows no missing glyph; the HTML report keeps
/// the text as written).
///
/// Characters that are invisible by definition (Unicode's default-ignorable ones: zero-width
/// spaces and joiners, a byte-order mark, variation selectors, bidi controls, a soft hyphen)
/// are left out rather than shown as «?»; a line or paragraph separator is a line break; at
/// most 8 combining marks follow a character (a cluster of thousands would be one string
/// longer than PDF/A allows).
fn settable(s: &str) -> String {
    // A field longer than a board's document can use is cut (the layout's memory grows with
    // the text it sets; 50 000 characters are some twenty pages).
    if let Some((at, _)) = s.char_indices().nth(MAX_FIELD) {
        return format!("{}…", settable(&s[..at]));
    }
    if s.chars().all(plain) {
        return s.to_string();
    }
    let mut marks = 0;
    s.chars()
        .filter_map(|c| {
            let c = if matches!(c, '\u{2028}' | '\u{2029}') {
                '\n'
            } else {
                c
            };
            let control = c.is_control() && !matches!(c, '\n' | '\t');
            let private = ('\u{e000}'..='\u{f8ff}').contains(&c) || c >= '\u{f0000}';
            if control || private || ignorable(c) {
                return None;
            }
            if combining(c) {
                marks += 1;
                if marks > 8 {
                    return None;
                }
            } else {
                marks = 0;
            }
            if matches!(c, '\n' | '\t' | ' ') || covered(c) {
                Some(c)
            } else {
                Some('?')
            }
        })
        .collect()
}

/// [`settable`] for a text set on one line (a badge, a chart's label, the footer).
fn one_line(s: &str) -> String {
    settable(s).replace(['\n', '\t'], " ")
}

/// Unicode's default-ignorable code points (DerivedCoreProperties.txt), those a text may
/// plausibly hold.
fn ignorable(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

/// Combining diacritical marks (the blocks a Latin, Greek or Cyrillic text uses).
fn combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// A text for one of the PDF's string objects (a heading's title, a figure's text
/// alternative, a link's description, a bookmark, the document's title): at most 2 000
/// characters, «…» where it is cut. PDF/A allows no string over 32 767 bytes, and a text
/// alternative of pages helps no reader; the text itself is set whole.
fn short(s: &str) -> String {
    clip(settable(s), 2000)
}

/// The characters of one text the PDF sets at most.
const MAX_FIELD: usize = 50_000;

/// At most `max` characters, «…» where cut.
fn clip(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

/// Nothing to show once cleaned: only white space, control, private-use or invisible
/// characters.
fn blank(s: &str) -> bool {
    settable(s).trim().is_empty()
}

fn rgb(hex: &str) -> Rgb {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    ((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

fn status_colours(code: &str) -> (Rgb, Rgb) {
    match code {
        "achieved" => (rgb("#e3f4dc"), rgb("#1b5e20")),
        "on_track" => (rgb("#e3effa"), rgb("#0d3c78")),
        "at_risk" => (rgb("#fff3d6"), rgb("#6b4500")),
        "off_track" => (rgb("#fde4e4"), rgb("#8b0000")),
        _ => (rgb("#eeeeee"), rgb("#333333")),
    }
}

/// A heading is never empty (PDF/UA): a target or area without words (once cleaned)
/// shows a dash.
fn named(s: &str) -> &str {
    if blank(s) {
        "–"
    } else {
        s
    }
}

impl<'r> Layout<'r> {
    fn new(report: &'r Report) -> Layout<'r> {
        Layout {
            report,
            shaped: Default::default(),
            pages: vec![Vec::new()],
            y: TOP,
            leaves: 0,
            open: vec![(None, Vec::new())],
            headings: Vec::new(),
            targets: Vec::new(),
            links: Vec::new(),
        }
    }

    // --- Text -------------------------------------------------------------------------

    fn shape(&mut self, face: Face, word: &str) -> Rc<Shaped> {
        if let Some(s) = self.shaped[face as usize].get(word) {
            return s.clone();
        }
        let font = &FONTS.shaping[face as usize];
        let upem = font.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(word);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let out = rustybuzz::shape(font, &[], buffer);
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .map(|n| n.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(word.len());
            let advance = pos.x_advance as f32 / upem;
            width += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                0.0,
                start..end,
                None,
            ));
        }
        let s = Rc::new(Shaped { glyphs, width });
        self.shaped[face as usize].insert(word.to_string(), s.clone());
        s
    }

    fn width(&mut self, style: Style, text: &str) -> f32 {
        text.split(' ')
            .map(|w| self.shape(style.face, w).width)
            .sum::<f32>()
            * style.size
            + self.shape(style.face, " ").width * style.size * text.matches(' ').count() as f32
    }

    /// A run of words in one style: their glyphs joined with spaces.
    fn run(&mut self, x: f32, baseline: f32, style: Style, words: &[&str]) -> Run {
        let text = words.join(" ");
        let mut glyphs = Vec::new();
        let mut at = 0;
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                let space = self.shape(style.face, " ");
                glyphs.extend(space.glyphs.iter().map(|g| shift(g, at)));
                at += 1;
            }
            let s = self.shape(style.face, w);
            glyphs.extend(s.glyphs.iter().map(|g| shift(g, at)));
            at += w.len();
        }
        Run {
            x,
            baseline,
            style,
            text,
            glyphs,
        }
    }

    /// Lines of at most `width`: each line a list of (style, words) pieces and its width.
    /// Spans are broken at spaces and at `\n`; a word longer than a line at its characters.
    fn lines<'t>(&mut self, spans: &[(Style, &'t str)], width: f32) -> Vec<Line<'t>> {
        let mut lines = vec![Line::default()];
        for &(style, text) in spans {
            for (k, part) in text.split('\n').enumerate() {
                // A line break starts a new line; blank lines are not kept (a text of a
                // million line breaks is one line, not twenty thousand pages).
                if k > 0 && !lines.last().expect("a line").pieces.is_empty() {
                    lines.push(Line::default());
                }
                let space = self.shape(style.face, " ").width * style.size;
                for word in part.split([' ', '\t']).filter(|w| !w.is_empty()) {
                    let w = self.shape(style.face, word).width * style.size;
                    let cur = lines.last_mut().expect("a line");
                    let gap = if cur.pieces.is_empty() { 0.0 } else { space };
                    if cur.width + gap + w <= width || cur.pieces.is_empty() && w <= width {
                        cur.push(style, word, gap, w);
                        continue;
                    }
                    if !cur.pieces.is_empty() {
                        // Broken at a space: the text keeps it (a reader of the tagged
                        // text hears two words, not one).
                        cur.space_after = true;
                        lines.push(Line::default());
                    }
                    if w <= width {
                        lines.last_mut().expect("a line").push(style, word, 0.0, w);
                        continue;
                    }
                    // Too long for any line: at its characters.
                    let mut from = 0;
                    let mut acc = 0.0;
                    for (i, c) in word.char_indices() {
                        let cw =
                            self.shape(style.face, &word[i..i + c.len_utf8()]).width * style.size;
                        if acc + cw > width && i > from {
                            lines
                                .last_mut()
                                .expect("a line")
                                .push(style, &word[from..i], 0.0, acc);
                            lines.push(Line::default());
                            from = i;
                            acc = 0.0;
                        }
                        acc += cw;
                    }
                    lines
                        .last_mut()
                        .expect("a line")
                        .push(style, &word[from..], 0.0, acc);
                }
            }
        }
        lines
    }

    /// The runs of one line placed at `x` and `baseline`.
    fn place_line(&mut self, line: &Line<'_>, x: f32, baseline: f32) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut cx = x;
        let mut i = 0;
        while i < line.pieces.len() {
            let style = line.pieces[i].0;
            cx += line.pieces[i].2;
            let mut words = vec![line.pieces[i].1];
            let mut w = line.pieces[i].3;
            let mut j = i + 1;
            while j < line.pieces.len()
                && line.pieces[j].0.face == style.face
                && line.pieces[j].0.size == style.size
                && line.pieces[j].0.colour == style.colour
                && line.pieces[j].2 > 0.0
            {
                words.push(line.pieces[j].1);
                w += line.pieces[j].2 + line.pieces[j].3;
                j += 1;
            }
            if j == line.pieces.len() && line.space_after {
                // An empty last word: the run's text and glyphs end with the space.
                words.push("");
            }
            runs.push(self.run(cx, baseline, style, &words));
            cx += w;
            i = j;
        }
        runs
    }

    // --- Pages and structure ------------------------------------------------------------

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// A new page unless `h` more fits on this one.
    fn need(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn page(&self) -> usize {
        self.pages.len() - 1
    }

    fn put(&mut self, item: Item, mark: Mark) {
        self.pages
            .last_mut()
            .expect("a page")
            .push(Placed { item, mark });
    }

    fn open(&mut self, tag: impl Into<TagKind>) {
        self.open.push((Some(tag.into()), Vec::new()));
    }

    fn close(&mut self) {
        let (tag, children) = self.open.pop().expect("an open group");
        let node = Node::Group(tag.expect("not the root"), children);
        self.open.last_mut().expect("a parent").1.push(node);
    }

    fn leaf(&mut self) -> usize {
        self.leaves += 1;
        self.open
            .last_mut()
            .expect("a group")
            .1
            .push(Node::Leaf(self.leaves - 1));
        self.leaves - 1
    }

    // --- Blocks -------------------------------------------------------------------------

    /// A paragraph of styled spans at `indent`, broken into lines and over pages, as one
    /// leaf of the group that is open. Returns the leaf.
    fn text(&mut self, spans: &[(Style, &str)], indent: f32, width: f32, centred: bool) -> usize {
        let cleaned: Vec<(Style, String)> = spans.iter().map(|(s, t)| (*s, settable(t))).collect();
        let spans: Vec<(Style, &str)> = cleaned.iter().map(|(s, t)| (*s, t.as_str())).collect();
        let leaf = self.leaf();
        let lines = self.lines(&spans, width);
        let line_h = spans.iter().map(|s| s.0.line()).fold(0.0, f32::max);
        let size = spans.iter().map(|s| s.0.size).fold(0.0, f32::max);
        for line in &lines {
            self.need(line_h);
            let x = if centred {
                LEFT + indent + (width - line.width) / 2.0
            } else {
                LEFT + indent
            };
            let baseline = self.y + size;
            for run in self.place_line(line, x, baseline) {
                self.put(Item::Run(run), Mark::Leaf(leaf));
            }
            self.y += line_h;
        }
        leaf
    }

    /// A paragraph; one with nothing to show is left out.
    fn paragraph(&mut self, spans: &[(Style, &str)]) {
        if spans.iter().all(|(_, t)| blank(t)) {
            return;
        }
        self.open(Tag::P);
        self.text(spans, 0.0, WIDTH, false);
        self.close();
        self.y += 6.0;
    }

    fn heading(&mut self, level: u16, text: &str) {
        let clean = settable(text);
        let clean = named(&clean);
        let style = match level {
            1 => Style::new(Face::Bold, 17.0, BLUE),
            2 => Style::new(Face::Bold, 12.5, BLACK),
            _ => Style::new(Face::Bold, 11.0, BLACK),
        };
        if level == 1 {
            if !self.pages.last().expect("a page").is_empty() || self.y > TOP {
                self.new_page();
            }
        } else {
            self.y += 8.0;
            // Keep the heading with what follows it.
            self.need(style.line() * 2.0 + 60.0);
        }
        self.need(style.line());
        self.headings.push(Heading {
            level,
            text: short(clean),
            page: self.page(),
            y: self.y,
        });
        let level = NonZeroU16::new(level).expect("a level");
        self.open(Tag::Hn(level, Some(short(clean))));
        self.text(&[(style, clean)], 0.0, WIDTH, false);
        self.close();
        self.y += if level.get() == 1 { 8.0 } else { 4.0 };
    }

    fn list(&mut self, items: &[&str]) {
        if items.is_empty() {
            return;
        }
        self.open(Tag::L(ListNumbering::Disc));
        for item in items {
            self.open(Tag::LI);
            self.need(BODY.line());
            let y = self.y;
            self.open(Tag::Lbl);
            let leaf = self.leaf();
            let bullet = self.run(LEFT + 4.0, y + BODY.size, BODY, &["•"]);
            self.put(Item::Run(bullet), Mark::Leaf(leaf));
            self.close();
            self.open(Tag::LBody);
            self.text(&[(BODY, named(item))], 14.0, WIDTH - 14.0, false);
            self.close();
            self.close();
            self.y += 2.0;
        }
        self.close();
        self.y += 6.0;
    }

    /// A status badge at (x, top); its width.
    fn badge(&mut self, x: f32, top: f32, code: &str, label: &str, leaf: usize) -> f32 {
        let (bg, fg) = status_colours(code);
        let style = Style::new(Face::Bold, BODY.size, fg);
        let label = one_line(label);
        let w = self.width(style, &label);
        self.put(
            Item::Rect {
                rect: (x, top, w + 8.0, style.size + 5.0),
                fill: Some(bg),
                stroke: Some((fg, 1.0)),
            },
            Mark::Artifact(ArtifactType::Layout),
        );
        let words: Vec<&str> = label.split(' ').collect();
        let run = self.run(x + 4.0, top + style.size + 0.5, style, &words);
        self.put(Item::Run(run), Mark::Leaf(leaf));
        w + 8.0
    }

    /// A table: header cells, rows, column widths, optional caption below. Rows never split;
    /// the header repeats on a new page.
    fn table(
        &mut self,
        header: &[&str],
        rows: &[Vec<Cell<'_>>],
        cols: &[Col],
        right: &[bool],
        size: f32,
        caption: Option<&str>,
    ) {
        const PAD: f32 = 4.0;
        let body = Style::new(Face::Regular, size, BLACK);
        let head = Style::new(Face::Bold, size, BLACK);
        let n = cols.len();
        // Natural widths of the auto columns, at most 40 % of the line each.
        let mut natural = vec![0.0f32; n];
        for (i, h) in header.iter().enumerate() {
            let h = settable(h);
            natural[i] = natural[i].max(
                h.split(' ')
                    .map(|w| self.width(head, w))
                    .fold(0.0, f32::max)
                    .max(self.width(head, &h).min(WIDTH * 0.4)),
            );
        }
        for row in rows {
            for (i, c) in row.iter().enumerate().take(n) {
                let w = match c {
                    Cell::Text(t) => self.width(body, &settable(t)),
                    Cell::Badge(_, l) => {
                        self.width(Style::new(Face::Bold, size, BLACK), &settable(l)) + 8.0
                    }
                };
                natural[i] = natural[i].max(w);
            }
        }
        let mut widths = vec![0.0f32; n];
        let mut fr_total = 0.0;
        let mut auto_total = 0.0;
        for (i, c) in cols.iter().enumerate() {
            match c {
                Col::Auto => {
                    widths[i] = (natural[i] + 2.0 * PAD).min(WIDTH * 0.4);
                    auto_total += widths[i];
                }
                Col::Fr(f) => fr_total += f,
            }
        }
        let rest = (WIDTH - auto_total).max(WIDTH * 0.3);
        if auto_total + rest > WIDTH {
            let k = (WIDTH - rest) / auto_total;
            for (i, c) in cols.iter().enumerate() {
                if matches!(c, Col::Auto) {
                    widths[i] *= k;
                }
            }
        }
        for (i, c) in cols.iter().enumerate() {
            if let Col::Fr(f) = c {
                widths[i] = rest * f / fr_total;
            }
        }
        let xs: Vec<f32> = widths
            .iter()
            .scan(LEFT, |x, w| {
                let at = *x;
                *x += w;
                Some(at)
            })
            .collect();

        self.open(Tag::Table);
        // The header row's lines, laid out once and placed on every page it appears.
        let header_text: Vec<String> = header.iter().map(|h| settable(h)).collect();
        let head_h = {
            let mut h: f32 = 0.0;
            for (i, t) in header_text.iter().enumerate() {
                let lines = self.lines(&[(head, t.as_str())], widths[i] - 2.0 * PAD);
                h = h.max(lines.len() as f32 * head.line());
            }
            h + 2.0 * PAD
        };
        let draw_header = |me: &mut Layout<'_>, tagged: bool| {
            if tagged {
                me.open(Tag::THead);
                me.open(Tag::TR);
            }
            let top = me.y;
            for (i, t) in header_text.iter().enumerate() {
                me.put(
                    Item::Rect {
                        rect: (xs[i], top, widths[i], head_h),
                        fill: Some((0xf2, 0xf2, 0xf2)),
                        stroke: Some((RULE, 0.5)),
                    },
                    Mark::Artifact(ArtifactType::Layout),
                );
                let lines = me.lines(&[(head, t.as_str())], widths[i] - 2.0 * PAD);
                let mark = if tagged {
                    me.open(Tag::TH(TableHeaderScope::Column));
                    let l = me.leaf();
                    me.close();
                    Mark::Leaf(l)
                } else {
                    Mark::Artifact(ArtifactType::PaginationOther)
                };
                for (k, line) in lines.iter().enumerate() {
                    let x = if right[i] {
                        xs[i] + widths[i] - PAD - line.width
                    } else {
                        xs[i] + PAD
                    };
                    let baseline = top + PAD + head.size + k as f32 * head.line();
                    for run in me.place_line(line, x, baseline) {
                        me.put(Item::Run(run), mark);
                    }
                }
            }
            me.y += head_h;
            if tagged {
                me.close();
                me.close();
            }
        };
        // The rows' lines and heights.
        let mut laid = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells = Vec::with_capacity(n);
            let mut h: f32 = 0.0;
            for (i, c) in row.iter().enumerate().take(n) {
                match c {
                    Cell::Text(t) => {
                        let t = settable(t);
                        let lines = self.lines(&[(body, t.as_str())], widths[i] - 2.0 * PAD);
                        let owned: Vec<OwnedLine> = lines.iter().map(OwnedLine::from).collect();
                        h = h.max(owned.len() as f32 * body.line());
                        cells.push(Some(owned));
                    }
                    Cell::Badge(..) => {
                        h = h.max(size + 6.0);
                        cells.push(None);
                    }
                }
            }
            laid.push((cells, h + 2.0 * PAD));
        }
        // The header repeats on each page unless it would take a third of one.
        let repeat = head_h <= (BOTTOM - TOP) / 3.0;
        let room = BOTTOM - TOP - if repeat { head_h } else { 0.0 };
        // The header stays with the first row (or as much of it as a page holds).
        let first = laid.first().map_or(0.0, |(_, h)| *h);
        self.need(head_h + first.min(room));
        draw_header(self, true);
        self.open(Tag::TBody);
        // The caption stays with the last row.
        let caption_h = match caption {
            Some(c) => {
                let c = settable(c);
                let small = Style::new(Face::Regular, 9.0, BLACK);
                4.0 + self.lines(&[(small, c.as_str())], WIDTH).len() as f32 * small.line()
            }
            None => 0.0,
        };
        for (r, (row, (cells, h))) in rows.iter().zip(laid).enumerate() {
            let keep = if r + 1 == rows.len() { caption_h } else { 0.0 };
            // A row that fits on a page is never split; one taller than a page is continued
            // on the next, line by line, under the repeated header.
            if self.y + h + keep > BOTTOM
                && self.y > TOP
                && (h <= room || self.y + 2.0 * PAD + body.line() > BOTTOM)
            {
                self.new_page();
                if repeat {
                    draw_header(self, false);
                }
            }
            self.open(Tag::TR);
            let leaves: Vec<usize> = (0..n.min(row.len()))
                .map(|_| {
                    self.open(Tag::TD);
                    let leaf = self.leaf();
                    self.close();
                    leaf
                })
                .collect();
            self.close();
            let total = cells
                .iter()
                .map(|c| c.as_ref().map_or(1, Vec::len))
                .max()
                .unwrap_or(1);
            let mut from = 0;
            loop {
                let fits = (((BOTTOM - self.y - 2.0 * PAD) / body.line()).floor() as usize).max(1);
                let to = if h <= BOTTOM - self.y {
                    total
                } else {
                    (from + fits).min(total)
                };
                let top = self.y;
                let chunk_h = if from == 0 && to == total {
                    h
                } else {
                    (to - from) as f32 * body.line() + 2.0 * PAD
                };
                for (i, c) in row.iter().enumerate().take(n) {
                    self.put(
                        Item::Rect {
                            rect: (xs[i], top, widths[i], chunk_h),
                            fill: None,
                            stroke: Some((RULE, 0.5)),
                        },
                        Mark::Artifact(ArtifactType::Layout),
                    );
                    let leaf = leaves[i];
                    match (c, &cells[i]) {
                        (Cell::Badge(code, label), _) => {
                            if from == 0 {
                                self.badge(xs[i] + PAD, top + PAD, code, label, leaf);
                            }
                        }
                        (Cell::Text(_), Some(lines)) => {
                            let end = to.min(lines.len());
                            for (k, line) in lines.iter().enumerate().take(end).skip(from) {
                                let x = if right[i] {
                                    xs[i] + widths[i] - PAD - line.width
                                } else {
                                    xs[i] + PAD
                                };
                                let baseline =
                                    top + PAD + body.size + (k - from) as f32 * body.line();
                                let line = line.borrowed();
                                for run in self.place_line(&line, x, baseline) {
                                    self.put(Item::Run(run), Mark::Leaf(leaf));
                                }
                            }
                        }
                        (Cell::Text(_), None) => {}
                    }
                }
                self.y += chunk_h;
                if to >= total {
                    break;
                }
                from = to;
                self.new_page();
                if repeat {
                    draw_header(self, false);
                }
            }
        }
        self.close();
        if let Some(caption) = caption {
            self.y += 4.0;
            self.open(Tag::Caption);
            self.text(
                &[(Style::new(Face::Regular, 9.0, BLACK), caption)],
                0.0,
                WIDTH,
                true,
            );
            self.close();
        }
        self.close();
        self.y += 10.0;
    }

    /// A target's chart as a figure with its text alternative, and its caption.
    fn chart(&mut self, t: &'r Target, caption: &[(Style, &str)]) {
        let scene: &Scene = &t.chart;
        let cleaned: Vec<(Style, String)> =
            caption.iter().map(|(s, c)| (*s, settable(c))).collect();
        let spans: Vec<(Style, &str)> = cleaned.iter().map(|(s, c)| (*s, c.as_str())).collect();
        let caption_h = self.lines(&spans, WIDTH).len() as f32 * 9.0 * 1.3 + 4.0;
        // As wide as the line, and never taller than a page with its caption.
        let scale = (WIDTH / scene.width as f32)
            .min((BOTTOM - TOP - caption_h.min(BOTTOM - TOP - 100.0)) / scene.height as f32);
        let h = scene.height as f32 * scale;
        self.need(h + caption_h);
        self.targets.push(t);
        let index = self.targets.len() - 1;
        // A figure always has a text alternative (PDF/UA): the target's, else the word.
        let alt = [t.chart_alt.as_str(), t.text.as_str()]
            .into_iter()
            .find(|a| !blank(a))
            .map_or_else(
                || {
                    if self.report.lang == "en" {
                        "Chart"
                    } else {
                        "Diagram"
                    }
                    .to_string()
                },
                short,
            );
        self.open(Tag::Figure(Some(alt)));
        let leaf = self.leaf();
        self.put(
            Item::Chart {
                x: LEFT,
                y: self.y,
                scale,
                target: index,
            },
            Mark::Leaf(leaf),
        );
        self.close();
        self.y += h + 4.0;
        self.open(Tag::Caption);
        self.text(caption, 0.0, WIDTH, true);
        self.close();
        self.y += 10.0;
    }
}

/// A glyph whose text range starts `at` bytes later.
fn shift(g: &KrillaGlyph, at: usize) -> KrillaGlyph {
    let mut g = g.clone();
    g.text_range = g.text_range.start + at..g.text_range.end + at;
    g
}

/// A line: pieces of (style, word, space before, width), and its width.
#[derive(Default)]
struct Line<'t> {
    pieces: Vec<(Style, &'t str, f32, f32)>,
    width: f32,
    /// The line ends where a space was: its text gets the space.
    space_after: bool,
}

impl<'t> Line<'t> {
    fn push(&mut self, style: Style, word: &'t str, gap: f32, w: f32) {
        self.pieces.push((style, word, gap, w));
        self.width += gap + w;
    }
}

/// A line that owns its words (a table cell's lines outlive the cell's cleaned text).
struct OwnedLine {
    pieces: Vec<(Style, String, f32, f32)>,
    width: f32,
    space_after: bool,
}

impl From<&Line<'_>> for OwnedLine {
    fn from(l: &Line<'_>) -> OwnedLine {
        OwnedLine {
            pieces: l
                .pieces
                .iter()
                .map(|(s, w, g, x)| (*s, w.to_string(), *g, *x))
                .collect(),
            width: l.width,
            space_after: l.space_after,
        }
    }
}

impl OwnedLine {
    fn borrowed(&self) -> Line<'_> {
        Line {
            pieces: self
                .pieces
                .iter()
                .map(|(s, w, g, x)| (*s, w.as_str(), *g, *x))
                .collect(),
            width: self.width,
            space_after: self.space_after,
        }
    }
}

// --- The report ---------------------------------------------------------------------------

fn body(l: &mut Layout<'_>) {
    let r = l.report;
    let lb = &r.labels;
    l.heading(1, lb.summary);
    if let Some(v) = &r.vision {
        let label = format!("{}:", lb.vision);
        l.paragraph(&[(STRONG, &label), (BODY, v)]);
    }
    let counts: Vec<String> = r.summary.iter().map(|s| s.count.to_string()).collect();
    let rows: Vec<Vec<Cell<'_>>> = r
        .summary
        .iter()
        .zip(&counts)
        .map(|(s, c)| vec![Cell::Badge(s.code, s.label), Cell::Text(c)])
        .collect();
    l.table(
        &[lb.status, lb.targets],
        &rows,
        &[Col::Auto, Col::Auto],
        &[false, true],
        10.0,
        Some(lb.status_of_the_targets),
    );
    l.paragraph(&[(STRONG, lb.long_term_goals)]);
    let goals: Vec<&str> = r.goals.iter().map(|g| g.title.as_str()).collect();
    l.list(&goals);

    for g in &r.goals {
        l.heading(1, &g.title);
        if let Some(d) = &g.description {
            l.paragraph(&[(BODY, d)]);
        }
        if !g.sub_goals.is_empty() {
            l.paragraph(&[(STRONG, lb.sub_goals)]);
            let items: Vec<&str> = g.sub_goals.iter().map(String::as_str).collect();
            l.list(&items);
        }
        if !g.strategies.is_empty() {
            l.paragraph(&[(STRONG, lb.strategy)]);
            let items: Vec<&str> = g.strategies.iter().map(String::as_str).collect();
            l.list(&items);
        }
        if g.targets.is_empty() {
            l.paragraph(&[(BODY, lb.no_targets)]);
        }
        for t in &g.targets {
            l.heading(2, &t.text);
            // The status badge, then the kind of target on the same line.
            l.open(Tag::P);
            l.need(BODY.line() + 6.0);
            let top = l.y;
            let leaf = l.leaf();
            let w = l.badge(LEFT, top, t.status_code, t.status_label, leaf);
            let kind = settable(&format!("{}: {}", lb.target, t.kind));
            let lines = l.lines(&[(BODY, kind.as_str())], WIDTH - w - 6.0);
            for (k, line) in lines.iter().enumerate() {
                let baseline = top + BODY.size + 0.5 + k as f32 * BODY.line();
                for run in l.place_line(line, LEFT + w + 6.0, baseline) {
                    l.put(Item::Run(run), Mark::Leaf(leaf));
                }
            }
            l.y = top + (lines.len() as f32 * BODY.line()).max(BODY.size + 5.0) + 4.0;
            l.close();
            l.y += 4.0;
            let indicator = format!("{}: {}", lb.indicator, t.indicator);
            l.paragraph(&[(BODY, &indicator)]);
            l.paragraph(&[(BODY, &t.explanation)]);
            if !t.analysis.is_empty() {
                l.heading(3, lb.analysis);
                for p in &t.analysis {
                    l.paragraph(&[(BODY, p)]);
                }
            }
            let small = Style::new(Face::Regular, 9.0, BLACK);
            let mut first = String::new();
            if let Some(p) = &t.projection {
                first.push_str(p);
                first.push_str(". ");
            }
            first.push_str(&t.sources);
            if t.fictitious.is_some() {
                first.push('.');
            }
            let mut caption = vec![(small, first.as_str())];
            if let Some(f) = t.fictitious {
                caption.push((Style::new(Face::Bold, 9.0, DARK_RED), f));
            }
            l.chart(t, &caption);
            if !t.table_rows.is_empty() {
                let mut header = vec![lb.period];
                header.extend(t.table_header.iter().map(String::as_str));
                let rows: Vec<Vec<Cell<'_>>> = t
                    .table_rows
                    .iter()
                    .map(|(p, cells)| {
                        std::iter::once(Cell::Text(p.as_str()))
                            .chain(cells.iter().map(|c| Cell::Text(c)))
                            .collect()
                    })
                    .collect();
                let mut cols = vec![Col::Auto];
                cols.extend(std::iter::repeat_n(Col::Fr(1.0), t.table_header.len()));
                let mut right = vec![false];
                right.extend(std::iter::repeat_n(true, t.table_header.len()));
                let caption = format!("{} – {}", lb.data, t.text);
                l.table(&header, &rows, &cols, &right, 9.0, Some(&caption));
            }
            if let Some(n) = &t.note {
                let note = format!("{}: {n}", lb.note);
                l.paragraph(&[(Style::new(Face::Italic, 10.0, BLACK), &note)]);
            }
        }
    }

    if !r.areas.is_empty() {
        l.heading(1, lb.indicators_by_area);
        for a in &r.areas {
            l.heading(2, &a.name);
            let items: Vec<&str> = a.indicators.iter().map(String::as_str).collect();
            l.list(&items);
        }
    }

    if !r.activities.is_empty() {
        l.heading(1, lb.action_plan);
        let rows = text_rows(&r.activities);
        l.table(
            &[
                lb.year,
                lb.activity,
                lb.goal,
                lb.responsible,
                lb.status,
                lb.comment,
            ],
            &rows,
            &[
                Col::Auto,
                Col::Fr(2.0),
                Col::Fr(1.3),
                Col::Fr(1.3),
                Col::Auto,
                Col::Fr(1.5),
            ],
            &[false; 6],
            8.5,
            None,
        );
    }

    l.heading(1, lb.sources);
    l.paragraph(&[(BODY, &r.kolada)]);
    if let Some(s) = &r.strategy_source {
        let t = format!("{}: {s}", lb.strategy_document);
        l.paragraph(&[(BODY, &t)]);
    }
    if !r.batches.is_empty() {
        let rows = text_rows(&r.batches);
        l.table(
            &[lb.no, lb.source, lb.file, lb.imported],
            &rows,
            &[Col::Auto, Col::Fr(1.0), Col::Fr(1.0), Col::Auto],
            &[false; 4],
            9.0,
            Some(lb.batches),
        );
    }
}

/// Rows of plain text cells.
fn text_rows<const N: usize>(rows: &[[String; N]]) -> Vec<Vec<Cell<'_>>> {
    rows.iter()
        .map(|row| row.iter().map(|c| Cell::Text(c)).collect())
        .collect()
}

/// The cover and the contents, laid out after the body (whose headings they list).
fn front(l: &mut Layout<'_>) {
    let r = l.report;
    l.y = TOP + 113.0;
    let gap = |l: &mut Layout<'_>, h: f32| l.y += h;
    l.paragraph(&[(Style::new(Face::Regular, 13.0, BLACK), &r.owner)]);
    gap(l, 11.0);
    l.paragraph(&[(Style::new(Face::Bold, 26.0, BLUE), &r.title)]);
    gap(l, 11.0);
    l.paragraph(&[(Style::new(Face::Regular, 14.0, BLACK), &r.strategy)]);
    if let Some(a) = &r.adoption {
        gap(l, 2.0);
        l.paragraph(&[(Style::new(Face::Regular, 11.0, BLACK), a)]);
    }
    if let Some(d) = &r.decision {
        gap(l, 2.0);
        l.paragraph(&[(Style::new(Face::Bold, 11.0, BLACK), d)]);
    }
    gap(l, 22.0);
    l.paragraph(&[(BODY, &r.produced)]);
    if let Some(n) = &r.fictitious_notice {
        gap(l, 22.0);
        let n = settable(n);
        let strong = Style::new(Face::Bold, 10.0, BLACK);
        let lines = l.lines(&[(strong, n.as_str())], WIDTH - 16.0).len();
        let h = lines as f32 * strong.line() + 16.0;
        l.put(
            Item::Rect {
                rect: (LEFT, l.y, WIDTH, h),
                fill: Some((0xff, 0xf4, 0xf4)),
                stroke: Some((DARK_RED, 2.0)),
            },
            Mark::Artifact(ArtifactType::Layout),
        );
        l.y += 8.0;
        l.open(Tag::P);
        l.text(&[(strong, n.as_str())], 8.0, WIDTH - 16.0, false);
        l.close();
    }

    // The contents: every heading of the first two levels, with its page.
    l.new_page();
    let title = Style::new(Face::Bold, 17.0, BLUE);
    let contents = settable(r.labels.contents);
    l.open(Tag::Hn(NonZeroU16::MIN, Some(contents.clone())));
    l.text(&[(title, &contents)], 0.0, WIDTH, false);
    l.close();
    l.y += 10.0;
    l.open(Tag::TOC);
    let entries: Vec<(usize, u16, String)> = l
        .headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.level <= 2)
        .map(|(i, h)| (i, h.level, h.text.clone()))
        .collect();
    for (heading, level, text) in entries {
        let indent = if level == 1 { 0.0 } else { 14.0 };
        let style = if level == 1 { STRONG } else { BODY };
        let width = WIDTH - indent - 36.0;
        let lines = l.lines(&[(style, text.as_str())], width);
        let h = lines.len() as f32 * style.line();
        l.need(h + if level == 1 { 6.0 } else { 0.0 });
        if level == 1 {
            l.y += 6.0;
        }
        l.open(Tag::TOCI);
        l.open(Tag::Reference);
        l.open(Tag::Link);
        let leaf = l.leaf();
        let entry = l.links.len();
        l.links.push((heading, Vec::new()));
        let top = l.y;
        let owned: Vec<OwnedLine> = lines.iter().map(OwnedLine::from).collect();
        for (k, line) in owned.iter().enumerate() {
            let baseline = top + style.size + k as f32 * style.line();
            let line = line.borrowed();
            for run in l.place_line(&line, LEFT + indent, baseline) {
                l.put(Item::Run(run), Mark::Leaf(leaf));
            }
            if k + 1 == owned.len() {
                l.put(
                    Item::TocPage {
                        entry,
                        right: LEFT + WIDTH,
                        baseline,
                    },
                    Mark::Leaf(leaf),
                );
            }
        }
        let page = l.page();
        l.links[entry]
            .1
            .push((page, (LEFT + indent, top, WIDTH - indent, h)));
        l.open
            .last_mut()
            .expect("the link")
            .1
            .push(Node::Annot(entry));
        l.close();
        l.close();
        l.close();
        l.y += h + 2.0;
    }
    l.close();
}

/// The report as PDF/UA-1 and PDF/A-2a.
pub(crate) fn pdf(report: &Report, made_on: &str) -> Result<Vec<u8>, Error> {
    // The body first, then the cover and contents that list its pages.
    let mut l = Layout::new(report);
    body(&mut l);
    let body_pages = std::mem::replace(&mut l.pages, vec![Vec::new()]);
    let body_nodes = std::mem::take(&mut l.open[0].1);
    l.y = TOP;
    front(&mut l);
    let offset = l.pages.len();
    for h in &mut l.headings {
        h.page += offset;
    }
    let mut pages = std::mem::take(&mut l.pages);
    pages.extend(body_pages);
    let mut nodes = std::mem::take(&mut l.open[0].1);
    nodes.extend(body_nodes);

    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| Error(format!("{e:?}")))?;
    let settings = krilla::SerializeSettings {
        configuration,
        ..Default::default()
    };
    let mut doc = Document::new_with(settings);
    let mut ids: Vec<Vec<Identifier>> = vec![Vec::new(); l.leaves];
    let mut annots: Vec<Option<Identifier>> = vec![None; l.links.len()];
    let size = Size::from_wh(PAGE_W, PAGE_H).expect("A4");
    let footer_text = one_line(&format!("{} – {}", report.owner, report.title));
    for (index, items) in pages.iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::new(size));
        {
            let mut s = page.surface();
            for placed in items {
                let id = match placed.mark {
                    Mark::Artifact(kind) => {
                        s.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)))
                    }
                    Mark::Leaf(_) => match placed.item {
                        Item::Run(_) | Item::TocPage { .. } => {
                            s.start_tagged(ContentTag::Span(SpanTag::empty()))
                        }
                        _ => s.start_tagged(ContentTag::Other),
                    },
                };
                draw(&mut s, &mut l, &placed.item);
                s.end_tagged();
                if let Mark::Leaf(k) = placed.mark {
                    ids[k].push(id);
                }
            }
            if index > 0 {
                footer(&mut s, &mut l, &footer_text, index + 1);
            }
            s.finish();
        }
        for (entry, (heading, rects)) in l.links.iter().enumerate() {
            for &(p, (x, y, w, h)) in rects {
                if p != index {
                    continue;
                }
                let target = &l.headings[*heading];
                let dest = XyzDestination::new(target.page, Point::from_xy(LEFT, target.y));
                let rect = Rect::from_xywh(x, y, w, h).expect("a link's rectangle");
                let link = krilla::annotation::LinkAnnotation::new(
                    rect,
                    krilla::annotation::Target::Destination(Destination::Xyz(dest)),
                );
                let id = page.add_tagged_annotation(krilla::annotation::Annotation::new_link(
                    link,
                    Some(target.text.clone()),
                ));
                annots[entry] = Some(id);
            }
        }
        page.finish();
    }

    let mut tree = TagTree::new();
    for node in nodes {
        for n in convert(node, &mut ids, &mut annots) {
            tree.push(n);
        }
    }
    doc.set_tag_tree(tree);

    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for h in l.headings.iter().filter(|h| h.level <= 2) {
        let node = OutlineNode::new(
            h.text.clone(),
            XyzDestination::new(h.page, Point::from_xy(LEFT, h.y)),
        );
        if h.level == 1 {
            if let Some(done) = current.take() {
                outline.push_child(done);
            }
            current = Some(node);
        } else if let Some(parent) = current.as_mut() {
            parent.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = current {
        outline.push_child(done);
    }
    doc.set_outline(outline);

    let mut metadata = Metadata::new()
        .title(short(&format!("{} – {}", report.title, report.owner)))
        .authors(vec![short(&report.owner)])
        .language(report.lang.to_string())
        .creator("Etablera".into())
        .document_id(short(&format!(
            "etablera:{}:{}",
            report.owner, report.title
        )));
    if let Some(date) = date(made_on) {
        metadata = metadata.creation_date(date);
    }
    doc.set_metadata(metadata);
    doc.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => Error(format!(
            "the PDF would not conform: {}",
            errors
                .iter()
                .map(|e| format!("{e:?}").chars().take(200).collect::<String>())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        e => Error(e.to_string()),
    })
}

fn convert(
    node: Node,
    ids: &mut [Vec<Identifier>],
    annots: &mut [Option<Identifier>],
) -> Vec<krilla::tagging::Node> {
    match node {
        Node::Leaf(k) => std::mem::take(&mut ids[k])
            .into_iter()
            .map(Into::into)
            .collect(),
        Node::Annot(e) => annots[e].take().into_iter().map(Into::into).collect(),
        Node::Group(tag, children) => {
            let children: Vec<krilla::tagging::Node> = children
                .into_iter()
                .flat_map(|c| convert(c, ids, annots))
                .collect();
            vec![TagGroup::with_children(tag, children).into()]
        }
    }
}

/// `YYYY-MM-DD` (or a longer ISO time) as the PDF's date.
fn date(iso: &str) -> Option<DateTime> {
    let y: u16 = iso.get(0..4)?.parse().ok()?;
    let m: u8 = iso.get(5..7)?.parse().ok()?;
    let d: u8 = iso.get(8..10)?.parse().ok()?;
    Some(DateTime::new(y).month(m).day(d))
}

fn colour(c: Rgb) -> krilla::color::rgb::Color {
    krilla::color::rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb, opacity: f32) -> Fill {
    Fill {
        paint: colour(c).into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        ..Default::default()
    }
}

fn stroke(c: Rgb, width: f32, dash: &str) -> Stroke {
    let array: Vec<f32> = dash
        .split([' ', ','])
        .filter_map(|d| d.parse().ok())
        .collect();
    Stroke {
        paint: colour(c).into(),
        width,
        dash: (!array.is_empty()).then_some(StrokeDash { array, offset: 0.0 }),
        ..Default::default()
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<Path> {
    let mut b = PathBuilder::new();
    b.push_rect(Rect::from_xywh(x, y, w, h)?);
    b.finish()
}

fn draw_run(s: &mut Surface<'_>, run: &Run) {
    s.set_fill(Some(fill(run.style.colour, 1.0)));
    s.set_stroke(None);
    s.draw_glyphs(
        Point::from_xy(run.x, run.baseline),
        &run.glyphs,
        FONTS.pdf[run.style.face as usize].clone(),
        &run.text,
        run.style.size,
        false,
    );
}

fn draw(s: &mut Surface<'_>, l: &mut Layout<'_>, item: &Item) {
    match item {
        Item::Run(run) => draw_run(s, run),
        Item::Rect {
            rect: (x, y, w, h),
            fill: f,
            stroke: st,
        } => {
            if let Some(path) = rect_path(*x, *y, *w, *h) {
                s.set_fill(f.map(|c| fill(c, 1.0)));
                s.set_stroke(st.map(|(c, w)| stroke(c, w, "")));
                s.draw_path(&path);
            }
        }
        Item::TocPage {
            entry,
            right,
            baseline,
        } => {
            let page = (l.headings[l.links[*entry].0].page + 1).to_string();
            let w = l.width(BODY, &page);
            let run = l.run(right - w, *baseline, BODY, &[&page]);
            draw_run(s, &run);
        }
        Item::Chart {
            x,
            y,
            scale,
            target,
        } => {
            let scene = &l.targets[*target].chart;
            s.push_transform(&Transform::from_row(*scale, 0.0, 0.0, *scale, *x, *y));
            for shape in &scene.shapes {
                draw_shape(s, l, shape);
            }
            s.pop();
        }
    }
}

/// A path through the points, not yet closed.
fn through(points: &[(f64, f64)]) -> PathBuilder {
    let mut b = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            b.move_to(*x as f32, *y as f32);
        } else {
            b.line_to(*x as f32, *y as f32);
        }
    }
    b
}

fn draw_shape(s: &mut Surface<'_>, l: &mut Layout<'_>, shape: &Shape) {
    match shape {
        Shape::Line { points, stroke: st } => {
            let b = through(points);
            if let Some(path) = b.finish() {
                s.set_fill(None);
                s.set_stroke(Some(stroke(rgb(st.colour), st.width as f32, st.dash)));
                s.draw_path(&path);
            }
        }
        Shape::Polygon {
            points,
            fill: f,
            stroke: st,
        } => {
            let mut b = through(points);
            b.close();
            if let Some(path) = b.finish() {
                s.set_fill(f.map(|(c, o)| fill(rgb(c), o as f32)));
                s.set_stroke(
                    st.as_ref()
                        .map(|st| stroke(rgb(st.colour), st.width as f32, st.dash)),
                );
                s.draw_path(&path);
            }
        }
        Shape::Circle { cx, cy, r, fill: f } => {
            // Four cubic arcs.
            let (cx, cy, r) = (*cx as f32, *cy as f32, *r as f32);
            let k = 0.552_284_8 * r;
            let mut b = PathBuilder::new();
            b.move_to(cx + r, cy);
            b.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
            b.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
            b.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
            b.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
            b.close();
            if let Some(path) = b.finish() {
                s.set_fill(Some(fill(rgb(f), 1.0)));
                s.set_stroke(None);
                s.draw_path(&path);
            }
        }
        Shape::Text {
            x,
            y,
            anchor,
            lines,
            line,
        } => {
            let style = Style::new(
                Face::Regular,
                etablera_report::chart::TEXT_SIZE as f32,
                rgb(etablera_report::chart::TEXT_COLOUR),
            );
            for (i, t) in lines.iter().enumerate() {
                // A chart's label is one line (the legend's names come wrapped): at most 120
                // characters of it, as a longer one would leave the picture anyway.
                let t = clip(one_line(t), 120);
                let w = l.width(style, &t);
                let x = *x as f32
                    - match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => w / 2.0,
                        Anchor::End => w,
                    };
                let words: Vec<&str> = t.split(' ').collect();
                let run = l.run(x, *y as f32 + i as f32 * *line as f32, style, &words);
                draw_run(s, &run);
            }
        }
    }
}

/// The footer of every page after the cover: the report's name and the page number.
fn footer(s: &mut Surface<'_>, l: &mut Layout<'_>, text: &str, number: usize) {
    let style = Style::new(Face::Regular, 8.5, GREY);
    let baseline = BOTTOM + 30.0;
    let page = format!("{} {number}", l.report.labels.page);
    let pw = l.width(style, &page);
    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(
        ArtifactType::PaginationOther,
    )));
    // The name, shortened with «…» if it would reach the page number.
    let room = WIDTH - pw - 12.0;
    let mut name: String = text.chars().take(160).collect();
    if name.len() < text.len() || l.width(style, &name) > room {
        while !name.is_empty() && l.width(style, &format!("{name}…")) > room {
            name.pop();
        }
        name.push('…');
    }
    let words: Vec<&str> = name.split(' ').collect();
    let run = l.run(LEFT, baseline, style, &words);
    draw_run(s, &run);
    let words: Vec<&str> = page.split(' ').collect();
    let run = l.run(LEFT + WIDTH - pw, baseline, style, &words);
    draw_run(s, &run);
    s.end_tagged();
}
