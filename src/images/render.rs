//! The renderer: 1200×630 PNG images drawn in Rust on the server from SVG templates with
//! resvg (no browser, no external service). Share cards, invite links and personal cards
//! are templates on top of it.
//!
//! Why resvg: pure Rust, maintained (linebender), builds in well under a minute here, renders
//! a card in ~20 ms, and draws colour emoji from bitmap fonts (`raster-images`). It does not
//! wrap text, so this module lays the title out itself: it measures each grapheme with the
//! font that will draw it, breaks lines at spaces (and anywhere between CJK characters, or
//! inside a word too long for a line), truncates with an ellipsis, and writes right-to-left
//! titles right-aligned with `direction="rtl"` (the bidi reordering within a line is
//! resvg's).
//!
//! Fonts come from the directories in `FONT_DIRS` (default `/usr/share/fonts`, where
//! `scripts/setup.sh` installs Debian's `fonts-inter`, `fonts-noto-color-emoji`,
//! `fonts-noto-cjk` and `fonts-dejavu-core`); the server says at start-up which are missing.
//! The same card always gives the same bytes on one machine (fonts are loaded in path order).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::usvg::fontdb::{self, Database, Family, Query, ID};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use unicode_segmentation::UnicodeSegmentation;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the card's SVG did not parse: {0}")]
    Svg(String),
    #[error("the card could not be encoded: {0}")]
    Png(String),
}

/// Fonts, loaded once, and what the server knows about them.
pub struct Renderer {
    fonts: Arc<Database>,
    /// The face that draws Latin text (Inter when present), used to measure.
    text_face: Option<ID>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("faces", &self.fonts.len())
            .finish()
    }
}

/// Font families the cards want, and what each is for.
const WANTED: [(&str, &str); 3] = [
    ("Inter", "Latin text (Debian: fonts-inter)"),
    ("Noto Color Emoji", "emoji (Debian: fonts-noto-color-emoji)"),
    (
        "Noto Sans CJK SC",
        "Chinese, Japanese and Korean (Debian: fonts-noto-cjk)",
    ),
];

/// The font families templates ask for, in fallback order.
pub const FAMILIES: &str =
    "Inter, 'Noto Sans CJK SC', 'DejaVu Sans', 'Noto Color Emoji', sans-serif";

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            font_files(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc"))
        {
            out.push(path);
        }
    }
}

impl Renderer {
    /// Loads every font under `dirs`, in path order; logs which wanted families are missing.
    pub fn load(dirs: &[PathBuf]) -> Self {
        let mut files = Vec::new();
        for dir in dirs {
            font_files(dir, &mut files);
        }
        files.sort();
        let mut fonts = Database::new();
        for file in &files {
            if let Err(err) = fonts.load_font_file(file) {
                tracing::warn!(file = %file.display(), error = %err, "skipped a font file");
            }
        }
        fonts.set_sans_serif_family("DejaVu Sans");
        let missing: Vec<&str> = WANTED
            .iter()
            .filter(|(family, _)| {
                fonts
                    .query(&Query {
                        families: &[Family::Name(family)],
                        ..Query::default()
                    })
                    .is_none()
            })
            .map(|(_, what)| *what)
            .collect();
        if missing.is_empty() {
            tracing::info!(faces = fonts.len(), "card fonts ready");
        } else {
            tracing::warn!(
                faces = fonts.len(),
                missing = missing.join("; "),
                "card images will draw some characters as boxes until these fonts are installed (scripts/setup.sh does it); FONT_DIRS says where to look"
            );
        }
        let text_face = fonts.query(&Query {
            families: &[Family::Name("Inter"), Family::SansSerif],
            weight: fontdb::Weight::BOLD,
            ..Query::default()
        });
        Self {
            fonts: Arc::new(fonts),
            text_face,
        }
    }

    /// Whether some loaded font draws `c` (so it will not show as a box).
    pub fn covers(&self, c: char) -> bool {
        self.fonts.faces().any(|face| {
            self.fonts
                .with_face_data(face.id, |data, index| {
                    FontRef::from_index(data, index)
                        .ok()
                        .and_then(|f| f.charmap().map(c))
                        .is_some()
                })
                .unwrap_or(false)
        })
    }

    /// How wide `text` is at `size` pixels, near enough to break lines by: each character's
    /// advance in the text face, and a full em for what it lacks (CJK, emoji).
    fn width(&self, text: &str, size: f32) -> f32 {
        let measured = self.text_face.and_then(|id| {
            self.fonts.with_face_data(id, |data, index| {
                let font = FontRef::from_index(data, index).ok()?;
                let charmap = font.charmap();
                let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
                Some(
                    text.graphemes(true)
                        .map(|g| {
                            let mut chars = g.chars();
                            match (chars.next(), chars.next()) {
                                (Some(c), None) => charmap
                                    .map(c)
                                    .and_then(|glyph| metrics.advance_width(glyph))
                                    .unwrap_or(size),
                                _ => size,
                            }
                        })
                        .sum(),
                )
            })?
        });
        measured.unwrap_or_else(|| text.graphemes(true).count() as f32 * size * 0.6)
    }

    /// `text` broken into at most `max_lines` lines of at most `max_width` pixels; the last
    /// ends with "…" when something had to be left out.
    pub fn wrap(&self, text: &str, size: f32, max_width: f32, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for piece in pieces(text) {
            let candidate = format!("{line}{piece}");
            if line.is_empty() || self.width(candidate.trim_end(), size) <= max_width {
                line = candidate;
            } else {
                lines.push(line.trim_end().to_owned());
                line = piece.trim_start().to_owned();
            }
            // A piece wider than a line (one long word) breaks by graphemes.
            while self.width(line.trim_end(), size) > max_width {
                let (fits, rest) = self.split_to_fit(&line, size, max_width);
                lines.push(fits);
                line = rest;
            }
            if lines.len() > max_lines {
                break;
            }
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.with_ellipsis(last, size, max_width);
            }
        }
        lines
    }

    /// `text` on one line of at most `max_width` pixels, ending in "…" when it is wider.
    pub fn line(&self, text: &str, size: f32, max_width: f32) -> String {
        self.wrap(text, size, max_width, 1)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// The largest of `sizes` (largest first) at which `text` fits on one line, or the
    /// smallest.
    pub fn fitting_size(&self, text: &str, sizes: &[f32], max_width: f32) -> f32 {
        sizes
            .iter()
            .copied()
            .find(|&size| self.width(text, size) <= max_width)
            .or_else(|| sizes.last().copied())
            .unwrap_or(16.0)
    }

    fn split_to_fit(&self, text: &str, size: f32, max_width: f32) -> (String, String) {
        let graphemes: Vec<&str> = text.graphemes(true).collect();
        let mut end = graphemes.len();
        while end > 1 && self.width(&graphemes[..end].concat(), size) > max_width {
            end -= 1;
        }
        (graphemes[..end].concat(), graphemes[end..].concat())
    }

    fn with_ellipsis(&self, text: &str, size: f32, max_width: f32) -> String {
        let mut graphemes: Vec<&str> = text.graphemes(true).collect();
        loop {
            let candidate = format!("{}…", graphemes.concat().trim_end());
            if graphemes.is_empty() || self.width(&candidate, size) <= max_width {
                return candidate;
            }
            graphemes.pop();
        }
    }

    /// Draws `svg` (1200×630) as PNG with the loaded fonts.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, RenderError> {
        encode(&self.draw(&self.layout(svg)?)?)
    }

    /// The SVG parsed, with its text shaped and laid out.
    pub fn layout(&self, svg: &str) -> Result<resvg::usvg::Tree, RenderError> {
        let options = resvg::usvg::Options {
            fontdb: self.fonts.clone(),
            font_family: "DejaVu Sans".to_owned(),
            ..resvg::usvg::Options::default()
        };
        resvg::usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Svg(e.to_string()))
    }

    /// The laid-out picture drawn into pixels.
    pub fn draw(&self, tree: &resvg::usvg::Tree) -> Result<resvg::tiny_skia::Pixmap, RenderError> {
        let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT)
            .ok_or_else(|| RenderError::Png("no pixmap".to_owned()))?;
        resvg::render(
            tree,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        Ok(pixmap)
    }
}

/// The pixels as an opaque RGB PNG. Cards have opaque backgrounds, so the alpha channel
/// is dropped (a quarter less to compress), and `png`'s fast DEFLATE (fdeflate) is used:
/// several times quicker than the default for a slightly larger file, the same bytes for
/// the same pixels.
pub fn encode(pixmap: &resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, RenderError> {
    let mut rgb = Vec::with_capacity(pixmap.pixels().len() * 3);
    for pixel in pixmap.pixels() {
        let c = pixel.demultiply();
        rgb.extend_from_slice(&[c.red(), c.green(), c.blue()]);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let failed = |e: png::EncodingError| RenderError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&rgb).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// Pieces a line may break after: each word with its trailing spaces, and each CJK or
/// emoji grapheme on its own (those scripts break between any two characters).
pub(crate) fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for g in text.graphemes(true) {
        let wide = g.chars().next().is_some_and(is_wide);
        if wide {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(g.to_owned());
        } else if g.chars().all(char::is_whitespace) {
            current.push_str(g);
            out.push(std::mem::take(&mut current));
        } else {
            current.push_str(g);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0x1F300..=0x1FAFF | 0x20000..=0x3FFFD)
}

/// Whether the text's first strongly directional character is right-to-left (Hebrew,
/// Arabic, Syriac, Thaana, N'Ko…).
pub fn is_rtl(text: &str) -> bool {
    text.chars().find(|c| c.is_alphabetic()).is_some_and(
        |c| matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF),
    )
}

/// Colours a picture is drawn in: a gradient of two background colours and an accent.
pub struct Palette<'a> {
    pub background: &'a str,
    pub background_to: &'a str,
    pub accent: &'a str,
}

/// A 1200×630 picture: the gradient background, the OneRing mark at the top left, `corner`
/// (when given) at the top right, and `body` (SVG elements) drawn over them.
pub fn framed(palette: &Palette<'_>, corner: Option<&str>, body: &str) -> String {
    let Palette {
        background,
        background_to,
        accent,
    } = palette;
    let corner = corner.map_or_else(String::new, |text| {
        format!(
            r##"<text x="1120" y="97" font-size="26" fill="{accent}" text-anchor="end">{}</text>"##,
            svg_text(text)
        )
    });
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FAMILIES}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{background}"/><stop offset="1" stop-color="{background_to}"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>
<circle cx="100" cy="86" r="18" fill="none" stroke="{accent}" stroke-width="7"/>
<text x="132" y="97" font-size="30" font-weight="700" fill="#ffffff">OneRing</text>
{corner}
{body}
</svg>"##
    )
}

/// Text drawn exactly as typed. Inter's contextual alternates turn an "x" between digits
/// into "×" (a handle "mx4x2" would read "mx4×2"), and usvg cannot switch features off, so
/// such an "x" is drawn as the Cyrillic "х" (U+0445), the same shape in Inter, which the
/// rule does not touch. Only the picture changes; the text itself never does.
pub fn literal(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let beside_a_digit = (i > 0 && chars[i - 1].is_ascii_digit())
                || chars.get(i + 1).is_some_and(char::is_ascii_digit);
            match c {
                'x' if beside_a_digit => '\u{0445}',
                'X' if beside_a_digit => '\u{0425}',
                other => *other,
            }
        })
        .collect()
}

/// A line whose paragraph reads right to left. usvg lays every text chunk out as a
/// left-to-right paragraph, so an Arabic title followed by Latin words would come out in
/// the wrong order; an explicit right-to-left embedding (RLE … PDF, invisible) fixes it.
pub fn right_to_left(line: &str) -> String {
    format!("\u{202B}{line}\u{202C}")
}

/// Text for an SVG `<text>`: drawn exactly as typed ([`literal`]) and safe inside markup.
pub fn svg_text(text: &str) -> String {
    crate::ui::format::escape_html(&literal(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_gets_the_largest_size_that_fits_or_an_ellipsis() {
        // No fonts: widths are estimated (0.6 of the size per character), which is enough
        // to test the choices.
        let renderer = Renderer::load(&[]);
        let sizes = [60.0, 40.0, 20.0];
        assert_eq!(renderer.fitting_size("short", &sizes, 600.0), 60.0);
        assert_eq!(renderer.fitting_size(&"w".repeat(20), &sizes, 600.0), 40.0);
        assert_eq!(renderer.fitting_size(&"w".repeat(200), &sizes, 600.0), 20.0);
        assert_eq!(renderer.line("fits", 20.0, 600.0), "fits");
        let cut = renderer.line(&"word ".repeat(100), 20.0, 600.0);
        assert!(
            cut.ends_with('…') && renderer.width(&cut, 20.0) <= 600.0,
            "{cut}"
        );
    }

    #[test]
    fn an_x_beside_a_digit_is_drawn_as_its_look_alike() {
        assert_eq!(literal("mx4x2"), "m\u{445}4\u{445}2");
        assert_eq!(literal("X1 box"), "\u{425}1 box");
        assert_eq!(literal("box"), "box");
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            svg_text(r#"<a href="y">&'"#),
            "&lt;a href=&quot;y&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn right_to_left_is_told_by_the_first_letter() {
        assert!(is_rtl("שלום עולם"));
        assert!(is_rtl("«مرحبا» 2026"));
        assert!(!is_rtl("Hello שלום"));
        assert!(!is_rtl("12 ✨"));
    }

    #[test]
    fn pieces_break_at_spaces_and_between_cjk_characters() {
        assert_eq!(pieces("one two"), vec!["one ", "two"]);
        assert_eq!(pieces("日本 go"), vec!["日", "本", " ", "go"]);
    }
}
