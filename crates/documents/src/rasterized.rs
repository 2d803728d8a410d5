//! Pages as a printer would draw them (poppler's `pdftoppm`), for tests that check a page is
//! not blank: text placed off the page still reads back with `pdftotext`, but prints nothing.

use std::io::Cursor;
use std::process::Command;

/// A part of a page, in fractions of its width and height from the top left corner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Area {
    pub(crate) const WHOLE_PAGE: Area = Area {
        left: 0.0,
        top: 0.0,
        right: 1.0,
        bottom: 1.0,
    };
}

/// The share of page `page`'s pixels (1-based) that are dark (luminance below half), drawn
/// at 50 dpi.
pub(crate) fn dark_fraction(pdf: &[u8], page: usize) -> f64 {
    dark_fraction_in(pdf, page, Area::WHOLE_PAGE)
}

/// As [`dark_fraction`], counting only the pixels in `area`.
pub(crate) fn dark_fraction_in(pdf: &[u8], page: usize, area: Area) -> f64 {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("document.pdf");
    std::fs::write(&input, pdf).unwrap();
    let output = folder.path().join("page");
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-r", "50", "-png", "-f", &page, "-l", &page, "-singlefile"])
        .arg(&input)
        .arg(&output)
        .status()
        .expect("pdftoppm (poppler-utils) on the PATH");
    assert!(status.success(), "pdftoppm failed: {status}");
    let png = std::fs::read(output.with_extension("png")).unwrap();
    let mut reader = png::Decoder::new(Cursor::new(png)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(frame.bit_depth, png::BitDepth::Eight, "{frame:?}");
    let channels = frame.color_type.samples();
    let pixels = &pixels[..frame.buffer_size()];
    let luminance = |pixel: &[u8]| match pixel {
        [r, g, b, ..] => 0.299 * f64::from(*r) + 0.587 * f64::from(*g) + 0.114 * f64::from(*b),
        [gray, ..] => f64::from(*gray),
        [] => 255.0,
    };
    let (width, height) = (frame.width as usize, frame.height as usize);
    let columns = (area.left * width as f64) as usize..(area.right * width as f64) as usize;
    let rows = (area.top * height as f64) as usize..(area.bottom * height as f64) as usize;
    let mut counted = 0;
    let mut dark = 0;
    for (index, pixel) in pixels.chunks_exact(channels).enumerate() {
        if rows.contains(&(index / width)) && columns.contains(&(index % width)) {
            counted += 1;
            if luminance(pixel) < 128.0 {
                dark += 1;
            }
        }
    }
    assert!(counted > 0, "{area:?} holds no pixel");
    dark as f64 / counted as f64
}
