//! Lines of text as a reader expects them, in any of the bridge's languages: the Unicode
//! bidirectional algorithm puts runs in visual order (an Arabic name, then a Latin tracking
//! number, then an amount), each run is shaped by HarfBuzz's rules (`rustybuzz`: Arabic letters
//! join, accents sit on their letters) in the embedded font that has its letters, and drawn as
//! glyphs whose text krilla records, so a PDF reader copies and searches the words as written.

use std::ops::Range;
use std::sync::LazyLock;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_bidi::{BidiInfo, Level};

/// Which way a document reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Left to right (English, French).
    Ltr,
    /// Right to left (Arabic).
    Rtl,
}

impl Direction {
    /// The direction of `text`'s first letter that has one (an Arabic name reads right to
    /// left, a tracking number or an amount left to right), as HTML's `dir="auto"` does;
    /// `otherwise` when it has none (digits and punctuation only).
    pub fn of(text: &str, otherwise: Direction) -> Direction {
        match unicode_bidi::get_base_direction(text) {
            unicode_bidi::Direction::Rtl => Direction::Rtl,
            unicode_bidi::Direction::Ltr => Direction::Ltr,
            unicode_bidi::Direction::Mixed => otherwise,
        }
    }
}

/// How heavy the letters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Body text.
    Regular,
    /// Headings and totals.
    Bold,
}

/// Size and weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Points.
    pub size: f32,
    /// Regular or bold.
    pub weight: Weight,
}

impl Style {
    /// Regular text of `size` points.
    pub const fn regular(size: f32) -> Style {
        Style {
            size,
            weight: Weight::Regular,
        }
    }

    /// Bold text of `size` points.
    pub const fn bold(size: f32) -> Style {
        Style {
            size,
            weight: Weight::Bold,
        }
    }
}

/// An embedded font: what krilla embeds (subset) and what rustybuzz shapes with.
struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        // The fonts are part of the binary and were read by these very functions in tests:
        // a failure here is a broken build, not a runtime condition.
        #[allow(clippy::expect_used)]
        Face {
            font: Font::new(bytes.into(), 0).expect("an embedded font krilla reads"),
            shaper: rustybuzz::Face::from_slice(bytes, 0).expect("an embedded font to shape with"),
        }
    }

    fn has(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }
}

/// The four embedded faces.
struct Fonts {
    latin: Face,
    latin_bold: Face,
    arabic: Face,
    arabic_bold: Face,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    latin: Face::load(include_bytes!("../fonts/NotoSans-Regular.ttf")),
    latin_bold: Face::load(include_bytes!("../fonts/NotoSans-Bold.ttf")),
    arabic: Face::load(include_bytes!("../fonts/NotoSansArabic-Regular.ttf")),
    arabic_bold: Face::load(include_bytes!("../fonts/NotoSansArabic-Bold.ttf")),
});

/// Which of the two scripts' fonts draws a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Arabic,
}

impl Script {
    fn face(self, weight: Weight) -> &'static Face {
        let fonts = &*FONTS;
        match (self, weight) {
            (Script::Latin, Weight::Regular) => &fonts.latin,
            (Script::Latin, Weight::Bold) => &fonts.latin_bold,
            (Script::Arabic, Weight::Regular) => &fonts.arabic,
            (Script::Arabic, Weight::Bold) => &fonts.arabic_bold,
        }
    }
}

/// Arabic letters, marks and punctuation (the blocks Noto Sans Arabic covers).
fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Formatting characters that steer the bidirectional algorithm and are never drawn.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// A run of glyphs in one face, placed at `x` from the line's left edge.
struct Run {
    face: &'static Face,
    glyphs: Vec<KrillaGlyph>,
    text: String,
    x: f32,
}

/// One line, laid out: its runs in visual order, and its width in points.
pub struct Line {
    runs: Vec<Run>,
    size: f32,
    /// Width in points.
    pub width: f32,
}

impl Line {
    /// Lays out `text` (one line: breaks become spaces) in `style`, in a paragraph of
    /// direction `base`.
    pub fn new(text: &str, style: Style, base: Direction) -> Line {
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let level = match base {
            Direction::Ltr => Level::ltr(),
            Direction::Rtl => Level::rtl(),
        };
        let bidi = BidiInfo::new(&text, Some(level));
        let mut runs = Vec::new();
        let mut x = 0.0;
        for paragraph in &bidi.paragraphs {
            let (levels, visual) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for range in visual {
                let rtl = levels[range.start].is_rtl();
                let mut pieces = pieces(&text, range, rtl, style.weight);
                if rtl {
                    // The run reads right to left: its last piece is its leftmost.
                    pieces.reverse();
                }
                for (script, piece) in pieces {
                    let face = script.face(style.weight);
                    let piece_text = &text[piece];
                    let glyphs = shape(face, piece_text, rtl);
                    let width: f32 = glyphs.iter().map(|g| g.x_advance * style.size).sum();
                    runs.push(Run {
                        face,
                        glyphs,
                        text: piece_text.to_owned(),
                        x,
                    });
                    x += width;
                }
            }
        }
        Line {
            runs,
            size: style.size,
            width: x,
        }
    }

    /// As [`Line::new`], shortened with an ellipsis to fit `max_width` points.
    pub fn fitted(text: &str, style: Style, base: Direction, max_width: f32) -> Line {
        let line = Line::new(text, style, base);
        if line.width <= max_width {
            return line;
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut low, mut high) = (0, chars.len());
        // The longest prefix that fits with its ellipsis (binary search on characters).
        while low < high {
            let middle = (low + high).div_ceil(2);
            let candidate: String = chars[..middle].iter().collect::<String>() + "…";
            if Line::new(&candidate, style, base).width <= max_width {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        let kept: String = chars[..low]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_owned();
        Line::new(&(kept + "…"), style, base)
    }

    /// `text` broken at spaces into lines of at most `max_width` points. A word wider than a
    /// line (a URL, an error message's path) is cut where it reaches the edge and goes on on
    /// the next line: unlike [`Line::fitted`], nothing of it is lost — it may be where to print
    /// a label from.
    pub fn wrapped(text: &str, style: Style, base: Direction, max_width: f32) -> Vec<Line> {
        let fits = |candidate: &str| Line::new(candidate, style, base).width <= max_width;
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            for c in word.chars() {
                current.push(c);
                if !fits(&current) && current.chars().count() > 1 {
                    current.pop();
                    lines.push(std::mem::replace(&mut current, c.to_string()));
                }
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
            .iter()
            .map(|line| Line::new(line, style, base))
            .collect()
    }

    /// Draws the line with its left edge at `x` and its baseline at `baseline`.
    pub fn draw(&self, surface: &mut Surface<'_>, x: f32, baseline: f32) {
        for run in &self.runs {
            surface.draw_glyphs(
                Point::from_xy(x + run.x, baseline),
                &run.glyphs,
                run.face.font.clone(),
                &run.text,
                self.size,
                false,
            );
        }
    }
}

/// A directional run split into pieces each drawn by one script's font: Arabic letters by the
/// Arabic face; digits, spaces and punctuation stay with the piece around them when that face
/// has them (so an Arabic phrase is shaped whole); everything else by the Latin face.
fn pieces(
    text: &str,
    range: Range<usize>,
    rtl: bool,
    weight: Weight,
) -> Vec<(Script, Range<usize>)> {
    let mut pieces: Vec<(Script, Range<usize>)> = Vec::new();
    for (offset, c) in text[range.clone()].char_indices() {
        let start = range.start + offset;
        let end = start + c.len_utf8();
        if is_invisible(c) {
            continue;
        }
        let script = if is_arabic(c) {
            Script::Arabic
        } else if c.is_alphabetic() {
            Script::Latin
        } else {
            // Neutral: keep with the current piece if its face can draw it.
            match pieces.last() {
                Some((current, _)) if current.face(weight).has(c) => *current,
                _ if rtl && Script::Arabic.face(weight).has(c) => Script::Arabic,
                _ => Script::Latin,
            }
        };
        match pieces.last_mut() {
            Some((current, piece)) if *current == script && piece.end == start => piece.end = end,
            _ => pieces.push((script, start..end)),
        }
    }
    pieces
}

/// Shapes `text` in `face`, in one direction, as krilla glyphs (advances in ems).
fn shape(face: &Face, text: &str, rtl: bool) -> Vec<KrillaGlyph> {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let shaped = rustybuzz::shape(&face.shaper, &[], buffer);
    let units = face.shaper.units_per_em() as f32;
    let mut starts: Vec<usize> = shaped
        .glyph_infos()
        .iter()
        .map(|info| info.cluster as usize)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    shaped
        .glyph_infos()
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, position)| {
            let start = info.cluster as usize;
            // A cluster's text runs to the next cluster's start (in logical order).
            let end = starts
                .iter()
                .copied()
                .find(|s| *s > start)
                .unwrap_or(text.len());
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                position.x_advance as f32 / units,
                position.x_offset as f32 / units,
                position.y_offset as f32 / units,
                position.y_advance as f32 / units,
                start..end,
                None,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arabic_phrase_with_a_number_reads_in_three_runs_right_to_left() {
        let line = Line::new("الطلب رقم 1047", Style::regular(10.0), Direction::Rtl);
        let texts: Vec<&str> = line.runs.iter().map(|r| r.text.as_str()).collect();
        // Visual order, left to right: the number, then the Arabic words before it.
        assert_eq!(texts.first(), Some(&"1047"), "{texts:?}");
        assert!(texts.last().unwrap().contains("الطلب"), "{texts:?}");
        assert!(line.width > 0.0);
    }

    #[test]
    fn latin_with_accents_is_one_run_in_the_latin_face() {
        let line = Line::new("Éloïse Ɛsi Dupont", Style::bold(10.0), Direction::Ltr);
        assert_eq!(line.runs.len(), 1);
        assert!(
            line.runs[0].glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
            "every letter has a glyph (none drawn as the missing-glyph box)"
        );
    }

    #[test]
    fn a_long_text_is_shortened_to_fit() {
        let long = "عباءة مطرزة يدويا بخيوط ذهبية ".repeat(6);
        let line = Line::fitted(&long, Style::regular(9.0), Direction::Rtl, 150.0);
        assert!(line.width <= 150.0, "{}", line.width);
        assert!(line.runs.iter().any(|r| r.text.contains('…')));
    }

    #[test]
    fn a_long_note_wraps_and_keeps_every_letter_of_a_long_url() {
        let url = format!("https://labels.example/{}.pdf", "x".repeat(120));
        let note = format!("the label could not be downloaded (timed out): {url}");
        let lines = Line::wrapped(&note, Style::regular(10.0), Direction::Ltr, 200.0);
        assert!(lines.len() > 3, "{}", lines.len());
        assert!(lines.iter().all(|line| line.width <= 200.0));
        let kept: String = lines
            .iter()
            .flat_map(|line| line.runs.iter().map(|run| run.text.as_str()))
            .collect();
        // Lines joined without their breaks: the URL whole, cut only between lines.
        assert!(kept.contains(&url), "{kept}");
    }
}
