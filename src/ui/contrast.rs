//! WCAG contrast between two `#rrggbb` colours: how the share cards' palette (and anything
//! else drawn with fixed colours) proves its text is readable.

/// The relative luminance of `#rrggbb`, or `None` for anything else.
pub fn luminance(hex: &str) -> Option<f64> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).ok()?) / 255.0;
        Some(if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// The contrast ratio (1 to 21) between two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (a, b) = (luminance(a)?, luminance(b)?);
    Some((a.max(b) + 0.05) / (a.min(b) + 0.05))
}

/// `#rrggbb` darkened towards black by `amount` (0 to 1): a colour under a black overlay
/// of that opacity.
pub fn darkened(hex: &str, amount: f64) -> Option<String> {
    let digits = hex
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.is_ascii())?;
    let mut out = String::from("#");
    for i in [0, 2, 4] {
        let c = f64::from(u8::from_str_radix(&digits[i..i + 2], 16).ok()?);
        out.push_str(&format!("{:02x}", (c * (1.0 - amount)).round() as u8));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_on_white_is_the_maximum_and_a_colour_on_itself_the_minimum() {
        assert_eq!(contrast("#000000", "#ffffff"), Some(21.0));
        assert_eq!(contrast("#336699", "#336699"), Some(1.0));
        // A known pair: Tailwind's gray-500 on white is 4.83.
        let ratio = contrast("#6b7280", "#ffffff").unwrap_or_default();
        assert!((ratio - 4.83).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn anything_but_six_hex_digits_is_refused() {
        for bad in ["", "#fff", "336699", "#33669g", "#3366990", "#ééé"] {
            assert_eq!(luminance(bad), None, "{bad}");
        }
        assert_eq!(darkened("#zzzzzz", 0.5), None);
    }

    #[test]
    fn darkening_moves_towards_black() {
        assert_eq!(darkened("#ffffff", 0.25).as_deref(), Some("#bfbfbf"));
        assert_eq!(darkened("#123456", 0.0).as_deref(), Some("#123456"));
        assert_eq!(darkened("#123456", 1.0).as_deref(), Some("#000000"));
    }
}
