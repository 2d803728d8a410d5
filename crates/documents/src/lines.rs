//! Strokes the printed documents share: rules under headings and frames around labels, in
//! black, so they print on any printer (no fill, no colour).

use krilla::geom::{PathBuilder, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

/// A horizontal line from `from_x` to `to_x` at `y`, `width` points thick.
pub fn rule(surface: &mut Surface<'_>, from_x: f32, to_x: f32, y: f32, width: f32) {
    let mut path = PathBuilder::new();
    path.move_to(from_x, y);
    path.line_to(to_x, y);
    stroke(surface, path, width);
}

/// The outline of `rect`, `width` points thick.
pub fn frame(surface: &mut Surface<'_>, rect: Rect, width: f32) {
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    stroke(surface, path, width);
}

/// Strokes `path` and leaves the surface as text expects it: filled in black, no stroke.
fn stroke(surface: &mut Surface<'_>, path: PathBuilder, width: f32) {
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
        surface.set_fill(Some(Fill::default()));
    }
}
