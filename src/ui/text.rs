//! Display-width aware text fitting (CJK and emoji take two columns).

use unicode_width::UnicodeWidthChar;

/// Cuts or pads `s` to exactly `width` columns; a cut ends in `…`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(width);
    let mut used = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        out.push_str(s);
        used = total;
    } else if width > 0 {
        for c in s.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    while used < width {
        out.push(' ');
        used += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn fits_wide_characters() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        let s = fit("日本語のメール", 6);
        assert_eq!(s.width(), 6, "{s:?}");
        assert_eq!(s, "日本… ");
        assert_eq!(fit("🎉🎉🎉", 5).width(), 5);
        assert_eq!(fit("x", 0), "");
    }
}
